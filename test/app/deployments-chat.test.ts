/**
 * Several Caracal deployments behind chat commands: two simulators as `staging`
 * (grant_missing: holds req-grant-1) and `production` (healthy_allow: holds req-allow-1), named
 * in a deployments file that binds one Slack channel to each; the command flow with the web's
 * directory, the real TriageService over Redis, and the worker composed from the same
 * configuration, posting to a recording port. A bound channel reads only its own deployment;
 * --deployment overrides; an unbound channel finds the request where it is and says so, starts
 * one triage per deployment that holds it, and asks which when none does; nothing one
 * deployment answered is ever served for the other.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { Registry } from 'prom-client';
import { loadWorkerConfig } from '../../src/app/config';
import { webDeployments } from '../../src/app/deployments';
import { createCommandFlow } from '../../src/commands/flow';
import type { CommandRequest } from '../../src/ingress/flow';
import { ingressMetrics } from '../../src/ingress/metrics';
import { createRedactor } from '../../src/redact/redact';
import type { RedisTriageService } from '../../src/service/triage-service';
import type { TriageRecord } from '../../src/triage/record';
import { deploymentLine, deploymentSearchSentence } from '../../src/chat/render/deployment';
import { startSimulator, type Simulator } from '../../sim';
import { openService, startConfiguredWorker } from '../support/halves';
import { createMemoryPort, type MemoryChatPort } from '../support/memory-port';
import { SIGNING_KEY, deleteByPrefix, silent, uniquePrefix, waitFor } from '../queue/harness';
import type { WorkerHalf } from '../../src/app/worker';
import { writeDeploymentsFile } from '../support/deployments-file';

const STAGING_CHANNEL = 'C0STAGE001';
const PRODUCTION_CHANNEL = 'C0PROD0001';
const UNBOUND_CHANNEL = 'C0UNBOUND1';
const OTHER_UNBOUND = 'C0UNBOUND2';

let staging: Simulator;
let production: Simulator;
let dir: string;
let port: MemoryChatPort;
let worker: WorkerHalf;
let service: RedisTriageService;
let flow: ReturnType<typeof createCommandFlow>;
const prefix = uniquePrefix('deployments');

function deploymentsFile(): string {
  const entry = (name: string, sim: Simulator, channel: string) => ({ name, sim, consoleUrl: `https://console.${name}.example.com/acme/org`, channels: [`slack:${channel}`] });
  return writeDeploymentsFile(dir, [entry('staging', staging, STAGING_CHANNEL), entry('production', production, PRODUCTION_CHANNEL)]);
}

beforeAll(async () => {
  [staging, production] = await Promise.all([startSimulator({ scenario: 'grant_missing' }), startSimulator({ scenario: 'healthy_allow' })]);
  dir = mkdtempSync(join(tmpdir(), 'caracal-deployments-'));
  const config = loadWorkerConfig({ CARACAL_DEPLOYMENTS_FILE: deploymentsFile(), CARACAL_TIMEOUT_MS: '2000', REDIS_URL: process.env.REDIS_URL!, TRIAGE_SIGNING_KEY: SIGNING_KEY });
  port = createMemoryPort();
  worker = startConfiguredWorker(config, { ports: { slack: port }, logger: silent, prefix, sweepEveryMs: 0, cardDebounceMs: 20, limits: { slack: { post: { points: 50, durationSec: 1 }, update: { points: 50, durationSec: 1 } } } });
  service = await openService({ redisUrl: process.env.REDIS_URL!, signingKey: SIGNING_KEY, prefix, logger: silent, cardDebounceMs: 20 });
  flow = createCommandFlow({
    service,
    signingKey: SIGNING_KEY,
    metrics: ingressMetrics(new Registry()),
    logger: silent,
    redactor: createRedactor(config.secrets),
    readiness: async () => ({ ready: true, checks: [] }),
    deployments: webDeployments(config.deployments),
    links: config.links,
  });
}, 30_000);

afterAll(async () => {
  await service?.close();
  await worker?.close();
  const r = new IORedis(process.env.REDIS_URL!);
  await deleteByPrefix(r, prefix);
  await r.quit();
  await Promise.all([staging?.close(), production?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  staging.clearRequests();
  production.clearRequests();
});

let seq = 0;
const req = (text: string, channel: string): CommandRequest => ({
  platform: 'slack',
  text,
  prefix: '/caracal',
  actor: { kind: 'user', id: 'U0DEPLOY01' },
  destination: { platform: 'slack', channel },
  dedupeKey: `deploy-${++seq}-${Date.now()}`,
  source: 'slack_command',
  authorize: () => ({ ok: true }),
});

async function started(text: string, channel: string): Promise<string> {
  const out = await flow.command(req(text, channel));
  if (out.kind !== 'started') throw new Error(`not started: ${JSON.stringify(out)}`);
  return out.triageId;
}

/** The triage once its collection has finished (or stopped to ask). */
async function settled(triageId: string, until: (r: TriageRecord) => boolean = (r) => r.state !== 'locating'): Promise<TriageRecord> {
  return waitFor(`triage ${triageId} to settle`, async () => {
    const r = await service.get(triageId);
    return r && until(r) ? r : null;
  });
}

