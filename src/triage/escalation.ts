/**
 * Escalation targets as people write them (a routes-file entry's `escalate:`, TRIAGE_ESCALATE)
 * and the pure rules the state machine applies when *Escalate* is clicked:
 *
 *   escalate:
 *     slack: S0ONCALL                  # per chat platform: an ID its adapter can mention
 *     teams: { id: <object ID>, name: On-call }   # or just the ID
 *     pagerduty: true                  # a PagerDuty Events v2 trigger (PAGERDUTY_ROUTING_KEY)
 *
 * The platform keys are the registered platforms' names, and each platform's adapter says which
 * IDs it can mention (`MentionSyntax`, src/ingress/platform.ts), so nothing here names one.
 * TRIAGE_ESCALATE takes the same object as JSON, or compactly as `key=value` pairs separated by
 * commas: `slack=S0ONCALL,teams=<object ID>,pagerduty=true` (a bare `pagerduty` means true).
 */
import { z } from 'zod';
import type { Actor, ChatMention, Delivery, Escalation, EscalationTargets, Notice, TriageRecord } from './record';

/** How people write one of a platform's users or groups in `escalate` (its adapter's rule). */
export interface MentionSyntax {
  /** What it takes, for messages: `a Slack user group (S…) or user (U…, W…) ID`. */
  readonly what: string;
  readonly example: string;
  /** null when `id` is one; else what is wrong with it (a phrase after the quoted ID). */
  check(id: string): string | null;
}

/** What the escalation schema needs of a chat platform. */
export interface MentionPlatform {
  readonly name: string;
  readonly title: string;
  readonly mentions?: MentionSyntax;
}

export const PAGERDUTY_KEY = 'pagerduty';
const NAME_MAX = 64;

/** The keys an `escalate` object takes, for "unknown key (expected …)". */
export function escalateKeys(platforms: readonly MentionPlatform[]): string[] {
  return [...platforms.filter((p) => p.mentions).map((p) => p.name), PAGERDUTY_KEY];
}

