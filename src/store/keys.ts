/**
 * Redis key layout. Everything the bot keeps lives under one configurable prefix (`ct:` by
 * default) so tests and several installs can share a Redis without touching each other.
 *
 *   <p>triage:<id>      hash: record (JSON), version, dest, meta, ref, cardv, stepv:<step>,
 *                       posted:<marker>, done:<collect job>:<step|finish>, openkey, cardlink,
 *                       bundleref, cardbundle, intent:card, intent:thread (posts in flight),
 *                       failed:<key>, threadfail, nofold (replies the platform refused),
 *                       intent:pdnote.<n> (a PagerDuty note in flight)
 *   <p>active           zset: non-final triage IDs scored by last activity (ms), for the sweeper
 *   <p>dedupe:<sha256>  string: triage ID started by an inbound delivery (SET NX EX)
 *   <p>open:<sha256>    string: the open triage of one command (channel, request, zone, symptom)
 *   <p>cards:<sha256>   zset: triages whose card is not posted yet, per destination, by start time
 *   <p>lease:<id>:<m>   string: short lease while a post is in flight (SET NX PX)
 *   <p>conv:<c>:outbox  zset: triages with thread replies to post in conversation <c>, by age
 *   <p>conv:<c>:lease   string: the posting pump of conversation <c> while it runs
 *   <p>convs            set: conversations with an outbox (the sweeper restarts idle pumps)
 *   <p>rl:<platform>.<kind>:<c>  hash: posting timeline (next slot, last send, blocked until)
 *   <p>incident:<key>   hash: the triage holding one incident (triage, status, digest, delivery)
 *   <p>incident:<key>:lock  string: held while one notice of the incident is being applied
 *   <p>audit            stream: the bot's audit log; <p>audit:head hash: last seq + hmac
 *   <p>caracal:budget:<deployment>   zset: one deployment's Admin API calls of the last 60 s,
 *                       every process's (src/store/caracal-budget.ts; `default` with one deployment)
 *   <p>caracal:budget:<deployment>:hold  string: no Admin API call to it before this time (ms; after a 429)
 *   <p>caracal:budget:<deployment>:watcher  string: the calls a minute kept for its deny watcher, while one runs (5 min)
 *   <p>watch:<deployment>:lease  string: that deployment's deny watcher leader (token), renewed every interval
 *   <p>watch:<deployment>:cursor:<zone>  string: newest occurred_at its watcher has read in a zone (ms)
 *   <p>watch:<deployment>:sweep:<zone>   string: `<mark>:<at>` of its last read-back of the overlap (ms)
 *   <p>watch:<deployment>:seen:<zone>    zset: audit event IDs read in a zone, scored by occurred_at (ms)
 *   <p>watch:<deployment>:pattern:<id>   string: one denial pattern's state (JSON; src/watch/state-store.ts)
 *   <p>watch:<deployment>:patterns   zset: its pattern IDs by their newest denial (ms)
 *                       (one watcher per Caracal deployment, `default` with one deployment)
 *   <p>sink:<sha256>    string: a Caracal sink delivery accepted (X-Caracal-Delivery; SET NX EX)
 *   <p>approval:<key>   hash: one approval hold's card (src/act/approvals.ts: facts, destination,
 *                       message ref, the hold as last read, the decision claim and its result)
 *   <p>fix:<id>         hash: one fix proposal (src/act/fix/proposals.ts: plan, proposer,
 *                       consent, the activation call and its result, the re-triage)
 *   <p>fix-open:<triage>  string: the open proposal of a triage (SET NX PX the proposal TTL)
 *   <p>act-lease:<key>  string: short lease while an act message is being posted (SET NX PX)
 *   <p>find:recent      zset: every triage by start time (ms), for `list` (store/triage-index.ts)
 *   <p>find:place:<sha256>  zset: the triages whose card went to one conversation (`slack:C…`), by start time
 *   <p>find:actor:<sha256>  zset: the triages one person started or clicked on, by their latest touch
 *   <p>q:<queue>:…      BullMQ's own keys (BullMQ prefix `<p>q`)
 */
import { createHash } from 'node:crypto';

export const DEFAULT_PREFIX = 'ct:';

/** The keys of one deployment's deny watcher. */
export interface WatchKeys {
  lease(): string;
  /** Zone IDs are `[A-Za-z0-9_.\-:]`, safe as they are. */
  cursor(zoneId: string): string;
  /** Where and when its last full read-back of the overlap (the sweep) began (src/watch/poll.ts). */
  sweep(zoneId: string): string;
  seen(zoneId: string): string;
  /** Pattern IDs are hex digests. */
  pattern(patternId: string): string;
  patterns(): string;
}