const apiReads = (sim: Simulator) => sim.requests.filter((r) => r.service === 'api').length;

describe('a channel bound to a deployment', () => {
  it('triages only against its own deployment, in its own zone search, even for a request another deployment holds', async () => {
    const id = await started('triage req-allow-1', STAGING_CHANNEL);
    const r = await settled(id);
    expect(r.deployment).toBe('staging');
    expect(r.deploymentSearch).toBeUndefined();
    expect(r.steps.find((s) => s.id === 'request_trace')).toMatchObject({ verdict: 'fail', cause: 'request_not_found' });
    expect(apiReads(production)).toBe(0);
    expect(deploymentLine(r)).toBe('staging');
  });

  it('--deployment overrides the binding', async () => {
    const id = await started('triage req-allow-1 --deployment production', STAGING_CHANNEL);
    const r = await settled(id);
    expect(r.deployment).toBe('production');
    expect(r.diagnosis).toBeNull();
    expect(r.zoneId).toBe(production.scenario.zones[1]!.zone.id);
    expect(apiReads(staging)).toBe(0);
    expect(deploymentLine(r)).toBe(`production · zone ${r.names?.zones[r.zoneId!] ?? r.zoneId}`);
  });

  it('an unknown --deployment starts nothing and names the deployments that exist', async () => {
    const out = await flow.command(req('triage req-allow-1 --deployment prod', STAGING_CHANNEL));
    expect(out).toEqual({ kind: 'invalid', message: 'No deployment is named `prod`; the deployments are `staging`, `production`.' });
  });
});

