/**
 * A storm in one channel: N distinct triages (default 30) typed into one Slack channel at once,
 * against a fake Slack on loopback that answers 429 + Retry-After above one message per second
 * per channel, through the whole bot (signed slash commands → Bolt → TriageService on Redis →
 * the real workers and engine against the Caracal simulator → the Slack port). Then one triage
 * alone in a quiet channel. Times are measured from the command to what the fake stored.
 *
 *   npm run bench:storm                          # starts a throwaway redis-server
 *   REDIS_URL=redis://127.0.0.1:6379 npm run bench:storm -- --triages 30
 *
 * Goals: every card within 42 s (1.4× the floor of N messages at one per second), every
 * thread complete (eight steps, then the bundle) within 150 s, at most 3 answers of 429; one
 * triage alone: its thread finished within 1.25× its own floor (one message per second after
 * the first).
 */
import { STEP_IDS } from '../src/triage/model';
import { type SlackStack, startSlackStack } from '../test/adapters/slack/stack';
import { isCompleteInOrder, readThreads, type ReadThread } from '../test/adapters/slack/threads';
import { startRedis, type TestRedis } from '../test/support/redis-server';
import { sendCommand } from '../test/support/slack-signing';

interface Options {
  triages: number;
}

function options(argv: string[]): Options {
  const i = argv.indexOf('--triages');
  const triages = i >= 0 ? Number(argv[i + 1]) : 30;
  if (!Number.isInteger(triages) || triages <= 0 || triages > 200) throw new Error('--triages must be an integer from 1 to 200');
  return { triages };
}

