/**
 * A storm in one busy channel, against a fake Slack that refuses more than one message per
 * second per channel (429 + Retry-After; time scaled, below), with the bot on Slack's own limits: the cards come
 * first, then each thread complete and in order, the waiting steps folded into fewer replies
 * with every step's verdict and evidence still there, and the bot hardly ever meets a 429.
 * (How fast is bench/storm.ts's business; this says what the channel shows.)
 */
import { STEP_IDS } from '../../../src/triage/model';
import { sendCommand } from '../../support/slack-signing';
import { type SlackStack, startSlackStack } from './stack';
import { isCompleteInOrder, readThreads } from './threads';

let stack: SlackStack;
const channel = 'C0STORM01';
const TRIAGES = 8;

/**
 * Slack's limits as the bot ships them (one post and one card update per second per channel,
 * card updates debounced by a second), with the clock run SPEEDUP times faster on both sides:
 * the bot's limit and debounce and the fake's window shrink together, so the channel sees the
 * same contest for slots in a fraction of the wall time. (A 429's Retry-After stays whole
 * seconds, as Slack sends it, so every 429 costs the full second.)
 */
const SPEEDUP = 2;

beforeAll(async () => {
  stack = await startSlackStack({ scenario: 'scope_mismatch', postsPerSecond: SPEEDUP, cardDebounceMs: 1000 / SPEEDUP });
  stack.slack.enforceRate({ perWindow: 1, windowMs: 1000 / SPEEDUP });
});
afterAll(() => stack.close());

it('posts every card first, then every thread complete and in order, folded, with at most a handful of 429s', async () => {
  const ids = Array.from({ length: TRIAGES }, (_, i) => `req-storm-${String(i + 1).padStart(2, '0')}`);
  const acks = await Promise.all(ids.map((id) => sendCommand(stack.events, { text: `triage ${id}`, channel_id: channel })));
  for (const a of acks) expect(String(a.json?.text)).toContain('Triage started');

  const threads = await stack.slack.waitFor(() => {
    const t = readThreads(stack.slack, channel);
    return t.length === TRIAGES && t.every((x) => isCompleteInOrder(x)) && t;
  }, 150_000);

  // Cards first: every card is in the channel before the first thread reply.
  const lastCard = Math.max(...threads.map((t) => Number(t.card.ts)));
  const firstReply = Math.min(...threads.flatMap((t) => t.replies.map((r) => Number(r.ts))));
  expect(lastCard).toBeLessThan(firstReply);

  // Folded: fewer replies than one per step, and a reply carrying several steps keeps each one whole.
  const stepReplies = threads.flatMap((t) => t.replies.filter((r) => r.steps.length > 0));
  expect(stepReplies.length).toBeLessThan(TRIAGES * STEP_IDS.length);
  const folded = stepReplies.filter((r) => r.steps.length > 1);
  expect(folded.length).toBeGreaterThan(0);
  const message = stack.slack.messages.find((m) => m.ts === folded[0]!.ts)!;
  const sections = (JSON.parse(message.blocks!) as Array<{ block_id?: string; text?: { text: string } }>).filter((b) => b.block_id?.startsWith('step:'));
  expect(sections).toHaveLength(folded[0]!.steps.length);
  for (const s of sections) expect(s.text!.text).toMatch(/\*(pass|fail|unknown|manual check|skipped)\*/);

  // A handful at most. The bot spaces its posts by the limit plus 5%, but what the fake sees is
  // spaced by that plus the difference in two posts' time in flight, which a loaded machine
  // stretches (0-1 here on an idle one, 4 once in CI); a bot that did not pace its posts would
  // meet one on every other call (32 of 63, measured with the bot's limit lifted).
  expect(stack.slack.rateLimited['chat.postMessage'] ?? 0).toBeLessThanOrEqual(5);
}, 180_000);
