/**
 * What the posting jobs keep besides the record: each thread's posted replies and the post in
 * flight (post-intent.ts), the card's link, the bundle's reply, and per conversation the
 * outbox the posting pump serves (triages with replies to post, oldest triage first) and the
 * lease that keeps one pump per conversation. These fields live in the triage's hash beside
 * the store's (src/store/triage-store.ts); only this room reads or writes them.
 */
import { isPlatformName, addressIdentity, parseAddress, type Destination, type MessageRef, type Platform } from '../chat/address';
import type { TriageRecord } from '../triage/record';
import { STEP_IDS, type StepId } from '../triage/model';
import { INTENT_FIELDS, parseBundleRef, parseIntent, type IntentLane, type PostIntent } from './post-intent';
import { parseRecord, type TriageStore, type TriageView } from '../store/triage-store';

/** Everything a card job (post, update) reads, in one round trip. */
export interface CardView extends TriageView {
  /** The bundle's reply and its link, once posted. */
  bundleRef: { ref: MessageRef; link: string | null } | null;
  /** The card was last drawn with the bundle link (escalated cards). */
  cardShowsBundle: boolean;
  /** The card post an earlier run started and may not have finished (exactly-once, post-intent.ts). */
  cardIntent: PostIntent | null;
}

const CARD_FIELDS = ['bundleref', 'cardbundle', INTENT_FIELDS.card] as const;

export interface ThreadView {
  record: TriageRecord;
  destination: Destination | null;
  /** The card, once posted. */
  ref: MessageRef | null;
  cardFailed: string | null;
  stepVersions: Partial<Record<StepId, number>>;
  /** Keys of what is in the thread already (`posted:<key>` fields). */
  posted: Set<string>;
  /** The reply an earlier run was posting, if it may not have finished. */
  intent: PostIntent | null;
  /** Why the conversation refuses this thread's replies for good (channel gone…), if so. */
  threadFailed: string | null;
  /** A folded reply was refused: this thread's steps go one per reply. */
  noFold: boolean;
}

export class PostStore {
  constructor(private readonly store: TriageStore) {}

  private get redis() {
    return this.store.redis;
  }
  private get keys() {
    return this.store.keys;
  }

  /** The triage's view with the card's posting fields; `step`'s version when given. */
  async cardView(id: string, step?: StepId): Promise<CardView | null> {
    const v = await this.store.view(id, step, CARD_FIELDS);
    if (!v) return null;
    const { extra, ...view } = v;
    return { ...view, bundleRef: parseBundleRef(extra.bundleref), cardShowsBundle: extra.cardbundle === '1', cardIntent: parseIntent(extra[INTENT_FIELDS.card]) };
  }

  /** The whole triage hash, read once: enough to plan its next reply. */
  async threadView(id: string): Promise<ThreadView | null> {
    const h = await this.redis.hgetall(this.keys.triage(id));
    const record = parseRecord(h.record ?? null);
    if (!record) return null;
    const stepVersions: Partial<Record<StepId, number>> = {};
    for (const s of STEP_IDS) if (h[`stepv:${s}`] !== undefined) stepVersions[s] = Number(h[`stepv:${s}`]);
    const posted = new Set<string>();
    for (const f of Object.keys(h)) if (f.startsWith('posted:')) posted.add(f.slice('posted:'.length));
    return {
      record,
      destination: parseAddress(h.dest),
      ref: parseAddress(h.ref),
      cardFailed: h.cardfail ?? null,
      stepVersions,
      posted,
      intent: parseIntent(h[INTENT_FIELDS.thread]),
      threadFailed: h.threadfail ?? null,
      noFold: h.nofold === '1',
    };
  }

  /** Written before the platform is called (only while the triage exists). */
  async writeIntent(id: string, lane: IntentLane, intent: PostIntent): Promise<void> {
    await this.redis.ctSetIfExists(this.keys.triage(id), INTENT_FIELDS[lane], JSON.stringify(intent));
  }

  /** The platform certainly did not store it (429, refusal): nothing to look for later. */
  async clearIntent(id: string, lane: IntentLane): Promise<void> {
    await this.redis.hdel(this.keys.triage(id), INTENT_FIELDS[lane]);
  }

