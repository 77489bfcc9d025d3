/**
 * Redis fails over under load: REDIS_URL names a Sentinel group (a master, a replica and three
 * Sentinels on loopback), and the master is killed in the middle of 20 triages. Every triage
 * completes with one card, each step posted once and its bundle; a command refused during the
 * switch tells the person to try again (and does start once they do); the worker logs the
 * failover once.
 */
import pino from 'pino';
import { Registry } from 'prom-client';
import { outcomeText } from '../../adapters/slack/render/outcome';
import { createCommandFlow } from '../../src/commands/flow';
import type { CommandOutcome } from '../../src/ingress/flow';
import { ingressMetrics } from '../../src/ingress/metrics';
import { createRedactor } from '../../src/redact/redact';
import { STEP_IDS } from '../../src/triage/model';
import { createCaracalClient, type CaracalClientHandle } from '../../src/caracal/client';
import { createTriageSession } from '../../src/triage/session';
import type { RedisTriageService } from '../../src/service/triage-service';
import type { WorkerHalf } from '../../src/app/worker';
import { startSimulator, type Simulator } from '../../sim';
import { createMemoryPort } from '../support/memory-port';
import { openService, startWorkerSet } from '../support/halves';
import { startSentinelGroup, type SentinelGroup } from '../support/redis-sentinel';
import { configForSim, deleteByPrefix, SIGNING_KEY, uniquePrefix, waitFor } from './harness';

interface LogRecord {
  level: number;
  msg: string;
  err?: { message?: string };
}

function captured(): { logger: pino.Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void records.push(JSON.parse(line) as LogRecord) });
  return { logger, records };
}

let group: SentinelGroup;
let sim: Simulator;
let client: CaracalClientHandle;
let service: RedisTriageService | null = null;
let worker: WorkerHalf | null = null;
const prefix = uniquePrefix('failover');
beforeAll(async () => {
  [group, sim] = await Promise.all([startSentinelGroup({ replicas: 1 }), startSimulator({ scenario: 'grant_missing', latencyMs: { '*': 40 } })]);
  client = createCaracalClient(configForSim(sim));
}, 60_000); // a bound against a hang: a master, a replica and three Sentinels take seconds to agree on a loaded machine
afterAll(async () => {
  await worker?.close(5000);
  await service?.close();
  await client.close();
  await sim.close();
  await group.destroy();
});

test('the master dies in the middle of 20 triages: all complete once, a refused command says try again, one failover line', async () => {
  const port = createMemoryPort();
  const workerLog = captured();
  const webLog = captured();
  service = await openService({ redisUrl: group.url, role: 'web', signingKey: SIGNING_KEY, prefix, logger: webLog.logger, cardDebounceMs: 50 });
  worker = startWorkerSet({
    redisUrl: group.url,
    signingKey: SIGNING_KEY,
    prefix,
    ports: { slack: port },
    client,
    createSession: createTriageSession,
    logger: workerLog.logger,
    registry: new Registry(),
    cardDebounceMs: 50,
    noCardDelayMs: 50,
    limits: { slack: { post: { points: 50, durationSec: 1 }, update: { points: 50, durationSec: 1 } } },
    lockDurationMs: 3000,
    stalledIntervalMs: 1000,
    retry: { baseMs: 200, capMs: 1000 },
    sweepEveryMs: 1000,
    reconcileGraceMs: 5000,
  });
  const flow = createCommandFlow({ service, signingKey: SIGNING_KEY, metrics: ingressMetrics(new Registry()), logger: webLog.logger, redactor: createRedactor([]), readiness: async () => ({ ready: true, checks: [] }) });
  const requestId = sim.scenario.input.requestId!;
  const command = (i: number): Promise<CommandOutcome> =>
    flow.command({
      platform: 'slack',
      text: `triage ${requestId}`,
      prefix: '/caracal',
      actor: { kind: 'user', id: 'U1', name: 'oncall' },
      destination: { platform: 'slack', channel: `C-FAILOVER-${i}` },
      dedupeKey: `failover-${i}`,
      source: 'slack_command',
      authorize: () => ({ ok: true }),
    });
  const ids: string[] = [];
  const started = (o: CommandOutcome): string | null => (o.kind === 'started' && o.created ? o.triageId : null);

  for (let i = 0; i < 10; i++) ids.push(started(await command(i))!);
  expect(ids.every(Boolean)).toBe(true);
  await waitFor('triages under way', async () => port.delivered().filter((c) => c.method === 'postStep').length >= 10, 20_000, 20);

  const oldMaster = await group.currentMaster();
  await group.killMaster();
  await new Promise((r) => setTimeout(r, 100));
  // The rest as people would send them: a refused command is sent again a moment later.
  // Patience by the clock, not by attempts: a failover takes about 2 s, and up to three more
  // for each round of split votes among the Sentinels (test/support/redis-sentinel.ts).
  const killedAt = Date.now();
  const refusals: string[] = [];
  for (let i = 10; i < 20; i++) {
    for (;;) {
      const outcome = await command(i);
      const id = started(outcome);
      if (id) {
        ids.push(id);
        break;
      }
      refusals.push(outcomeText(outcome, { botUserId: null, access: 'anyone', incidentChannelPattern: /^inc-/ }));
      if (Date.now() - killedAt > 40_000) {
        const why = webLog.records.filter((r) => r.level >= 50).at(-1);
        const master = await group.currentMaster().catch((e: Error) => `unknown (${e.message})`);
        throw new Error(
          `command ${i} still refused 40 s after the master (${oldMaster}) died, the Sentinels now naming ${master}: ${refusals.at(-1)} (last error: ${why?.err?.message ?? 'none logged'})`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  expect(await group.waitForNewMaster(oldMaster)).not.toBe(oldMaster);
  expect(refusals.length).toBeGreaterThan(0);
  expect(refusals[0]).toMatch(/cannot reach its queue right now\. Nothing was started; try again/);

  for (const id of ids) {
    await waitFor(`triage ${id} to finish`, async () => {
      const view = await service!.store.view(id).catch(() => null);
      if (!view || view.record.state !== 'routed' || view.record.pending.length > 0) return false;
      return port.delivered(id).some((c) => c.method === 'postBundle');
    }, 45_000, 100);
  }
  await new Promise((r) => setTimeout(r, 500));
  for (const id of ids) {
    const calls = port.delivered(id);
    expect(calls.filter((c) => c.method === 'postCard')).toHaveLength(1);
    const steps = calls.filter((c) => c.method === 'postStep').map((c) => c.step!);
    expect([...steps].sort()).toEqual([...STEP_IDS].sort());
    expect(calls.filter((c) => c.method === 'postBundle')).toHaveLength(1);
    expect((await service.get(id))?.diagnosis?.cause).toBe('scope_not_granted');
  }
  expect(new Set(ids).size).toBe(20);
  const failovers = workerLog.records.filter((r) => /failed over/.test(r.msg));
  expect(failovers).toHaveLength(1);
  expect(failovers[0].msg).toMatch(new RegExp(`^Redis failed over: the master is now 127\\.0\\.0\\.1:\\d+ \\(was 127\\.0\\.0\\.1:${oldMaster}\\)`));
  expect(webLog.records.filter((r) => /failed over/.test(r.msg)).length).toBeLessThanOrEqual(1);
  await deleteByPrefix(service.store.redis, prefix);
}, 120_000);
