/**
 * Acting from chat with two Caracal deployments: two simulators of the same scenario
 * (role_scope_mismatch: both hold the same request, v2 active and denying, v3 allowing) as
 * `staging` and `production`, each with its own read, fix and approve token files in a
 * CARACAL_DEPLOYMENTS_FILE, and a Slack channel bound to each. The worker is composed from that
 * configuration (its act queue included), the web side is the act desk and the sink ingress on
 * a real HTTP server. A fix proposed and applied on a staging triage plans, simulates and
 * activates only in staging's Caracal, with staging's fix token; an approval delivered by
 * staging's sink (`/hooks/caracal/staging`) is shown as staging's and decided in staging with
 * staging's approve token. Production's Caracal is never asked to act.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { Registry } from 'prom-client';
import { approvalKeyOf } from '../../src/act/approvals';
import { createActDesk, type ActDesk } from '../../src/act/desk';
import { createSinkIngress } from '../../src/act/sink/ingress';
import { signAct, type ActKind } from '../../src/act/token';
import { loadWorkerConfig, type WorkerConfig } from '../../src/app/config';
import { webDeployments } from '../../src/app/deployments';
import { platformsInUse } from '../../src/app/platforms';
import type { WorkerHalf } from '../../src/app/worker';
import type { ActMessage, MessageRef } from '../../src/chat/port';
import { createCommandFlow } from '../../src/commands/flow';
import { orThrow } from '../../src/config/problems';
import { parseIncidentsConfig } from '../../src/incidents/config';
import { ingressMetrics } from '../../src/ingress/metrics';
import { createRedactor } from '../../src/redact/redact';
import { createWebServer, type WebServer } from '../../src/server/web-server';
import type { RedisTriageService } from '../../src/service/triage-service';
import { registerSink, startSimulator, ZONE_B, type RegisteredSink, type Simulator } from '../../sim';
import { SIGNING_KEY, deleteByPrefix, silent, uniquePrefix, waitFor } from '../queue/harness';
import { openService, startConfiguredWorker } from '../support/halves';
import { createMemoryPort } from '../support/memory-port';
import { writeDeploymentsFile } from '../support/deployments-file';
import { keys } from '../../src/store/keys';
import { redisCallBudget } from '../../src/store/caracal-budget';

const STAGING_CHANNEL = 'C0STAGE001';
const PRODUCTION_CHANNEL = 'C0PROD0001';
const APPROVALS_CHANNEL = 'C0APPROVE1';
const SINK_SECRET = 'nsk_sink_secret_of_the_deployments_test_0001';

let staging: Simulator;
let production: Simulator;
let dir: string;
let config: WorkerConfig;
let worker: WorkerHalf;
let service: RedisTriageService;
let desk: ActDesk;
let web: WebServer;
let base: string;
let sink: RegisteredSink;
const prefix = uniquePrefix('act-deployments');
let budgetRedis: IORedis;
/** The act messages the worker posted and redrew, in order. */
const actMessages: Array<{ ts: string; message: ActMessage }> = [];

function deploymentsFile(): string {
  const entry = (name: string, sim: Simulator, channel: string) => ({ name, sim, act: true, channels: [`slack:${channel}`] });
  // Production first: what the act did before (the first deployment for everything) would act there.
  return writeDeploymentsFile(dir, [entry('production', production, PRODUCTION_CHANNEL), entry('staging', staging, STAGING_CHANNEL)]);
}

