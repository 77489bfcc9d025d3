/**
 * What a channel reads, end to end (signed slash commands → Bolt → TriageService → the real
 * workers → the Slack port → the fake Slack, which stores every message): each thread top to
 * bottom is step 1 to 8 then the bundle, whatever Slack does to the posts on the way (429s,
 * answers that arrive late and out of order), and the card above it is updated in place.
 */
import { STEP_IDS } from '../../../src/triage/model';
import { blocksOf } from '../../support/fake-slack-api';
import { sendClick, sendCommand } from '../../support/slack-signing';
import { type SlackStack, startSlackStack } from './stack';
import { isCompleteInOrder, readThreads, type ReadThread } from './threads';

let stack: SlackStack;
let requestId: string;

beforeAll(async () => {
  stack = await startSlackStack({ scenario: 'scope_mismatch' });
  requestId = stack.sim.scenario.input.requestId;
});
afterAll(() => stack.close());

async function threadOf(channel: string, done: (t: ReadThread) => boolean = (t) => isCompleteInOrder(t), timeoutMs = 30_000): Promise<ReadThread> {
  return stack.slack.waitFor(() => {
    const [t] = readThreads(stack.slack, channel);
    return t && done(t) && t;
  }, timeoutMs);
}

/** Until nothing is waiting, running or delayed in either queue. */
async function drained(timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await Promise.all([stack.queues.collect, stack.queues.post].map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized')));
    if (!counts.some((c) => Object.values(c).some((n) => n > 0))) return;
    if (Date.now() > deadline) throw new Error('queues not drained');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a thread reads step 1 to 8, then the bundle', () => {
  it('in order while Slack answers 429 now and then and its answers come back late and out of order', async () => {
    stack.slack.jitterMs = 250;
    stack.sim.setLatency({ '*': 15 });
    // Three 429s on thread replies (each costs its conversation a Retry-After of 1 s).
    stack.slack.rateLimit('chat.postMessage', 1, 3, (b) => !!b.thread_ts);
    const channels = ['C0ORD001', 'C0ORD002', 'C0ORD003'];
    try {
      await Promise.all(channels.map((channel_id) => sendCommand(stack.events, { text: `triage ${requestId}`, channel_id })));
      const threads = await Promise.all(channels.map((c) => threadOf(c, (t) => t.reads.includes('bundle'), 60_000)));
      await drained();
      for (const [i, channel] of channels.entries()) {
        const t = readThreads(stack.slack, channel);
        expect(t).toHaveLength(1);
        expect(t[0]!.reads.filter((r) => !r.startsWith('file:triage-'))).toEqual([...STEP_IDS, 'bundle', `file:caracal-bundle-${threads[i]!.triageId}.json`]);
        // Each step once, each reply carrying its identity.
        for (const r of t[0]!.replies.filter((x) => x.steps.length || x.bundle)) expect(r.key).toMatch(/^(step\.[a-z_]+\.v\d+|bundle)$/);
      }
      expect(stack.slack.rateLimited['chat.postMessage']).toBe(3);
    } finally {
      stack.slack.jitterMs = 0;
      stack.sim.setLatency({ '*': 0 });
    }
  }, 90_000);

  it('with the card above it updated in place to the diagnosis, and escalation pointing at the bundle', async () => {
    const channel = 'C0ORD004';
    await sendCommand(stack.events, { text: `triage ${requestId}`, channel_id: channel });
    const t = await threadOf(channel);
    await drained();
    const updates = stack.slack.callsTo('chat.update').filter((c) => c.body.channel === channel);
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.every((u) => u.body.ts === t.card.ts)).toBe(true);
    expect(JSON.stringify(blocksOf(updates.at(-1)!))).toContain('Failing surface');

    const escalate = blocksOf(updates.at(-1)!)
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements as Array<{ action_id: string; value: string }>)
      .find((e) => e.action_id === 'triage:escalate')!;
    await sendClick(stack.events, { actionId: 'triage:escalate', value: escalate.value, channelId: channel, messageTs: t.card.ts, responseUrl: `${stack.slack.responseUrlBase}esc` });
    const bundleReply = t.replies.find((r) => r.bundle)!;
    const escalated = await stack.slack.waitFor(() => {
      const last = stack.slack.callsTo('chat.update').filter((c) => c.body.channel === channel).at(-1)!;
      return last.body.blocks.includes('Escalated') && last;
    });
    // The top of the thread links its end: https://<workspace>/archives/<channel>/p<ts>?thread_ts=<card>.
    const link = `https://test.slack.com/archives/${channel}/p${bundleReply.ts.replace('.', '')}?thread_ts=${t.card.ts}&cid=${channel}`;
    expect(JSON.stringify(blocksOf(escalated))).toContain(`<${link}|open it in the thread>`);
  });

  it('puts a re-check after the bundle, as a new reply for that step', async () => {
    const channel = 'C0ORD005';
    await sendCommand(stack.events, { text: `triage ${requestId}`, channel_id: channel });
    const t = await threadOf(channel);
    await drained();
    const card = stack.slack.callsTo('chat.update').filter((c) => c.body.channel === channel).at(-1)!;
    const recheck = blocksOf(card)
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements as Array<{ action_id: string; value: string }>)
      .find((e) => e.action_id === 'triage:recheck')!;
    await sendClick(stack.events, { actionId: 'triage:recheck', value: recheck.value, channelId: channel, messageTs: t.card.ts, responseUrl: `${stack.slack.responseUrlBase}rc` });
    const after = await threadOf(channel, (x) => x.reads.lastIndexOf('requested_scopes') > x.reads.indexOf('bundle'));
    const last = after.replies.at(-1)!;
    expect(last.steps).toEqual(['requested_scopes']);
    expect(after.reads.slice(0, after.reads.indexOf('bundle') + 1)).toEqual([...t.reads.slice(0, t.reads.indexOf('bundle') + 1)]);
  });
});

describe('without file uploads', () => {
  let noFiles: SlackStack;
  beforeAll(async () => {
    noFiles = await startSlackStack({ scenario: 'scope_mismatch', fileUploads: false });
  });
  afterAll(() => noFiles.close());

  it('still closes the thread with the bundle, as a message only', async () => {
    const channel = 'C0NOFILE1';
    await sendCommand(noFiles.events, { text: `triage ${requestId}`, channel_id: channel });
    const t = await noFiles.slack.waitFor(() => {
      const [x] = readThreads(noFiles.slack, channel);
      return x && isCompleteInOrder(x, false) && x;
    }, 30_000);
    expect(t.reads.at(-1)).toBe('bundle');
    expect(noFiles.slack.callsTo('files.getUploadURLExternal')).toHaveLength(0);
  });
});