describe('a channel bound to none', () => {
  it('finds the request in the deployment that holds it, triages it there and says so on the card', async () => {
    const id = await started('triage req-grant-1 --symptom token_exchange_denied', UNBOUND_CHANNEL);
    const r = await settled(id);
    expect(r.deployment).toBe('staging');
    expect(r.deploymentSearch).toEqual({ searched: ['staging', 'production'], found: ['staging'], unreadable: [] });
    expect(r.diagnosis?.cause).toBe(staging.scenario.expect.cause);
    expect(deploymentSearchSentence(r)).toBe('Found in staging (searched staging and production).');
    expect(r.history.map((h) => h.action)).toContain('found in deployment staging');
    // The bundle's config summary is staging's.
    expect(r.bundle?.items.find((i) => i.id === 'config_summary')?.evidence.deployment).toBe('staging');
  });

  it('a request both deployments hold: one triage in each, each card saying so', async () => {
    production.setScenario('grant_missing');
    try {
      // Another unbound channel: the same command in the first one still has its open triage.
      const id = await started('triage req-grant-1 --symptom token_exchange_denied', OTHER_UNBOUND);
      const first = await settled(id);
      expect(first.deployment).toBe('staging');
      expect(deploymentSearchSentence(first)).toBe('Found in staging and production (searched staging and production). This triage reads staging; production has its own triage in this channel.');
      const other = await waitFor('the production triage', async () => {
        const listed = await service.list({ place: `slack:${OTHER_UNBOUND}`, limit: 50 });
        return listed.triages.find((t) => t.record.deployment === 'production' && t.record.input.requestId === 'req-grant-1')?.record ?? null;
      });
      const second = await settled(other.id);
      expect(second.input.deployment).toBe('production');
      expect(second.diagnosis?.cause).toBe(staging.scenario.expect.cause);
      // Each collected from its own deployment: nothing crossed over.
      expect(second.bundle?.items.find((i) => i.id === 'config_summary')?.evidence.deployment).toBe('production');
      await waitFor('both cards', async () => port.delivered(id).some((c) => c.method === 'postCard') && port.delivered(other.id).some((c) => c.method === 'postCard'));
    } finally {
      production.setScenario('healthy_allow');
    }
  });

  it('a request neither holds: the card asks which deployment, and nothing is collected', async () => {
    const id = await started('triage req-nowhere-1', UNBOUND_CHANNEL);
    const r = await settled(id, (x) => !!x.deploymentSearch);
    expect(r.deployment).toBeUndefined();
    expect(r.steps).toEqual([]);
    expect(deploymentSearchSentence(r)).toBe('Request `req-nowhere-1` is in none of the zones of staging and production. Which deployment is it in? Name one: `triage req-nowhere-1 --deployment NAME`.');
    await waitFor('its card', async () => port.delivered(id).some((c) => c.method === 'postCard'));
  });

  it('a command with nothing to look for is asked to name a deployment, starting nothing', async () => {
    const out = await flow.command(req('bundle', UNBOUND_CHANNEL));
    expect(out.kind).toBe('invalid');
    expect(out.kind === 'invalid' && out.message).toBe(
      'This channel is bound to no Caracal deployment and the bot serves `staging`, `production`; without a request ID there is nothing to look for in each. Say which with `--deployment`, e.g. `/caracal bundle --deployment staging`.',
    );
  });
});

describe('kept apart by deployment', () => {
  it('the same command in the same channel for two deployments is two open triages', async () => {
    const a = await flow.command(req('triage req-allow-1 --deployment staging', UNBOUND_CHANNEL));
    const b = await flow.command(req('triage req-allow-1 --deployment production', UNBOUND_CHANNEL));
    expect(a.kind).toBe('started');
    expect(b.kind).toBe('started');
    expect(a.kind === 'started' && b.kind === 'started' && a.triageId !== b.triageId).toBe(true);
    await Promise.all([a, b].map((o) => (o.kind === 'started' ? settled(o.triageId) : null)));
  });

  it('steps are counted by deployment', async () => {
    const text = await worker.metrics.registry.getSingleMetricAsString('caracal_triage_steps_collected_total');
    expect(text).toMatch(/deployment="staging"/);
    expect(text).toMatch(/deployment="production"/);
  });

  it('each deployment reads with its own token only, and no token reaches a card', async () => {
    const id = await started('triage req-allow-1 --deployment production', PRODUCTION_CHANNEL);
    await settled(id);
    const auth = (sim: Simulator) => new Set(sim.requests.filter((r) => r.service === 'api').map((r) => String(r.headers.authorization ?? '')));
    expect([...auth(production)].every((h) => h === `Bearer ${production.tokens.globalRead}` || h === '')).toBe(true);
    const cards = port.delivered(id).map((c) => c.text).join('\n');
    for (const s of [staging.tokens.globalRead, production.tokens.globalRead, staging.metricsBearer, production.metricsBearer]) expect(cards).not.toContain(s);
  });
});