  /** The reply is in the thread: its keys are marked posted and the intent cleared, at once. */
  async recordReply(id: string, lane: IntentLane, keys: string[], extra: Record<string, string> = {}): Promise<void> {
    const pairs: string[] = [];
    for (const k of keys) pairs.push(`posted:${k}`, '1');
    for (const [f, v] of Object.entries(extra)) pairs.push(f, v);
    await this.redis.ctRecordReply(this.keys.triage(id), INTENT_FIELDS[lane], ...pairs);
  }

  async setCardLink(id: string, link: string): Promise<void> {
    await this.setIfExists(id, 'cardlink', link.slice(0, 3000));
  }

  async markNoFold(id: string): Promise<void> {
    await this.setIfExists(id, 'nofold', '1');
  }

  async markCardShowsBundle(id: string): Promise<void> {
    await this.setIfExists(id, 'cardbundle', '1');
  }

  private async setIfExists(id: string, field: string, value: string): Promise<void> {
    await this.redis.ctSetIfExists(this.keys.triage(id), field, value);
  }

  /** The card is posted (or never will be): it no longer holds back its destination's thread replies. */
  async cardSettled(destination: Destination, triageId: string): Promise<void> {
    await this.redis.zrem(this.keys.pendingCards(addressIdentity(destination)), triageId);
  }

  /** Cards for this destination asked for since `sinceMs` and not posted yet. */
  async cardsPending(destination: Destination, sinceMs: number): Promise<number> {
    // Read on every reply the pump posts, so a plain count; entries an hour old are pruned
    // when cards are added (ctCreate), the only time the set grows.
    return this.redis.zcount(this.keys.pendingCards(addressIdentity(destination)), sinceMs, '+inf');
  }

  /** Puts a triage in a conversation's outbox (keeping its place if it is there already). */
  async enqueue(platform: Platform, conversation: string, triageId: string, score: number): Promise<void> {
    await this.redis.multi().zadd(this.keys.outbox(conversation), 'NX', score, triageId).sadd(this.keys.convs(), `${platform}:${conversation}`).exec();
  }

  /** The first `n` triages in line. */
  outbox(conversation: string, n: number): Promise<string[]> {
    return this.redis.zrange(this.keys.outbox(conversation), 0, n - 1);
  }

  outboxSize(conversation: string): Promise<number> {
    return this.redis.zcard(this.keys.outbox(conversation));
  }

  async dequeue(conversation: string, triageId: string): Promise<void> {
    await this.redis.zrem(this.keys.outbox(conversation), triageId);
  }

  /** One pump per conversation: true when `token` holds the lease (taken or renewed). */
  async takeConversation(conversation: string, token: string, ms: number): Promise<boolean> {
    return (await this.redis.ctLease(this.keys.convLease(conversation), token, ms)) === 1;
  }

  async releaseConversation(conversation: string, token: string): Promise<void> {
    await this.redis.ctReleasePost(this.keys.convLease(conversation), token);
  }

  /**
   * One card redraw of a triage at a time, across workers: a second run (a stalled job run
   * again, a redelivery) waits, so an older drawing can never land after a newer one. True
   * when `token` holds the lease.
   */
  async holdCardRedraw(id: string, token: string, ms: number): Promise<boolean> {
    return (await this.redis.ctLease(this.keys.lease(id, CARD_REDRAW), token, ms)) === 1;
  }

  async releaseCardRedraw(id: string, token: string): Promise<void> {
    await this.redis.ctReleasePost(this.keys.lease(id, CARD_REDRAW), token);
  }

  /** Conversations whose outbox is not empty (empty ones are forgotten on the way). */
  async busyConversations(): Promise<Array<{ platform: Platform; conversation: string }>> {
    const all = await this.redis.smembers(this.keys.convs());
    const busy: Array<{ platform: Platform; conversation: string }> = [];
    for (const member of all) {
      const at = member.indexOf(':');
      const platform: Platform = member.slice(0, at);
      const conversation = member.slice(at + 1);
      if (at > 0 && isPlatformName(platform) && (await this.outboxSize(conversation)) > 0) busy.push({ platform, conversation });
      else await this.redis.srem(this.keys.convs(), member);
    }
    return busy;
  }
}

/** The lease's marker name (beside the post markers' leases of the same triage). */
const CARD_REDRAW = 'card-redraw';

export function createPostStore(store: TriageStore): PostStore {
  return new PostStore(store);
}