const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** When the thread was complete: its last reply (the bundle's file, or the bundle). */
function completedAt(stack: SlackStack, t: ReadThread): number {
  const last = t.replies.at(-1)!;
  return stack.slack.messages.find((m) => m.ts === last.ts)!.at;
}

async function run(stack: SlackStack, channel: string, ids: string[], timeoutMs: number): Promise<{ sentAt: number; threads: ReadThread[] }> {
  const sentAt = Date.now();
  const acks = await Promise.all(ids.map((id) => sendCommand(stack.events, { text: `triage ${id}`, channel_id: channel })));
  const refused = acks.filter((a) => !String(a.json?.text).includes('Triage started'));
  if (refused.length) throw new Error(`${refused.length} commands were not started: ${String(refused[0]!.json?.text)}`);
  const threads = await stack.slack.waitFor(() => {
    const t = readThreads(stack.slack, channel);
    return t.length === ids.length && t.every((x) => isCompleteInOrder(x)) && t;
  }, timeoutMs);
  return { sentAt, threads };
}

interface Row {
  what: string;
  measured: string;
  floor: string;
  ratio: string;
  goal: string;
  ok: boolean;
}

function table(rows: Row[]): void {
  const w = [44, 10, 10, 7, 12];
  console.log(`${'figure'.padEnd(w[0]!)}${'measured'.padStart(w[1]!)}${'floor'.padStart(w[2]!)}${'ratio'.padStart(w[3]!)}${'goal'.padStart(w[4]!)}`);
  for (const r of rows) {
    console.log(`${r.what.padEnd(w[0]!)}${r.measured.padStart(w[1]!)}${r.floor.padStart(w[2]!)}${r.ratio.padStart(w[3]!)}${r.goal.padStart(w[4]!)}  ${r.ok ? 'ok' : 'MISSED'}`);
  }
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  let redis: TestRedis | null = null;
  if (!process.env.REDIS_URL) {
    redis = await startRedis();
    process.env.REDIS_URL = redis.url;
  }
  let stack: SlackStack | null = null;
  try {
    // The bot on Slack's limits as it ships (one post, one card update per second per channel),
    // the production card debounce, and a fake Slack that enforces the limit.
    stack = await startSlackStack({ scenario: 'scope_mismatch', postsPerSecond: 1, cardDebounceMs: 1000 });
    stack.slack.enforceRate({ perWindow: 1, windowMs: 1000 });

    // One triage alone, in a quiet channel.
    const alone = await run(stack, 'C0BENCHALONE', ['req-alone-01'], 60_000);
    const a = alone.threads[0]!;
    const aloneMessages = 1 + a.replies.filter((r) => r.steps.length || r.bundle).length;
    const aloneFloor = (aloneMessages - 1) * 1000;
    const aloneMs = completedAt(stack, a) - alone.sentAt;
    const limitedAlone = stack.slack.rateLimited['chat.postMessage'] ?? 0;

    // The storm.
    const ids = Array.from({ length: opts.triages }, (_, i) => `req-storm-${String(i + 1).padStart(3, '0')}`);
    const storm = await run(stack, 'C0BENCHSTORM', ids, 600_000);
    const cardMs = storm.threads.map((t) => t.card.at - storm.sentAt).sort((x, y) => x - y);
    const threadMs = storm.threads.map((t) => completedAt(stack!, t) - storm.sentAt).sort((x, y) => x - y);
    const replies = storm.threads.flatMap((t) => t.replies.filter((r) => r.steps.length || r.bundle));
    const messages = storm.threads.length + replies.length;
    const unfolded = storm.threads.length * (1 + STEP_IDS.length + 1);
    const folded = replies.filter((r) => r.steps.length > 1).length;
    const limited = (stack.slack.rateLimited['chat.postMessage'] ?? 0) - limitedAlone;
    const lastCard = Math.max(...storm.threads.map((t) => Number(t.card.ts)));
    const firstReply = Math.min(...storm.threads.flatMap((t) => t.replies.map((r) => Number(r.ts))));
    const cardFloor = opts.triages * 1000;
    const threadFloor = messages * 1000;

    console.log(`\nStorm: ${opts.triages} distinct triages typed into one channel at once; fake Slack refuses > 1 message/s/channel (429 + Retry-After)`);
    table([
      { what: 'last card (from the commands)', measured: s(cardMs.at(-1)!), floor: s(cardFloor), ratio: (cardMs.at(-1)! / cardFloor).toFixed(2), goal: '<= 42 s', ok: cardMs.at(-1)! <= 42_000 },
      { what: 'first card', measured: s(cardMs[0]!), floor: '', ratio: '', goal: '', ok: true },
      { what: 'median card', measured: s(cardMs[Math.floor(cardMs.length / 2)]!), floor: '', ratio: '', goal: '', ok: true },
      { what: `last thread complete (${messages} messages sent)`, measured: s(threadMs.at(-1)!), floor: s(threadFloor), ratio: (threadMs.at(-1)! / threadFloor).toFixed(2), goal: '<= 150 s', ok: threadMs.at(-1)! <= 150_000 },
      { what: '  unfolded, that floor would be', measured: '', floor: s(unfolded * 1000), ratio: '', goal: '', ok: true },
      { what: 'median thread complete', measured: s(threadMs[Math.floor(threadMs.length / 2)]!), floor: '', ratio: '', goal: '', ok: true },
      { what: 'answers of 429 (chat.postMessage)', measured: String(limited), floor: '0', ratio: '', goal: '<= 3', ok: limited <= 3 },
      { what: 'one triage alone: thread complete', measured: s(aloneMs), floor: s(aloneFloor), ratio: (aloneMs / aloneFloor).toFixed(2), goal: '<= 1.25x', ok: aloneMs <= aloneFloor * 1.25 },
    ]);
    console.log(`threads in step order, bundle last: ${storm.threads.every((t) => isCompleteInOrder(t)) ? 'all' : 'NOT ALL'}; every card before the first reply: ${lastCard < firstReply ? 'yes' : 'no'}`);
    console.log(`replies: ${replies.length} (${folded} carrying several steps) instead of ${storm.threads.length * (STEP_IDS.length + 1)}; alone: ${aloneMessages} messages, none folded: ${a.replies.every((r) => r.steps.length <= 1) ? 'yes' : 'no'}; alone 429s: ${limitedAlone}`);
    console.log(`\nreproduce: npm run bench:storm -- --triages ${opts.triages}   (REDIS_URL optional; node ${process.version})`);
    const ok = cardMs.at(-1)! <= 42_000 && threadMs.at(-1)! <= 150_000 && limited <= 3 && aloneMs <= aloneFloor * 1.25;
    process.exitCode = ok ? 0 : 1;
  } finally {
    await stack?.close();
    await redis?.destroy();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
