/**
 * The one command flow (src/commands/flow.ts) as a unit, over a TriageService that records what
 * it is asked and answers what each test tells it to: parse → authorize → start → outcome for
 * typed commands, verify → the click's card → authorize → apply → outcome for buttons. What
 * every platform then shows is the adapters' tests'; here, what the flow decides, in which
 * order it asks, what it never asks, and the metrics every platform reports alike.
 */
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import { Writable } from 'node:stream';
import { createCommandFlow, type CommandFlowOptions } from '../../src/commands/flow';
import type { ActionRequest, CommandRequest } from '../../src/ingress/flow';
import { signButton, type ButtonClaim } from '../../src/commands/button-token';
import { helpText } from '../../src/commands/grammar';
import type { Destination, MessageRef } from '../../src/chat/port';
import { ingressMetrics, type IngressMetrics } from '../../src/ingress/metrics';
import type { ReadinessReport } from '../../src/ingress/readiness';
import { createRedactor } from '../../src/redact/redact';
import type { ApplyResult, StartTriageRequest, StartTriageResult, TriageService, UserEvent } from '../../src/ingress/service-api';
import { triageRecord } from '../support/triage-records';

const KEY = 'k'.repeat(40);
const REQUEST_ID = '0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b';
const PASTED_SECRET = 'cat_pasted-admin-token-0123456789';
const DESTINATION: Destination = { platform: 'slack', channel: 'C0INC001' };
const CARD: MessageRef = { platform: 'slack', channel: 'C0INC001', ts: '1700000000.000100' };
const ACTOR = { kind: 'user' as const, id: 'U0ONCALL', name: 'oncall' };
const TRIAGE_ID = 'tri-01jdxyz0123456789abcdefghj';

/** A TriageService that records every call and answers what the test set. */
function fakeService() {
  const calls: string[] = [];
  const starts: StartTriageRequest[] = [];
  const applied: Array<{ triageId: string; event: UserEvent; source: string }> = [];
  const service = {
    startAnswer: (): Promise<StartTriageResult> => Promise.resolve({ triageId: TRIAGE_ID, created: true }),
    cardAnswer: (): Promise<MessageRef | null> => Promise.resolve(CARD),
    applyAnswer: (): Promise<ApplyResult> => Promise.resolve({ ok: true, record: triageRecord({ version: 4 }) }),
  };
  const api: TriageService = {
    start(req) {
      calls.push('start');
      starts.push(req);
      return service.startAnswer();
    },
    apply(triageId, event, source) {
      calls.push('apply');
      applied.push({ triageId, event, source });
      return service.applyAnswer();
    },
    async get() {
      calls.push('get');
      return null;
    },
    messageRef() {
      calls.push('messageRef');
      return service.cardAnswer();
    },
    // Listing, finding and exporting are the find tests' (test/commands/find-flow.test.ts); here they only record.
    async list() {
      calls.push('list');
      return { triages: [], more: false };
    },
    async find() {
      calls.push('find');
      return null;
    },
    async auditTrail() {
      calls.push('auditTrail');
      return { entries: [], chain: null };
    },
    async close() {},
  };
  return Object.assign(service, { api, calls, starts, applied });
}

/** Log lines as objects. */
function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

let service: ReturnType<typeof fakeService>;
let metrics: IngressMetrics;
let log: ReturnType<typeof capturingLogger>;
let order: string[];

function flow(over: Partial<CommandFlowOptions> = {}) {
  return createCommandFlow({
    service: service.api,
    signingKey: KEY,
    metrics,
    logger: log.logger,
    redactor: createRedactor([PASTED_SECRET]),
    readiness: async (): Promise<ReadinessReport> => ({ ready: true, checks: [{ name: 'redis', ok: true }] }),
    ...over,
  });
}

function command(text: string, over: Partial<CommandRequest> = {}): CommandRequest {
  return {
    platform: 'slack',
    text,
    prefix: '/caracal',
    actor: ACTOR,
    destination: DESTINATION,
    dedupeKey: 'T0TEST01:C0INC001:trigger-1',
    source: 'slack_command',
    authorize: () => {
      order.push('authorize');
      return { ok: true };
    },
    ...over,
  };
}

