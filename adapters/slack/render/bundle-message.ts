/**
 * The diagnostic bundle as a thread reply: one line per item (status, summary), the
 * redaction count, and the whole bundle attached as JSON when files are allowed; without
 * files, as much evidence as fits, with the CLI command for the rest.
 */
import type { types } from '@slack/bolt';
import { BUNDLE_ITEM_LABELS, BUNDLE_STATUS_LABELS, evidenceText, oneLine } from '../../../src/chat/render/labels';
import type { TriageRecord } from '../../../src/triage/record';
import type { FileAttachment } from './attachment';
import { BUNDLE_STATUS_EMOJI } from './emoji';
import { evidenceBlocks } from './evidence';
import { validateMessage } from './limits';
import { code, esc, escFit, sentenceFit } from './mrkdwn';
import { EVIDENCE_BUDGET, type MessageWithFile, type RenderOptions } from './step-message';

const ITEM_SUMMARY_CHARS = 300;

export function buildBundleMessage(r: TriageRecord, opts: RenderOptions): MessageWithFile {
  const bundle = r.bundle;
  const about = r.input.requestId ? ` for request ${code(r.input.requestId)}` : '';
  if (!bundle) {
    return validateMessage({
      text: 'Diagnostic bundle: not collected',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:package: *Diagnostic bundle*${about}: not collected.` } }],
    });
  }
  const counts = bundle.items.reduce<Record<string, number>>((acc, i) => ({ ...acc, [i.status]: (acc[i.status] ?? 0) + 1 }), {});
  const tally = Object.entries(counts)
    .map(([status, n]) => `${n} ${BUNDLE_STATUS_LABELS[status as keyof typeof BUNDLE_STATUS_LABELS] ?? esc(status)}`)
    .join(', ');
  const head = `:package: *Diagnostic bundle*${about}: ${tally || 'no items'}. ${bundle.redactions} secret value${bundle.redactions === 1 ? '' : 's'} redacted.`;
  const items = bundle.items
    .map((i) => `${BUNDLE_STATUS_EMOJI[i.status] ?? ':grey_question:'} *${esc(BUNDLE_ITEM_LABELS[i.id] ?? i.id)}* ${sentenceFit(oneLine(i.summary), ITEM_SUMMARY_CHARS)}`)
    .join('\n');
  const blocks: types.KnownBlock[] = [
    { type: 'section', block_id: 'bundle:head', text: { type: 'mrkdwn', text: head } },
    ...(items ? [{ type: 'section', block_id: 'bundle:items', text: { type: 'mrkdwn', text: items } } as types.KnownBlock] : []),
  ];
  const filename = `caracal-bundle-${r.id}.json`;
  const content = JSON.stringify({ triageId: r.id, requestId: r.input.requestId, zoneId: r.zoneId, bundle }, null, 2);
  let file: FileAttachment | undefined;
  if (opts.files) {
    file = { filename, title: 'Caracal diagnostic bundle', content };
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `The whole bundle with its evidence is attached as ${code(filename)}.` }] });
  } else {
    const ev = evidenceBlocks(evidenceText(bundle.items.map((i) => ({ id: i.id, status: i.status, evidence: i.evidence }))), EVIDENCE_BUDGET, 3);
    blocks.push(...ev.blocks);
    if (ev.cut) {
      blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Evidence cut; for all of it run ${code(`caracal-triage bundle${r.zoneId ? ` --zone ${r.zoneId}` : ''} --json`)}.` }] });
    }
  }
  const message: MessageWithFile = validateMessage({ text: escFit(`Caracal diagnostic bundle: ${tally}`, 500), blocks });
  if (file) message.file = file;
  return message;
}
