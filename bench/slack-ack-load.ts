/**
 * Load generator for bench/slack-ack.ts, in its own process so the client's work does not
 * share an event loop with the servers being measured. Receives {url, concurrency, text} over
 * IPC, fires that many signed slash commands at once, answers with their latencies (ms).
 */
import { sendCommand } from '../test/support/slack-signing';

interface Job {
  url: string;
  concurrency: number;
  text: string;
}

process.on('message', async (job: Job | 'exit') => {
  if (job === 'exit') process.exit(0);
  try {
    const replies = await Promise.all(
      Array.from({ length: job.concurrency }, (_, i) => sendCommand(job.url, { text: job.text, channel_id: `C0BENCH${i % 10}` })),
    );
    const bad = replies.find((r) => r.status !== 200);
    if (bad) throw new Error(`ack failed: HTTP ${bad.status} ${bad.text.slice(0, 200)}`);
    process.send!({ ms: replies.map((r) => r.ms) });
  } catch (e) {
    process.send!({ error: (e as Error).message });
  }
});