const MentionValue = z.union(
  [
    z.string().trim().min(1, 'must not be empty'),
    z.strictObject({
      id: z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be text') }).trim().min(1, 'must not be empty'),
      // A name is shown inside a mention: letters, digits, spaces and a little punctuation only.
      name: z.string({ error: 'must be text' }).trim().min(1, 'must not be empty').max(NAME_MAX, `must be at most ${NAME_MAX} characters`).regex(/^[\p{L}\p{N} ._'()-]+$/u, 'may hold letters, digits, spaces and . _ \' ( ) - only').optional(),
    }),
  ],
  { error: 'must be an ID, or {id, name}' },
);

/** The `escalate` object: one optional key per platform that can mention, plus `pagerduty`; at least one. */
export function escalateSchema(platforms: readonly MentionPlatform[]) {
  const able = platforms.filter((p): p is MentionPlatform & { mentions: MentionSyntax } => !!p.mentions);
  const shape: Record<string, z.ZodType> = Object.fromEntries(able.map((p) => [p.name, MentionValue.optional()]));
  shape[PAGERDUTY_KEY] = z.boolean({ error: 'must be true or false' }).optional();
  return z
    .strictObject(shape, { error: (i) => (i.input === undefined ? 'is required' : `must be a map of ${escalateKeys(platforms).join(', ')}`) })
    .transform((raw, ctx): EscalationTargets => {
      const mentions: ChatMention[] = [];
      let bad = false;
      for (const p of able) {
        const v = raw[p.name] as string | { id: string; name?: string } | undefined;
        if (v === undefined) continue;
        const id = typeof v === 'string' ? v : v.id;
        const problem = p.mentions.check(id);
        if (problem) {
          ctx.addIssue({ code: 'custom', path: [p.name], message: `"${shown(id)}" ${problem}` });
          bad = true;
          continue;
        }
        const name = typeof v === 'string' ? undefined : v.name;
        mentions.push(name ? { platform: p.name, id, name } : { platform: p.name, id });
      }
      const pagerduty = raw[PAGERDUTY_KEY] === true;
      // An explicit `pagerduty: false` alone is a choice (this route pages no one); `{}` is a slip.
      if (!bad && ctx.issues.length === 0 && Object.keys(raw).length === 0) {
        ctx.addIssue({ code: 'custom', message: `names no one: give ${escalateKeys(platforms).join(', ')} (at least one)` });
      }
      return { mentions, pagerduty };
    });
}

export type TargetsParse = { ok: true; targets: EscalationTargets } | { ok: false; message: string };

/** TRIAGE_ESCALATE: a JSON object, or `key=value` pairs separated by commas. */
export function parseEscalateText(text: string, platforms: readonly MentionPlatform[]): TargetsParse {
  const value = text.trim();
  let raw: unknown;
  if (value.startsWith('{')) {
    try {
      raw = JSON.parse(value);
    } catch (e) {
      return { ok: false, message: `is not JSON (${e instanceof SyntaxError ? e.message : 'unreadable'}); write e.g. ${example(platforms)}` };
    }
  } else {
    const pairs: Record<string, unknown> = {};
    for (const part of value.split(',').map((s) => s.trim()).filter(Boolean)) {
      const eq = part.indexOf('=');
      const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
      const v = eq < 0 ? undefined : part.slice(eq + 1).trim();
      if (key === PAGERDUTY_KEY) pairs[key] = v === undefined || /^(true|yes|1|on)$/i.test(v) ? true : /^(false|no|0|off)$/i.test(v) ? false : v;
      else pairs[key] = v ?? '';
    }
    raw = pairs;
  }
  const r = escalateSchema(platforms).safeParse(raw);
  if (r.success) return { ok: true, targets: r.data };
  const issue = r.error.issues[0]!;
  const where = issue.code === 'unrecognized_keys' ? `${issue.keys.join(', ')}: unknown key (expected ${escalateKeys(platforms).join(', ')})` : `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`;
  return { ok: false, message: `${where}; write e.g. ${example(platforms)}` };
}

function example(platforms: readonly MentionPlatform[]): string {
  const first = platforms.find((p) => p.mentions);
  return first ? `${first.name}=${first.mentions!.example},pagerduty=true` : 'pagerduty=true';
}

function shown(s: string): string {
  const clean = s.replace(/[\x00-\x1f\x7f]/g, '?');
  return clean.length > 60 ? `${clean.slice(0, 59)}…` : clean;
}

/** One line naming the targets, for the audit log and logs: `slack S0ONCALL, teams …, PagerDuty`. */
export function describeTargets(t: Pick<EscalationTargets, 'mentions' | 'pagerduty'>): string {
  const parts = t.mentions.map((m) => `${m.platform} ${m.id}`);
  if (t.pagerduty) parts.push('PagerDuty');
  return parts.length ? parts.join(', ') : 'no one configured';
}

/** The PagerDuty dedup key of a triage: one alert per triage, whatever the escalation. */
export const pagerDutyDedupKey = (triageId: string): string => `caracal-triage/${triageId}`;

export const noticeKey = {
  escalation: (n: number) => `escalate.${n}`,
  reminder: (version: number) => `remind.v${version}`,
};

/**
 * The escalation a click makes: the route's targets (stored on the triage when its incident was
 * routed), else the defaults the click carries (TRIAGE_ESCALATE), else no one; and the notice
 * that mentions them in the thread.
 */
export function newEscalation(record: TriageRecord, actor: Actor, defaults: EscalationTargets | null | undefined, at: string): { escalation: Escalation; notice: Notice } {
  const targets = record.escalateTo ?? defaults ?? null;
  const from: Escalation['from'] = record.escalateTo ? 'route' : defaults ? 'default' : 'none';
  const n = (record.escalations?.length ?? 0) + 1;
  const escalation: Escalation = { n, at, actor, from, mentions: targets?.mentions ?? [], pagerduty: targets?.pagerduty ? { status: 'pending' } : null };
  return { escalation, notice: { key: noticeKey.escalation(n), kind: 'escalation', at, escalation: n } };
}

/** Whether the worker has something to call for this escalation: PagerDuty, or a note on the PagerDuty incident. */
export function needsWorker(record: TriageRecord, e: Escalation): boolean {
  return e.pagerduty !== null || (record.incident?.source === 'pagerduty' && !!record.incident.sourceId);
}

/**
 * The triage asked PagerDuty for an alert: resolving it resolves that alert too. Any ask counts,
 * whatever was recorded of it: a trigger that went out just before its worker died may be
 * recorded as skipped, and a resolve for a dedup key with no open alert changes nothing.
 */
export function pagedPagerDuty(record: TriageRecord): boolean {
  return (record.escalations ?? []).some((e) => e.pagerduty !== null);
}

/** The escalation list with one delivery of escalation `n` replaced (null when there is no such escalation). */
export function withDelivery(record: TriageRecord, n: number, channel: 'pagerduty' | 'note', delivery: Delivery): Escalation[] | null {
  const list = record.escalations ?? [];
  if (!list.some((e) => e.n === n)) return null;
  return list.map((e) => (e.n === n ? { ...e, [channel]: delivery } : e));
}

/** States in which a triage waits on a person (a reminder makes sense). */
export const WAITING_STATES: readonly TriageRecord['state'][] = ['routed', 'walking', 'escalated'];