const claim = (over: Partial<ButtonClaim> = {}): ButtonClaim => ({ triageId: TRIAGE_ID, action: 'next', version: 3, expiresAt: Math.floor(Date.now() / 1000) + 3600, ...over });

function click(value: unknown, over: Partial<ActionRequest> = {}): ActionRequest {
  return {
    platform: 'teams',
    value,
    actor: ACTOR,
    source: 'teams_action',
    authorize: () => {
      order.push('authorize');
      return { ok: true };
    },
    fromCard: (card) => {
      order.push('fromCard');
      return JSON.stringify(card) === JSON.stringify(CARD);
    },
    ...over,
  };
}

async function counted(metric: 'commands' | 'clicks'): Promise<Array<Record<string, string | number>>> {
  return (await metrics[metric].get()).values.filter((v) => v.value > 0).map((v) => ({ ...v.labels, n: v.value }) as Record<string, string | number>);
}

beforeEach(() => {
  service = fakeService();
  metrics = ingressMetrics(new Registry());
  log = capturingLogger();
  order = [];
});

describe('a typed command', () => {
  it('help and an empty command answer with the help in the platform\'s spelling, asking nothing', async () => {
    for (const text of ['help', '', '  ']) {
      expect(await flow().command(command(text, { prefix: '@Caracal' }))).toEqual({ kind: 'help', text: helpText({ prefix: '@Caracal' }) });
    }
    expect(service.calls).toEqual([]);
    expect(order).toEqual([]);
    expect(await counted('commands')).toEqual([{ platform: 'slack', command: 'help', outcome: 'help', n: 3 }]);
  });

  it('text it cannot read is one explanation, before any authorization or start', async () => {
    const out = await flow().command(command('triage not an id at all'));
    expect(out.kind).toBe('invalid');
    expect(out.kind === 'invalid' && out.message).toContain('/caracal');
    expect(order).toEqual([]);
    expect(service.calls).toEqual([]);
    expect(await counted('commands')).toEqual([{ platform: 'slack', command: 'invalid', outcome: 'invalid', n: 1 }]);
  });

  it('status answers with the readiness, or with none when it does not come within a second', async () => {
    const report: ReadinessReport = { ready: false, checks: [{ name: 'redis', ok: false, detail: 'down' }] };
    expect(await flow({ readiness: async () => report }).command(command('status'))).toEqual({ kind: 'status', readiness: report });
    expect(await flow({ readiness: () => Promise.reject(new Error('boom')) }).command(command('status'))).toEqual({ kind: 'status', readiness: null });
    const started = Date.now();
    expect(await flow({ readiness: () => new Promise(() => undefined) }).command(command('status'))).toEqual({ kind: 'status', readiness: null });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(service.calls).toEqual([]);
  });

  it('a person the platform does not allow starts nothing, and hears why', async () => {
    const out = await flow().command(command(`triage ${REQUEST_ID}`, { authorize: () => ({ ok: false, message: 'Only #inc-* channels may start a triage.' }) }));
    expect(out).toEqual({ kind: 'unauthorized', message: 'Only #inc-* channels may start a triage.' });
    expect(service.calls).toEqual([]);
    expect(await counted('commands')).toEqual([{ platform: 'slack', command: 'triage', outcome: 'unauthorized', n: 1 }]);
  });

  it('triage <id> is authorized, then started once with where, who and the delivery key', async () => {
    const out = await flow().command(command(`triage ${REQUEST_ID} zone-prod`));
    expect(order).toEqual(['authorize']);
    expect(service.starts).toEqual([
      { input: { requestId: REQUEST_ID, zoneId: 'zone-prod', symptom: null, error: null }, destination: DESTINATION, actor: ACTOR, dedupeKey: 'T0TEST01:C0INC001:trigger-1', source: 'slack_command' },
    ]);
    expect(out).toEqual({ kind: 'started', command: { kind: 'triage', input: service.starts[0]!.input }, triageId: TRIAGE_ID, created: true });
    expect(await counted('commands')).toEqual([{ platform: 'slack', command: 'triage', outcome: 'started', n: 1 }]);
  });

  it('bundle [zone] starts a readiness-first triage that posts its bundle', async () => {
    const out = await flow().command(command('bundle zone-prod'));
    expect(service.starts[0]).toMatchObject({ input: { requestId: null, zoneId: 'zone-prod', symptom: null, error: null }, postBundle: true });
    expect(out).toMatchObject({ kind: 'started', command: { kind: 'bundle', zoneId: 'zone-prod' } });
  });

  it('a pasted error body is stored without the secrets pasted along with it', async () => {
    await flow().command(command(`triage --error {"error":"access_denied","error_description":"token ${PASTED_SECRET} refused"}`));
    const stored = service.starts[0]!.input.error!;
    expect(stored).toContain('access_denied');
    expect(stored).not.toContain(PASTED_SECRET);
  });

  it('a redelivery starts nothing new and says so in the metrics', async () => {
    service.startAnswer = async () => ({ triageId: TRIAGE_ID, created: false });
    expect(await flow().command(command(`triage ${REQUEST_ID}`))).toMatchObject({ kind: 'started', triageId: TRIAGE_ID, created: false });
    expect(await counted('commands')).toEqual([{ platform: 'slack', command: 'triage', outcome: 'duplicate', n: 1 }]);
  });

  it('the same command while its triage is open answers with that triage\'s card and link', async () => {
    service.startAnswer = async () => ({ triageId: TRIAGE_ID, created: false, open: { card: CARD, link: 'https://test.slack.com/archives/C0INC001/p1700000000000100' } });
    expect(await flow().command(command(`triage ${REQUEST_ID}`))).toMatchObject({ kind: 'open', triageId: TRIAGE_ID, card: CARD, link: 'https://test.slack.com/archives/C0INC001/p1700000000000100' });
    expect(await counted('commands')).toEqual([{ platform: 'slack', command: 'triage', outcome: 'open', n: 1 }]);
  });

  it('a start slower than the budget is answered "slow" in time; its later failure is logged, not thrown', async () => {
    let fail!: (e: Error) => void;
    service.startAnswer = () => new Promise((_, reject) => (fail = reject));
    const started = Date.now();
    expect(await flow({ startTimeoutMs: 50 }).command(command(`triage ${REQUEST_ID}`))).toMatchObject({ kind: 'slow', command: { kind: 'triage' } });
    expect(Date.now() - started).toBeLessThan(2000);
    fail(new Error('Redis went away'));
    await new Promise((r) => setImmediate(r));
    expect(log.lines.filter((l) => l.msg === 'triage start failed after the answer')).toHaveLength(1);
    expect(await counted('commands')).toEqual([{ platform: 'slack', command: 'triage', outcome: 'timeout', n: 1 }]);
  });

  it('a queue that cannot be reached is "unavailable": nothing started, the failure logged', async () => {
    service.startAnswer = () => Promise.reject(new Error('Connection is closed.'));
    expect(await flow().command(command(`triage ${REQUEST_ID}`))).toMatchObject({ kind: 'unavailable', command: { kind: 'triage' } });
    expect(log.lines.map((l) => l.msg)).toContain('could not start a triage');
    expect(await counted('commands')).toEqual([{ platform: 'slack', command: 'triage', outcome: 'error', n: 1 }]);
  });
});