beforeAll(async () => {
  [staging, production] = await Promise.all([startSimulator({ scenario: 'role_scope_mismatch' }), startSimulator({ scenario: 'role_scope_mismatch' })]);
  dir = mkdtempSync(join(tmpdir(), 'caracal-act-deployments-'));
  config = loadWorkerConfig({
    CARACAL_DEPLOYMENTS_FILE: deploymentsFile(),
    CARACAL_TIMEOUT_MS: '3000',
    REDIS_URL: process.env.REDIS_URL!,
    TRIAGE_SIGNING_KEY: SIGNING_KEY,
    TRIAGE_APPROVERS: 'U0APPROVER',
    TRIAGE_FIXERS: 'U0FIXER1,U0FIXER2',
    TRIAGE_FIX_CONFIRM_TIMEOUT: '5s',
  });
  let n = 0;
  const port = Object.assign(createMemoryPort(), {
    postActMessage: async (where: { platform: string }, message: ActMessage): Promise<MessageRef> => {
      const ts = `act-${++n}`;
      actMessages.push({ ts, message });
      return { ...where, ts } as MessageRef;
    },
    updateActMessage: async (ref: MessageRef, message: ActMessage): Promise<void> => {
      actMessages.push({ ts: String((ref as { ts?: string }).ts), message });
    },
  });
  const redactor = createRedactor(config.secrets);
  budgetRedis = new IORedis(process.env.REDIS_URL!);
  worker = startConfiguredWorker(config, {
    // Each deployment's budget in Redis, as the worker process has it (src/app/processes.ts).
    budgetFor: (d) => redisCallBudget(budgetRedis, prefix, { deployment: d.name, perMinute: 500 }),
    ports: { slack: port },
    logger: silent,
    prefix,
    sweepEveryMs: 0,
    cardDebounceMs: 20,
    limits: { slack: { post: { points: 50, durationSec: 1 }, update: { points: 50, durationSec: 1 } } },
    act: { config: config.acts, caracal: config.caracal, redactor, signingKey: SIGNING_KEY, pollMs: 100 },
  });
  service = await openService({ redisUrl: process.env.REDIS_URL!, signingKey: SIGNING_KEY, prefix, logger: silent, cardDebounceMs: 20 });
  const metrics = ingressMetrics(new Registry());
  desk = createActDesk({ service, config: config.acts, signingKey: SIGNING_KEY, redactor, metrics, logger: silent });
  // The web process's side (it alone reads CARACAL_SINK_SECRET and serves the sink).
  const routing = orThrow(parseIncidentsConfig({ TRIAGE_DEFAULT_CHANNEL: `slack:${APPROVALS_CHANNEL}` }, platformsInUse(['slack'])))!.routing;
  const names = webDeployments(config.deployments).names;
  web = createWebServer({
    ingresses: [createSinkIngress({ secrets: [SINK_SECRET], deployments: names, routing, platforms: platformsInUse(['slack']), destination: (a) => ({ ...a }), desk, metrics, logger: silent })],
    logger: silent,
  });
  base = `http://127.0.0.1:${await web.listen(0, '127.0.0.1')}`;
  sink = registerSink(staging.acts, `${base}/hooks/caracal/staging`, SINK_SECRET);
}, 30_000);

