/**
 * A Teams triage survives its worker: a worker process posting to Teams (its own CloudAdapter,
 * authentication on) is SIGKILLed mid-triage, after its card is up and while Caracal is slow;
 * another worker picks the jobs up and finishes the thread, with one card, each step once, in
 * order, then the bundle.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { simulatorConfig } from '../../../sim';
import { INTENT_FIELDS } from '../../../src/posting/post-intent';
import { STEP_IDS } from '../../../src/triage/model';
import { CHANNEL, channelMessage } from './fixtures';
import { TEAMS_SIGNING_KEY, type TeamsStack, startTeamsStack } from './stack';

const THREAD = `${CHANNEL};messageid=1700000000123`;
let stack: TeamsStack;
let child: ChildProcess | null = null;
beforeAll(async () => {
  stack = await startTeamsStack({ workers: false, sim: { latencyMs: { '*': 30 } } });
}, 30_000);
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await stack.close();
});

const isCard = (c: { body: { summary?: string } }) => !!c.body.summary?.startsWith('Caracal triage ');
const stepOf = (c: { body: unknown }) => Number(/Step (\d)\/8/.exec(JSON.stringify(c.body))?.[1] ?? 0);

/** SIGSTOPs the child at a moment when no triage of this stack has a post in flight (left stopped). */
async function freezeOutsidePost(proc: ChildProcess): Promise<void> {
  const redis = new IORedis(process.env.REDIS_URL!);
  try {
    for (let i = 0; i < 200; i++) {
      proc.kill('SIGSTOP');
      const hashes = (await redis.keys(`${stack.prefix}triage:*`)).filter((k) => /triage:[^:]+$/.test(k));
      const intents = await Promise.all(hashes.map((k) => redis.hmget(k, INTENT_FIELDS.card, INTENT_FIELDS.thread)));
      if (hashes.length > 0 && intents.flat().every((v) => v === null)) return;
      proc.kill('SIGCONT');
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the worker child always had a post in flight');
  } finally {
    redis.disconnect();
  }
}

test('another worker finishes a Teams triage whose worker was killed, with no second card', async () => {
  child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'queue', 'fixtures', 'teams-worker-child.ts')], {
    cwd: join(__dirname, '..', '..', '..'),
    env: { ...process.env, ...stack.env, CT_PREFIX: stack.prefix, CT_CARACAL_CONFIG: JSON.stringify(simulatorConfig(stack.sim, { timeoutMs: 5000 })), TRIAGE_SIGNING_KEY: TEAMS_SIGNING_KEY },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child!.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child!.once('exit', (code) => reject(new Error(`worker child exited early (${code})`)));
  });
  expect((await stack.send(channelMessage(stack.connector.url, 'triage req-scope-1 --symptom token_exchange_denied'))).status).toBe(200);
  await stack.connector.waitFor(() => stack.connector.posted(THREAD).some(isCard), 20_000);
  // Caracal turns slow (each call now takes 4 s, under the child's 5 s timeout), so the child is
  // mid-collection, between posts, when it dies: it is killed once nothing has reached Teams for
  // 700 ms, so what it posted is behind it however slowly a loaded machine runs it, and its
  // next step is seconds away.
  stack.sim.setLatency({ '*': 4000 });
  await stack.connector.waitFor(() => {
    const last = stack.connector.calls.at(-1);
    return !!last && last.status !== 0 && Date.now() - last.at > 700;
  }, 10_000);
  // Quiet at the connector is not enough on a loaded machine: the child may not yet have read
  // Teams' answer and recorded the post (docs/teams.md: a kill in that window may repeat the
  // message, by design). So it is frozen first, and killed only if it holds no post in flight
  // (no write-ahead intent left in its triage's hash); otherwise it runs on a moment.
  const exited = new Promise((r) => child!.once('exit', r));
  await freezeOutsidePost(child);
  child.kill('SIGKILL');
  await exited;
  stack.sim.setLatency({ '*': 5 });

  stack.startWorkers();
  const thread = await stack.connector.waitFor(() => {
    const posts = stack.connector.posted(THREAD);
    return posts.some((p) => String(p.body.summary).startsWith('Caracal diagnostic bundle')) && posts;
  }, 40_000);
  await new Promise((r) => setTimeout(r, 1000));
  const posts = stack.connector.posted(THREAD);
  expect(posts.filter(isCard)).toHaveLength(1);
  const steps = posts.filter((p) => stepOf(p) > 0).map(stepOf);
  expect(steps).toEqual(STEP_IDS.map((_s, i) => i + 1));
  expect(thread.filter((p) => String(p.body.summary).startsWith('Caracal diagnostic bundle'))).toHaveLength(1);
}, 60_000);
