/**
 * Long evidence in Slack: as many code-block sections as fit a character budget, cut on
 * line boundaries, plus a note saying what was left out and where the whole of it is.
 */
import type { types } from '@slack/bolt';
import { LIMITS } from './limits';
import { codeBlock, esc } from './mrkdwn';

const FENCES = 6;

/** Split raw text into pieces whose escaped form fits `max` (lines kept whole when possible). */
function chunks(raw: string, max: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const line of raw.split('\n')) {
    const next = cur === '' ? line : `${cur}\n${line}`;
    if (esc(next).length <= max) {
      cur = next;
      continue;
    }
    if (cur !== '') out.push(cur);
    // A single line longer than a section: hard-cut it into section-sized slices.
    let rest = line;
    while (esc(rest).length > max) {
      let n = max;
      while (esc(rest.slice(0, n)).length > max) n -= esc(rest.slice(0, n)).length - max;
      out.push(rest.slice(0, n));
      rest = rest.slice(n);
    }
    cur = rest;
  }
  if (cur !== '') out.push(cur);
  return out;
}

export interface EvidenceBlocks {
  blocks: types.KnownBlock[];
  /** True when part of the evidence is not shown. */
  cut: boolean;
  shownChars: number;
  totalChars: number;
}

/**
 * Evidence as code-block sections within `budget` characters of block text and at most
 * `maxSections` sections.
 */
export function evidenceBlocks(raw: string, budget: number, maxSections: number): EvidenceBlocks {
  const perSection = LIMITS.sectionText - FENCES - 10;
  const pieces = chunks(raw, perSection);
  const blocks: types.KnownBlock[] = [];
  let used = 0;
  let shown = 0;
  let complete = true;
  for (const piece of pieces) {
    const room = Math.min(LIMITS.sectionText - 10, budget - used);
    if (blocks.length >= maxSections || room < 200) {
      complete = false;
      break;
    }
    const text = codeBlock(piece, room);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
    used += text.length;
    if (esc(piece).length + FENCES > room) {
      // codeBlock cut this piece to fit what was left of the budget.
      shown += Math.max(0, text.length - FENCES - 1);
      complete = false;
      break;
    }
    shown += piece.length;
  }
  return { blocks, cut: !complete, shownChars: complete ? raw.length : Math.min(shown, raw.length), totalChars: raw.length };
}