describe('a button click', () => {
  it('a value that is not ours, altered or expired is refused before anything is looked up', async () => {
    const expired = signButton(claim({ expiresAt: Math.floor(Date.now() / 1000) - 10 }), KEY);
    const tampered = signButton(claim(), 'another-installation-key-0123456789');
    const outcomes = [];
    for (const value of [42, 'not a button', tampered, expired]) outcomes.push(await flow().action(click(value)));
    expect(outcomes.map((o) => o.kind === 'refused' && o.reason)).toEqual(['malformed', 'malformed', 'bad_signature', 'expired']);
    for (const o of outcomes) expect(o.kind === 'refused' && o.message).toContain('nothing was changed');
    expect(service.calls).toEqual([]);
    expect(order).toEqual([]);
  });

  it('a signed value from another message (copied, replayed elsewhere) applies to nothing', async () => {
    const value = signButton(claim(), KEY);
    const out = await flow().action(click(value, { fromCard: () => (order.push('fromCard'), false) }));
    expect(out).toMatchObject({ kind: 'refused', reason: 'wrong_card', triageId: TRIAGE_ID });
    service.cardAnswer = async () => null;
    expect(await flow().action(click(value))).toMatchObject({ kind: 'refused', reason: 'wrong_card' });
    expect(service.calls).toEqual(['messageRef', 'messageRef']);
    expect(order).toEqual(['fromCard']);
  });

  it('the card is checked before the person: a click on the right card by someone not allowed applies nothing', async () => {
    const out = await flow().action(click(signButton(claim(), KEY), { authorize: () => (order.push('authorize'), { ok: false, message: 'Not in the on-call group.' }) }));
    expect(out).toEqual({ kind: 'refused', reason: 'unauthorized', message: 'Not in the on-call group.', triageId: TRIAGE_ID });
    expect(order).toEqual(['fromCard', 'authorize']);
    expect(service.calls).toEqual(['messageRef']);
  });

  it('an allowed click on its card is applied as the claim\'s event, at the version the card showed', async () => {
    const out = await flow().action(click(signButton(claim({ action: 'skip', step: 'grant_policy', version: 7 }), KEY)));
    expect(order).toEqual(['fromCard', 'authorize']);
    expect(service.applied).toEqual([{ triageId: TRIAGE_ID, event: { type: 'skip', actor: ACTOR, step: 'grant_policy', expectedVersion: 7 }, source: 'teams_action' }]);
    expect(out).toMatchObject({ kind: 'applied', triageId: TRIAGE_ID, record: { version: 4 } });
    expect(await counted('clicks')).toEqual([{ platform: 'teams', outcome: 'applied', n: 1 }]);
  });

  it('a signed claim that names no event (a symptom button without its symptom) is malformed', async () => {
    expect(await flow().action(click(signButton(claim({ action: 'symptom' }), KEY)))).toMatchObject({ kind: 'refused', reason: 'malformed' });
    expect(service.applied).toEqual([]);
  });

  it('what the machine refuses comes back with the message a person should read', async () => {
    const value = signButton(claim(), KEY);
    service.applyAnswer = async () => ({ ok: false, reason: 'conflict', message: 'internal wording' });
    expect(await flow().action(click(value))).toMatchObject({ kind: 'refused', reason: 'conflict', message: expect.stringContaining('Someone else changed this triage') });
    service.applyAnswer = async () => ({ ok: false, reason: 'not_found', message: 'internal wording' });
    expect(await flow().action(click(value))).toMatchObject({ kind: 'refused', reason: 'not_found', message: expect.stringContaining('no longer exists') });
    service.applyAnswer = async () => ({ ok: false, reason: 'stale', message: 'The card was out of date; it shows the current state now.' });
    expect(await flow().action(click(value))).toMatchObject({ kind: 'refused', reason: 'stale', message: 'The card was out of date; it shows the current state now.' });
    expect((await counted('clicks')).map((c) => c.outcome).sort()).toEqual(['conflict', 'not_found', 'stale']);
  });

  it('a queue that cannot be reached refuses the click, whether reading the card or applying', async () => {
    const value = signButton(claim(), KEY);
    service.cardAnswer = () => Promise.reject(new Error('Connection is closed.'));
    expect(await flow().action(click(value))).toMatchObject({ kind: 'refused', reason: 'error', triageId: TRIAGE_ID });
    expect(service.applied).toEqual([]);
    service.cardAnswer = async () => CARD;
    service.applyAnswer = () => Promise.reject(new Error('Connection is closed.'));
    expect(await flow().action(click(value))).toMatchObject({ kind: 'refused', reason: 'error', message: expect.stringContaining('nothing was changed') });
    expect(await counted('clicks')).toEqual([{ platform: 'teams', outcome: 'error', n: 2 }]);
  });
});

it('a start the platform decided on (an incident channel, a webhook) goes straight to the service', async () => {
  const req: StartTriageRequest = { input: { requestId: null, zoneId: null, symptom: null, error: null }, destination: DESTINATION, actor: { kind: 'system', id: 'incident-channel' }, dedupeKey: 'evt-1', source: 'incident_channel', postBundle: true };
  expect(await flow().start(req)).toEqual({ triageId: TRIAGE_ID, created: true });
  expect(service.starts).toEqual([req]);
});