export interface Keys {
  prefix: string;
  triage(id: string): string;
  active(): string;
  dedupe(key: string): string;
  lease(id: string, marker: string): string;
  /** The open-triage index entry for one command's identity (already a stable string). */
  open(identity: string): string;
  /** Cards not posted yet for one destination (addressIdentity). */
  pendingCards(destination: string): string;
  outbox(conversation: string): string;
  convLease(conversation: string): string;
  convs(): string;
  /** One incident's state (incident keys are `[A-Za-z0-9-]`, safe as they are). */
  incident(incidentKey: string): string;
  incidentLock(incidentKey: string): string;
  audit(): string;
  auditHead(): string;
  /** Deployment names are `[a-z0-9-]` (src/caracal/deployments-file.ts), safe as they are. */
  budget(deployment: string): string;
  budgetHold(deployment: string): string;
  budgetWatcher(deployment: string): string;
  /** One deployment's deny watcher (names are `[a-z0-9-]`, src/caracal/deployments-file.ts): every key it keeps, built here only. */
  watch(deployment: string): WatchKeys;
  /** A sink delivery ID (caller-controlled, hashed). */
  sinkDelivery(deliveryId: string): string;
  /** An approval card (key: `apr-<hex>`, src/act/approvals.ts). */
  approval(key: string): string;
  /** A fix proposal (ID: `fix-<hex>`). */
  fix(proposalId: string): string;
  fixOpen(triageId: string): string;
  actLease(key: string): string;
  /** Every triage by start time (the `list` index). */
  recent(): string;
  /** The triages of one conversation, written `<platform>:<id>` as settings write it. */
  place(place: string): string;
  /** The triages one person (a platform user ID) started or acted on. */
  actor(actorId: string): string;
  /** The `prefix` option for BullMQ Queue/Worker/QueueEvents. */
  bullPrefix(): string;
}

export function keys(prefix: string = DEFAULT_PREFIX): Keys {
  return {
    prefix,
    triage: (id) => `${prefix}triage:${id}`,
    active: () => `${prefix}active`,
    // Hashed: inbound keys are caller-controlled and may be long.
    dedupe: (key) => `${prefix}dedupe:${createHash('sha256').update(key).digest('hex')}`,
    lease: (id, marker) => `${prefix}lease:${id}:${marker}`,
    open: (identity) => `${prefix}open:${createHash('sha256').update(identity).digest('hex')}`,
    pendingCards: (destination) => `${prefix}cards:${createHash('sha256').update(destination).digest('hex')}`,
    outbox: (c) => `${prefix}conv:${c}:outbox`,
    convLease: (c) => `${prefix}conv:${c}:lease`,
    convs: () => `${prefix}convs`,
    incident: (k) => `${prefix}incident:${k}`,
    incidentLock: (k) => `${prefix}incident:${k}:lock`,
    audit: () => `${prefix}audit`,
    auditHead: () => `${prefix}audit:head`,
    budget: (d) => `${prefix}caracal:budget:${d}`,
    budgetHold: (d) => `${prefix}caracal:budget:${d}:hold`,
    budgetWatcher: (d) => `${prefix}caracal:budget:${d}:watcher`,
    watch: (d) => {
      const w = `${prefix}watch:${d}:`;
      return { lease: () => `${w}lease`, cursor: (z) => `${w}cursor:${z}`, sweep: (z) => `${w}sweep:${z}`, seen: (z) => `${w}seen:${z}`, pattern: (id) => `${w}pattern:${id}`, patterns: () => `${w}patterns` };
    },
    sinkDelivery: (id) => `${prefix}sink:${createHash('sha256').update(id).digest('hex')}`,
    approval: (k) => `${prefix}approval:${k}`,
    fix: (id) => `${prefix}fix:${id}`,
    fixOpen: (t) => `${prefix}fix-open:${t}`,
    actLease: (k) => `${prefix}act-lease:${k}`,
    recent: () => `${prefix}find:recent`,
    // Hashed: places and user IDs come from outside and may be long.
    place: (place) => `${prefix}find:place:${createHash('sha256').update(place).digest('hex')}`,
    actor: (id) => `${prefix}find:actor:${createHash('sha256').update(id).digest('hex')}`,
    bullPrefix: () => `${prefix}q`,
  };
}

/** A conversation (ChatPort.conversationOf) as a bounded key part: as is when short and plain, else hashed. */
export function conversationKey(conversation: string): string {
  return conversation.length <= 64 && /^[\w.-]+$/.test(conversation) ? conversation : createHash('sha256').update(conversation).digest('hex').slice(0, 32);
}
