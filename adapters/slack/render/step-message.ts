/**
 * One step's evidence, posted as a reply in the card's thread: verdict and summary first,
 * then the evidence as code blocks. Evidence that does not fit is cut, and the whole of it
 * is attached as a JSON file when the port may upload files.
 */
import type { types } from '@slack/bolt';
import { VERDICT_LABELS, evidenceText, stepNumber } from '../../../src/chat/render/labels';
import type { TriageRecord } from '../../../src/triage/record';
import { STEP_IDS, STEP_TITLES, type StepId } from '../../../src/triage/model';
import type { FileAttachment } from './attachment';
import { PENDING_EMOJI, VERDICT_EMOJI } from './emoji';
import { evidenceBlocks } from './evidence';
import { type SlackMessage, validateMessage } from './limits';
import { code, esc, sentenceFit } from './mrkdwn';

export interface RenderOptions {
  /** The port can upload files (capability flag). */
  files: boolean;
}

export interface MessageWithFile extends SlackMessage {
  file?: FileAttachment;
}

/** Characters of block text spent on evidence; the rest of the message stays small. */
export const EVIDENCE_BUDGET = 8000;
const EVIDENCE_SECTIONS = 3;

export function cliHint(r: TriageRecord): string {
  return r.input.requestId ? `caracal-triage triage ${r.input.requestId} --json` : 'caracal-triage bundle --json';
}

export function buildStepMessage(r: TriageRecord, stepId: StepId, opts: RenderOptions): MessageWithFile {
  const n = stepNumber(stepId);
  const title = STEP_TITLES[stepId];
  const result = r.steps.find((s) => s.id === stepId);
  const heading = `*Step ${n}/${STEP_IDS.length} · ${esc(title)}*`;
  if (!result) {
    return validateMessage({
      text: `Step ${n} ${title}: not collected yet`,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `${PENDING_EMOJI} ${heading}: not collected yet.` } }],
    });
  }
  const lines = [`${VERDICT_EMOJI[result.verdict]} ${heading}: *${VERDICT_LABELS[result.verdict]}*`, sentenceFit(result.summary, 1500)];
  if (result.cause) lines.push(`*Cause:* ${code(result.cause, 120)}`);
  const blocks: types.KnownBlock[] = [{ type: 'section', block_id: `step:${stepId}`, text: { type: 'mrkdwn', text: lines.join('\n') } }];

  const raw = evidenceText(result.evidence);
  let file: FileAttachment | undefined;
  if (raw !== '{}') {
    const ev = evidenceBlocks(raw, EVIDENCE_BUDGET, EVIDENCE_SECTIONS);
    blocks.push(...ev.blocks);
    if (ev.cut) {
      const filename = `triage-${r.id}-step-${n}-${stepId}.json`;
      if (opts.files) {
        file = {
          filename,
          title: `Step ${n} ${title}: full evidence`,
          content: JSON.stringify({ triageId: r.id, requestId: r.input.requestId, zoneId: r.zoneId, step: stepId, ...result }, null, 2),
        };
      }
      blocks.push({
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `Evidence cut: ${ev.shownChars.toLocaleString('en-US')} of ${ev.totalChars.toLocaleString('en-US')} characters shown. ${
              opts.files ? `The whole of it is attached as ${code(filename)}.` : `For all of it run ${code(cliHint(r))}.`
            }`,
          },
        ],
      });
    }
  }
  const message: MessageWithFile = validateMessage({ text: sentenceFit(`Step ${n} ${title}: ${result.verdict}. ${result.summary}`, 500), blocks });
  if (file) message.file = file;
  return message;
}
