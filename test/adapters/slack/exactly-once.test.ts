/**
 * Exactly once, as a person reading the channel sees it, across a worker killed with SIGKILL
 * while Slack had stored its post but not answered yet (the fake holds the answer): a fresh
 * worker recovers the jobs, finds the earlier copies by their metadata
 * (conversations.history / conversations.replies) and keeps them, so every channel shows one
 * card and a thread with each step once, in order, then the bundle.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { simulatorConfig } from '../../../sim';
import { STEP_IDS } from '../../../src/triage/model';
import { sendCommand } from '../../support/slack-signing';
import { STACK_SIGNING_KEY, type SlackStack, startSlackStack } from './stack';
import { readThreads } from './threads';
import { waitFor } from '../../queue/harness';

let stack: SlackStack;
let requestId: string;
let child: ChildProcess | null = null;

beforeAll(async () => {
  stack = await startSlackStack({ scenario: 'scope_mismatch', workers: false });
  requestId = stack.sim.scenario.input.requestId;
});
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await stack.close();
});

async function startChild(): Promise<ChildProcess> {
  const c = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'queue', 'fixtures', 'slack-worker-child.ts')], {
    cwd: join(__dirname, '..', '..', '..'),
    env: {
      ...process.env,
      CT_PREFIX: stack.prefix,
      CT_SLACK_API_URL: stack.slack.url,
      CT_CARACAL_CONFIG: JSON.stringify(simulatorConfig(stack.sim, { timeoutMs: 5000 })),
      TRIAGE_SIGNING_KEY: STACK_SIGNING_KEY,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    c.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    c.once('exit', (code) => reject(new Error(`worker child exited early (${code})`)));
  });
  return c;
}

async function kill(c: ChildProcess): Promise<void> {
  const exited = new Promise((r) => c.once('exit', r));
  c.kill('SIGKILL');
  await exited;
}

/** Every channel: one card, and its thread steps 1 to 8 once each, then the bundle once. */
async function expectExactlyOnce(channels: string[]): Promise<void> {
  await stack.slack.waitFor(() => channels.every((c) => readThreads(stack.slack, c).some((t) => t.reads.includes('bundle'))), 30_000);
  // Let anything still queued land before counting: no collect or post job left to run.
  await waitFor('the queues to empty', async () => {
    const counts = await Promise.all([stack.queues.collect, stack.queues.post].map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized')));
    return counts.every((c) => Object.values(c).every((n) => n === 0));
  }, 30_000, 100);
  for (const channel of channels) {
    const threads = readThreads(stack.slack, channel);
    expect(threads).toHaveLength(1);
    const cards = stack.slack.channelMessages(channel).filter((m) => !m.files);
    expect(cards).toHaveLength(1);
    const t = threads[0]!;
    expect(t.reads.filter((r) => !r.startsWith('file:'))).toEqual([...STEP_IDS, 'bundle']);
    expect(t.reads.filter((r) => r === `file:caracal-bundle-${t.triageId}.json`)).toHaveLength(1);
  }
}

describe('a worker killed while Slack holds its answer', () => {
  it('to the cards: after recovery each channel has one card, and each step once', async () => {
    const channels = ['C0KILL01', 'C0KILL02', 'C0KILL03', 'C0KILL04', 'C0KILL05'];
    stack.slack.hold({ method: 'chat.postMessage', match: (b) => !b.thread_ts });
    child = await startChild();
    await Promise.all(channels.map((channel_id) => sendCommand(stack.events, { text: `triage ${requestId}`, channel_id })));
    // Every card is stored by the fake, none answered: the worker cannot know it posted them.
    await stack.slack.waitFor(() => stack.slack.held.length >= channels.length, 20_000);
    expect(channels.every((c) => stack.slack.channelMessages(c).length === 1)).toBe(true);
    await kill(child);
    stack.slack.release();

    const recovery = stack.startWorkers({ lockDurationMs: 2000, stalledIntervalMs: 500, leaseMs: 2000 });
    try {
      await expectExactlyOnce(channels);
    } finally {
      await recovery.close();
    }
    // The cards were found again by their metadata, not posted a second time.
    expect(stack.slack.callsTo('conversations.history').filter((c) => c.body.include_all_metadata === 'true').length).toBeGreaterThanOrEqual(channels.length);
    const adopted = await stack.registry.getSingleMetricAsString('caracal_triage_chat_adopted_total');
    expect(adopted).toMatch(/kind="card"\} 5/);
  }, 90_000);

  it('to thread replies: after recovery each step is in the thread once, in order', async () => {
    const channels = ['C0KILL11', 'C0KILL12', 'C0KILL13', 'C0KILL14'];
    // Hold each thread's third reply: by then the worker has posted two and has the third in flight.
    const seen = new Map<string, number>();
    stack.slack.hold({
      method: 'chat.postMessage',
      match: (b) => {
        if (!b.thread_ts || !channels.includes(b.channel)) return false;
        const n = (seen.get(b.channel) ?? 0) + 1;
        seen.set(b.channel, n);
        return n === 3;
      },
    });
    child = await startChild();
    await Promise.all(channels.map((channel_id) => sendCommand(stack.events, { text: `triage ${requestId}`, channel_id })));
    await stack.slack.waitFor(() => stack.slack.held.length >= channels.length, 30_000);
    await kill(child);
    stack.slack.release();

    const recovery = stack.startWorkers({ lockDurationMs: 2000, stalledIntervalMs: 500, leaseMs: 2000 });
    try {
      await expectExactlyOnce(channels);
    } finally {
      await recovery.close();
    }
    expect(stack.slack.callsTo('conversations.replies').filter((c) => c.body.include_all_metadata === 'true' && channels.includes(c.body.channel)).length).toBeGreaterThanOrEqual(channels.length);
  }, 90_000);
});
