/**
 * Reads a channel of the fake Slack the way a person scrolls it: the cards in the channel, and
 * under each card its thread top to bottom, each reply reduced to what it carries (the steps,
 * by their block IDs, the bundle, a file) and the identity it was posted with.
 */
import { STEP_IDS, type StepId } from '../../../src/triage/model';
import type { FakeMessage, FakeSlackApi } from '../../support/fake-slack-api';

export interface ReadReply {
  ts: string;
  key: string | null;
  steps: StepId[];
  bundle: boolean;
  files: string[];
}

export interface ReadThread {
  triageId: string;
  card: FakeMessage;
  replies: ReadReply[];
  /** What the thread reads, in order: step ids, `bundle`, `file:<name>`. */
  reads: string[];
}

function blocks(m: FakeMessage): Array<{ type: string; block_id?: string }> {
  return m.blocks ? (JSON.parse(m.blocks) as Array<{ type: string; block_id?: string }>) : [];
}

export function readReply(m: FakeMessage): ReadReply {
  const b = blocks(m);
  const steps = b.flatMap((x) => (x.block_id?.startsWith('step:') ? [x.block_id.slice(5) as StepId] : []));
  return {
    ts: m.ts,
    key: typeof m.metadata?.event_payload.post_key === 'string' ? m.metadata.event_payload.post_key : null,
    steps,
    bundle: b.some((x) => x.block_id === 'bundle:head'),
    files: (m.files ?? []).map((f) => f.name),
  };
}

export function readThreads(slack: FakeSlackApi, channel: string): ReadThread[] {
  return slack
    .channelMessages(channel)
    .filter((m) => m.metadata?.event_payload.post_key === 'card')
    .map((card) => {
      const replies = slack.replies(channel, card.ts).map(readReply);
      const reads = replies.flatMap((r) => [...r.steps, ...(r.bundle ? ['bundle'] : []), ...r.files.map((f) => `file:${f}`)]);
      return { triageId: String(card.metadata!.event_payload.triage_id), card, replies, reads };
    });
}

/** Steps 1 to 8, then the bundle (and, with files, the bundle's file last). */
export function isCompleteInOrder(t: ReadThread, files = true): boolean {
  const withoutFiles = t.reads.filter((r) => !r.startsWith('file:') || r.startsWith('file:caracal-bundle-'));
  const expected = [...STEP_IDS, 'bundle', ...(files ? [`file:caracal-bundle-${t.triageId}.json`] : [])];
  return JSON.stringify(withoutFiles) === JSON.stringify(expected);
}