afterAll(async () => {
  sink?.stop();
  await web?.close();
  await service?.close();
  await worker?.close();
  budgetRedis?.disconnect();
  const r = new IORedis(process.env.REDIS_URL!);
  await deleteByPrefix(r, prefix);
  await r.quit();
  await Promise.all([staging?.close(), production?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const click = (kind: ActKind, subject: string, by: string) =>
  desk.click({
    platform: 'slack',
    platformTitle: 'Slack',
    value: signAct({ kind, subject, expiresAt: Math.floor(Date.now() / 1000) + 600 }, SIGNING_KEY),
    actor: { kind: 'user', id: by },
    isListed: (ids) => ids.includes(by),
    authorize: () => ({ ok: true }),
    fromMessage: () => true,
    source: 'slack_button',
  });

/** What a simulator was asked to change (simulate, activate, approve, reject) and with which bearer. */
const writes = (sim: Simulator) => sim.requests.filter((r) => r.method === 'POST' && r.service === 'api').map((r) => ({ path: r.path, bearer: String(r.headers.authorization ?? '').replace(/^Bearer /, '') }));

test('a fix on a staging triage plans and activates in staging only, with staging’s fix token', async () => {
  const flow = createCommandFlow({ service, signingKey: SIGNING_KEY, metrics: ingressMetrics(new Registry()), logger: silent, redactor: createRedactor(config.secrets), readiness: async () => ({ ready: true, checks: [] }), deployments: webDeployments(config.deployments) });
  const rid = staging.scenario.input.requestId;
  const out = await flow.command({ platform: 'slack', text: `triage ${rid}`, prefix: '/caracal', actor: { kind: 'user', id: 'U0FIXER1' }, destination: { platform: 'slack', channel: STAGING_CHANNEL }, dedupeKey: `act-dep-${Date.now()}`, source: 'slack_command', authorize: () => ({ ok: true }) });
  if (out.kind !== 'started') throw new Error(`not started: ${JSON.stringify(out)}`);
  const triageId = out.triageId;
  await waitFor('the triage to be diagnosed and its card posted', async () => {
    const r = await service.get(triageId);
    return r?.diagnosis && (await service.messageRef(triageId)) ? r : null;
  });
  expect((await service.get(triageId))?.deployment).toBe('staging');
  staging.clearRequests();
  production.clearRequests();

  expect(await click('propose', triageId, 'U0FIXER1')).toMatchObject({ kind: 'accepted' });
  const proposalId = (await service.store.redis.get(service.store.keys.fixOpen(triageId)))!;
  const planned = await waitFor('the proposal to be planned and posted', async () => {
    const p = await desk.proposals.get(proposalId);
    return p?.plan && p.ref ? p : null;
  });
  expect(planned.deployment).toBe('staging');
  expect(planned.plan?.remedy).toMatchObject({ kind: 'activate_policy_set_version' });
  // The proposal names its deployment, as the triage's card does.
  const proposal = actMessages.find((m) => m.message.lines.some((l) => l.startsWith('Proposed by')))!;
  expect(proposal.message.lines[0]).toMatch(/^staging · zone `[^`]+`$/);

  expect(await click('apply', proposalId, 'U0FIXER2')).toMatchObject({ kind: 'accepted' });
  const applied = await waitFor('the fix to be applied', async () => {
    const p = await desk.proposals.get(proposalId);
    return p?.call && p.retriage ? p : null;
  });
  expect(applied.call?.outcome).toBe('activated');

  const stagingWrites = writes(staging);
  expect(stagingWrites.some((w) => w.path.endsWith('/simulate'))).toBe(true);
  expect(stagingWrites.filter((w) => w.path.endsWith('/activate'))).toHaveLength(1);
  // Every change went to staging with staging's fix token; production was asked to change nothing.
  expect(new Set(stagingWrites.map((w) => w.bearer))).toEqual(new Set([staging.tokens.globalWrite]));
  expect(writes(production)).toEqual([]);
  expect(production.acts.calls).toEqual([]);
  expect(staging.acts.calls.map((c) => c.kind)).toEqual(['activate']);
}, 40_000);

test('an approval from staging’s sink is shown as staging’s and decided in staging, with staging’s approve token', async () => {
  const { approval } = staging.acts.addApproval(ZONE_B, { tier: 'high' });
  const key = approvalKeyOf(ZONE_B, approval.id, 'staging');
  const rec = await waitFor('the approval card to be posted', async () => {
    const r = await desk.approvals.get(key);
    return r?.ref ? r : null;
  });
  expect(rec.deployment).toBe('staging');
  const card = actMessages.find((m) => m.message.title.startsWith('Approval needed'))!;
  expect(card.message.lines[0]).toBe(`staging · zone \`${ZONE_B}\``);
  // Every Admin API call the act makes takes from its own deployment's budget window in Redis.
  const r = new IORedis(process.env.REDIS_URL!);
  const windowOf = (d: string) => r.zcard(keys(prefix).budget(d));
  const [stagingBefore, productionBefore] = [await windowOf('staging'), await windowOf('production')];
  staging.clearRequests();
  production.clearRequests();

  expect(await click('approve', key, 'U0APPROVER')).toMatchObject({ kind: 'accepted' });
  const decided = await waitFor('the decision to be recorded', async () => {
    const r = await desk.approvals.get(key);
    return r?.result ? r : null;
  });
  expect(decided.result).toMatchObject({ outcome: 'decided', decision: 'approve' });
  expect(staging.acts.approval(ZONE_B, approval.id)?.satisfied_at).not.toBeNull();
  expect(writes(staging)).toEqual([{ path: `/v1/zones/${ZONE_B}/approvals/${approval.id}/approve`, bearer: staging.tokens.globalApprove }]);
  expect(writes(production)).toEqual([]);
  expect(production.acts.calls).toEqual([]);
  const stagingCalls = staging.requests.filter((q) => q.service === 'api').length;
  const [stagingAfter, productionAfter] = [await windowOf('staging'), await windowOf('production')];
  await r.quit();
  expect(stagingCalls).toBeGreaterThanOrEqual(1);
  expect(stagingAfter - stagingBefore).toBeGreaterThanOrEqual(stagingCalls);
  expect(productionAfter - productionBefore).toBe(0);
}, 40_000);
