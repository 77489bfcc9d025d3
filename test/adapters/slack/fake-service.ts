/**
 * A small in-memory TriageService for handler tests: dedupes start keys, applies button
 * events with the real state machine (so stale versions are refused exactly as in
 * production) and records every call.
 */
import type { MessageRef } from '../../../src/chat/port';
import { newTriage, transition } from '../../../src/triage/machine';
import { type TriageRecord } from '../../../src/triage/record';
import type { ApplyResult, AuditTrail, FoundTriage, StartTriageRequest, StartTriageResult, TriageListing, TriageQuery, TriageService, UserEvent } from '../../../src/ingress/service-api';

export class FakeTriageService implements TriageService {
  starts: StartTriageRequest[] = [];
  applies: Array<{ triageId: string; event: UserEvent; source: string }> = [];
  records = new Map<string, TriageRecord>();
  private keys = new Map<string, string>();
  private seq = 0;
  /** Make start() slow or failing. */
  startDelayMs = 0;
  failStart: Error | null = null;

  async start(req: StartTriageRequest): Promise<StartTriageResult> {
    this.starts.push(req);
    if (this.startDelayMs) await new Promise((r) => setTimeout(r, this.startDelayMs));
    if (this.failStart) throw this.failStart;
    const seen = this.keys.get(req.dedupeKey);
    if (seen) return { triageId: seen, created: false };
    const id = `tri-fake${String(++this.seq).padStart(4, '0')}`;
    this.keys.set(req.dedupeKey, id);
    this.records.set(id, newTriage(id, req.input, new Date()).record);
    return { triageId: id, created: true };
  }

  refs = new Map<string, MessageRef>();

  /**
   * Put a record in a given state (e.g. routed at version 3) for button tests, with its card
   * where the test clicks come from by default (C0INC001, ts 1700000000.000001).
   */
  seed(record: TriageRecord, card: MessageRef = { platform: 'slack', channel: 'C0INC001', ts: '1700000000.000001' }): void {
    this.records.set(record.id, record);
    this.refs.set(record.id, card);
  }

  async apply(triageId: string, event: UserEvent, source: string): Promise<ApplyResult> {
    this.applies.push({ triageId, event, source });
    const r = this.records.get(triageId);
    if (!r) return { ok: false, reason: 'not_found', message: 'no such triage' };
    const t = transition(r, event, new Date());
    if (!t.ok) return t;
    this.records.set(triageId, t.record);
    return { ok: true, record: t.record };
  }

  async get(triageId: string): Promise<TriageRecord | null> {
    return this.records.get(triageId) ?? null;
  }

  async messageRef(triageId: string): Promise<MessageRef | null> {
    return this.refs.get(triageId) ?? null;
  }

  /** Every list query, in order. */
  queries: TriageQuery[] = [];

  /** The triages as `find` sees them: a seeded record's card is in C0INC001. */
  private found(id: string): FoundTriage | null {
    const record = this.records.get(id);
    if (!record) return null;
    const start = this.starts.find((s) => this.keys.get(s.dedupeKey) === id);
    // A seeded triage's card is where seed() put it (C0INC001 by default).
    const seededChannel = (this.refs.get(id) as { channel?: string } | undefined)?.channel ?? 'C0INC001';
    const destination = start?.destination ?? { platform: 'slack', channel: seededChannel };
    const channel = (destination as { channel?: string }).channel ?? 'C0INC001';
    return { record, destination, place: `slack:${channel}`, card: this.refs.get(id) ?? null, cardLink: null, startedBy: start?.actor ?? { kind: 'user', id: 'U0TEST01' }, source: start?.source ?? 'slack_command' };
  }

  async list(q: TriageQuery): Promise<TriageListing> {
    this.queries.push(q);
    const all = [...this.records.keys()].map((id) => this.found(id)!).filter((f) => !q.open || (f.record.state !== 'resolved' && f.record.state !== 'abandoned'));
    const channel = (q.in as { channel?: string } | undefined)?.channel;
    const triages = all.filter((f) => !channel || f.place === `slack:${channel}`).reverse();
    return { triages: triages.slice(0, q.limit ?? 20), more: triages.length > (q.limit ?? 20) };
  }

  placeOf(where: { platform: string }): string | null {
    const channel = (where as { channel?: string }).channel;
    return channel ? `slack:${channel}` : null;
  }

  async find(triageId: string): Promise<FoundTriage | null> {
    return this.found(triageId);
  }

  async auditTrail(): Promise<AuditTrail> {
    return { entries: [], chain: null };
  }

  async close(): Promise<void> {}
}
