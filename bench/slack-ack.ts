/**
 * Slack ack latency: 50 concurrent signed slash commands against this app (Bolt on the shared
 * express server, the real TriageService over Redis, nothing else in the process) and against
 * a bare Bolt app whose listener only acks, in the same run, measured the same way (client
 * side: request sent → ack received). Prints p50/p99 for both and the ratio.
 *
 *   npm run bench:slack-ack                        # starts a throwaway redis-server
 *   REDIS_URL=redis://127.0.0.1:6379 npm run bench:slack-ack -- --rounds 10 --concurrency 50
 *
 * Goal: p99 ≤ 25 ms and p99(app) / p99(bare) ≤ 1.5.
 *
 * A third line, this app with an in-memory TriageService, separates the adapter's own cost
 * (Bolt wiring, parsing, authorization, metrics) from the service's Redis work.
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, ExpressReceiver, LogLevel } from '@slack/bolt';
import { Registry } from 'prom-client';
import { loadSlackConfig, slackPlatform } from '../adapters/slack';
import { createWebHost, type WebHost } from '../src/app/web';
import { FakeTriageService } from '../test/adapters/slack/fake-service';
import { type SlackStack, startSlackStack } from '../test/adapters/slack/stack';
import { startRedis, type TestRedis } from '../test/support/redis-server';
import { SIGNING_SECRET } from '../test/support/slack-signing';

interface Options {
  concurrency: number;
  rounds: number;
  warmup: number;
}

function options(argv: string[]): Options {
  const get = (name: string, dflt: number): number => {
    const i = argv.indexOf(`--${name}`);
    const v = i >= 0 ? Number(argv[i + 1]) : dflt;
    if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
    return v;
  };
  return { concurrency: get('concurrency', 50), rounds: get('rounds', 5), warmup: get('warmup', 3) };
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** The client runs in a child process: its CPU must not queue behind the servers' (or vice versa). */
function startLoad(): ChildProcess {
  return fork(`${__dirname}/slack-ack-load.ts`, [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
}

function round(load: ChildProcess, url: string, concurrency: number, text: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    load.once('message', (m: { ms?: number[]; error?: string }) => (m.ms ? resolve(m.ms) : reject(new Error(m.error))));
    load.send({ url, concurrency, text });
  });
}

async function startBareBolt(): Promise<{ url: string; stop(): Promise<void> }> {
  const receiver = new ExpressReceiver({ signingSecret: SIGNING_SECRET, processBeforeResponse: false, logLevel: LogLevel.ERROR });
  const app = new App({ receiver, token: 'xoxb-bench', botId: 'BBENCH', botUserId: 'UBENCH', logLevel: LogLevel.ERROR, convoStore: false });
  app.command(/.*/, async ({ ack }) => {
    await ack({ response_type: 'ephemeral', text: 'ok' });
  });
  const server = (await app.start(0)) as Server;
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/slack/events`, stop: async () => void (await app.stop()) };
}

/** This app's web server with an instant in-memory service: the adapter's cost alone. */
async function startAdapterOnly(slackApiUrl: string): Promise<{ url: string; web: WebHost }> {
  const web = createWebHost({
    service: new FakeTriageService(),
    signingKey: 'bench-signing-key-0123456789abcdef0123',
    platforms: [slackPlatform(loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slackApiUrl })!)],
    registry: new Registry(),
  });
  const port = await web.listen(0, '127.0.0.1');
  return { url: `http://127.0.0.1:${port}/slack/events`, web };
}

function line(name: string, samples: number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  const p99 = percentile(sorted, 99);
  console.log(`${name.padEnd(34)} n=${String(samples.length).padEnd(5)} p50 ${p50.toFixed(2).padStart(7)} ms   p99 ${p99.toFixed(2).padStart(7)} ms   max ${sorted[sorted.length - 1]!.toFixed(2).padStart(7)} ms`);
  return { p50, p99 };
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  let redis: TestRedis | null = null;
  if (!process.env.REDIS_URL) {
    redis = await startRedis();
    process.env.REDIS_URL = redis.url;
  }
  let stack: SlackStack | null = null;
  let bare: Awaited<ReturnType<typeof startBareBolt>> | null = null;
  let adapter: Awaited<ReturnType<typeof startAdapterOnly>> | null = null;
  const load = startLoad();
  try {
    // The web process alone (workers: false), as in a split web/worker deployment.
    stack = await startSlackStack({ workers: false });
    bare = await startBareBolt();
    adapter = await startAdapterOnly(stack.slack.url);
    const text = `triage ${stack.sim.scenario.input.requestId}`;
    for (let i = 0; i < opts.warmup; i++) {
      await round(load, bare.url, opts.concurrency, text);
      await round(load, adapter.url, opts.concurrency, text);
      await round(load, stack.events, opts.concurrency, text);
    }
    const app: number[] = [];
    const base: number[] = [];
    const adapterOnly: number[] = [];
    // Interleave the three so drift on a shared machine hits all alike.
    for (let i = 0; i < opts.rounds; i++) {
      base.push(...(await round(load, bare.url, opts.concurrency, text)));
      adapterOnly.push(...(await round(load, adapter.url, opts.concurrency, text)));
      app.push(...(await round(load, stack.events, opts.concurrency, text)));
    }
    const started = await stack.registry.getSingleMetricAsString('caracal_triage_started_total');
    console.log(`\nSlack ack latency: ${opts.rounds} rounds of ${opts.concurrency} concurrent signed slash commands (after ${opts.warmup} warm-up rounds each)`);
    const b = line('bare Bolt (ack only)', base);
    const a = line('caracal-triage (service + Redis)', app);
    const o = line('  diagnostic: in-memory service', adapterOnly);
    const ratio = a.p99 / b.p99;
    console.log(`p99 ratio app/bare: ${ratio.toFixed(2)}   (goal: app p99 <= 25 ms, ratio <= 1.5)`);
    console.log(`p99 ratio adapter-only/bare: ${(o.p99 / b.p99).toFixed(2)}   (the rest is TriageService.start on Redis)`);
    console.log(`triages started: ${/created="true"\} (\d+)/.exec(started)?.[1] ?? '?'}`);
    console.log(`\nreproduce: npm run bench:slack-ack -- --rounds ${opts.rounds} --concurrency ${opts.concurrency}   (REDIS_URL optional; node ${process.version})`);
    process.exitCode = a.p99 <= 25 && ratio <= 1.5 ? 0 : 1;
  } finally {
    load.send('exit');
    await bare?.stop();
    await adapter?.web.close();
    await stack?.close();
    await redis?.destroy();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
