/**
 * One Caracal call budget per deployment: two simulators as `staging` and `production`, opened
 * as the worker opens them (openDeployments), each engine with its deployment's budget in Redis
 * (the same prefix, as every process of the bot shares). Staging uses its budget up and is
 * answered 429; production's calls never wait for it, and the wait metric names staging only.
 */
import IORedis, { type Redis } from 'ioredis';
import { Registry } from 'prom-client';
import type { DeploymentSettings } from '../../src/caracal/deployments-file';
import { redisCallBudget } from '../../src/store/caracal-budget';
import { openDeployments, type Deployments } from '../../src/triage/deployments';
import { budgetMetrics } from '../../src/watch/metrics';
import { simulatorConfig, startSimulator, type Simulator } from '../../sim';
import { deleteByPrefix, uniquePrefix } from '../queue/harness';

// Short enough that the starved call ends within the file, long enough that production's calls (under 2 s) finish while it waits.
const WINDOW_MS = 3_000;
let staging: Simulator;
let production: Simulator;
let redis: Redis;
let deployments: Deployments;
const registry = new Registry();
const prefix = uniquePrefix('budget-deployments');
let starved: Promise<unknown> = Promise.resolve();

beforeAll(async () => {
  [staging, production] = await Promise.all([startSimulator({ scenario: 'grant_missing' }), startSimulator({ scenario: 'healthy_allow' })]);
  redis = new IORedis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  const settings: DeploymentSettings[] = [
    { name: 'staging', caracal: simulatorConfig(staging, { timeoutMs: 30_000 }), consoleUrl: null, channels: [] },
    { name: 'production', caracal: simulatorConfig(production, { timeoutMs: 30_000 }), consoleUrl: null, channels: [] },
  ];
  const metrics = budgetMetrics(registry);
  deployments = openDeployments(settings, [], {
    // Staging's budget is tiny so it runs out at once; production's is not.
    budgetFor: (d) => redisCallBudget(redis, prefix, { deployment: d.name, perMinute: d.name === 'staging' ? 3 : 50, windowMs: WINDOW_MS, ...metrics.of(d.name) }),
  });
});

afterAll(async () => {
  await deployments?.close();
  await deleteByPrefix(redis, prefix).catch(() => undefined);
  redis?.disconnect();
  await Promise.all([staging?.close(), production?.close()]);
});

async function series(name: string): Promise<Record<string, number>> {
  const m = registry.getSingleMetric(name);
  const out: Record<string, number> = {};
  for (const v of m ? (await m.get()).values : []) out[String(v.labels.deployment)] = (out[String(v.labels.deployment)] ?? 0) + v.value;
  return out;
}

test('a starved deployment never delays the other', async () => {
  const stage = deployments.get('staging')!.engine;
  const prod = deployments.get('production')!.engine;
  // Staging's three units of the window used up (as its client's calls take them), then a call that must wait for the window to pass.
  for (let i = 0; i < 3; i++) await stage.budget.take();
  let waited = false;
  starved = stage.freshClient.listZones().then(() => (waited = true));
  // And a 429 pauses staging until the next minute.
  await stage.budget.rateLimited();

  // Production's three calls go through at once, while staging still waits.
  const started = Date.now();
  for (let i = 0; i < 3; i++) await prod.freshClient.listZones();
  expect(Date.now() - started).toBeLessThan(2000);
  expect(waited).toBe(false);
  expect(production.requests.filter((r) => r.path === '/v1/zones').length).toBeGreaterThanOrEqual(3);
  expect(staging.requests.filter((r) => r.path === '/v1/zones')).toHaveLength(0);

  // Keys named by the deployment, one window each.
  expect((await redis.keys(`${prefix}caracal:budget:*`)).sort()).toEqual([`${prefix}caracal:budget:production`, `${prefix}caracal:budget:staging`, `${prefix}caracal:budget:staging:hold`]);
}, 30_000);

test('the budget wait metric names the deployment that waited', async () => {
  // The first test's starved call goes through once staging's window and hold have passed.
  await starved;
  const waits = await series('caracal_triage_caracal_budget_waits_total');
  expect(waits.staging).toBeGreaterThan(0);
  expect(waits.production ?? 0).toBe(0);
}, 30_000);
