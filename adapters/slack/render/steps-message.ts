/**
 * Several consecutive steps as one thread reply (a busy channel's backlog folded, see
 * src/posting/thread-plan.ts): every step keeps its heading, verdict, summary and cause, in step
 * order, and as much of its evidence as fits its share of one message. When any evidence is
 * cut, the whole of every step's evidence is attached as one JSON file (files allowed) or the
 * CLI command that prints it is given, so nothing is lost by folding.
 */
import type { types } from '@slack/bolt';
import { VERDICT_LABELS, evidenceText, stepNumber } from '../../../src/chat/render/labels';
import type { TriageRecord } from '../../../src/triage/record';
import { STEP_IDS, STEP_TITLES, type StepId } from '../../../src/triage/model';
import type { FileAttachment } from './attachment';
import { PENDING_EMOJI, VERDICT_EMOJI } from './emoji';
import { evidenceBlocks } from './evidence';
import { BlockLimitError, validateMessage } from './limits';
import { code, esc, escFit, sentenceFit } from './mrkdwn';
import { cliHint, type MessageWithFile, type RenderOptions } from './step-message';

const SUMMARY_CHARS = 500;
/** Evidence characters per step, tried from the most down until the message fits Block Kit. */
const EVIDENCE_BUDGETS = [1600, 1200, 900, 600, 400, 250, 0];

function stepBlocks(r: TriageRecord, id: StepId, evidenceBudget: number): { blocks: types.KnownBlock[]; cut: boolean } {
  const result = r.steps.find((s) => s.id === id);
  const heading = `*Step ${stepNumber(id)}/${STEP_IDS.length} · ${esc(STEP_TITLES[id])}*`;
  if (!result) return { blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `${PENDING_EMOJI} ${heading}: not collected yet.` } }], cut: false };
  const lines = [`${VERDICT_EMOJI[result.verdict]} ${heading}: *${VERDICT_LABELS[result.verdict]}*`, sentenceFit(result.summary, SUMMARY_CHARS)];
  if (result.cause) lines.push(`*Cause:* ${code(result.cause, 120)}`);
  const blocks: types.KnownBlock[] = [{ type: 'section', block_id: `step:${id}`, text: { type: 'mrkdwn', text: lines.join('\n') } }];
  const raw = evidenceText(result.evidence);
  if (raw === '{}') return { blocks, cut: result.summary.length > SUMMARY_CHARS };
  const ev = evidenceBlocks(raw, evidenceBudget, 1);
  blocks.push(...ev.blocks);
  return { blocks, cut: ev.cut || result.summary.length > SUMMARY_CHARS };
}

function build(r: TriageRecord, steps: StepId[], opts: RenderOptions, evidenceBudget: number): MessageWithFile {
  const first = stepNumber(steps[0]!);
  const last = stepNumber(steps[steps.length - 1]!);
  const blocks: types.KnownBlock[] = [
    { type: 'context', elements: [{ type: 'mrkdwn', text: `*Steps ${first}–${last} of ${STEP_IDS.length}* in one reply: the channel is busy, so the bot folds the waiting steps.` }] },
  ];
  let cut = false;
  for (const id of steps) {
    const s = stepBlocks(r, id, evidenceBudget);
    blocks.push(...s.blocks);
    cut ||= s.cut;
  }
  const filename = `triage-${r.id}-steps-${first}-${last}.json`;
  let file: FileAttachment | undefined;
  if (cut) {
    if (opts.files) {
      const results = steps.map((id) => r.steps.find((s) => s.id === id)).filter((s) => s !== undefined);
      file = { filename, title: `Steps ${first}–${last}: full evidence`, content: JSON.stringify({ triageId: r.id, requestId: r.input.requestId, zoneId: r.zoneId, steps: results }, null, 2) };
    }
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `Evidence cut to fit one message. ${opts.files ? `The whole of each step's evidence is attached as ${code(filename)}.` : `For all of it run ${code(cliHint(r))}.`}` }],
    });
  }
  const verdicts = steps.map((id) => `${stepNumber(id)} ${r.steps.find((s) => s.id === id)?.verdict ?? 'pending'}`).join(', ');
  const message: MessageWithFile = validateMessage({ text: escFit(`Steps ${first}-${last}: ${verdicts}`, 500), blocks });
  if (file) message.file = file;
  return message;
}

export function buildStepsMessage(r: TriageRecord, steps: StepId[], opts: RenderOptions): MessageWithFile {
  if (steps.length === 0) throw new Error('buildStepsMessage needs at least one step');
  let last: unknown;
  for (const budget of EVIDENCE_BUDGETS) {
    try {
      return build(r, steps, opts, budget);
    } catch (e) {
      if (!(e instanceof BlockLimitError)) throw e;
      last = e;
    }
  }
  throw last;
}
