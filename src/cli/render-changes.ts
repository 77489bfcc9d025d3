/**
 * The terminal's "Changed before this denial" lines, printed under the diagnosis: the admin
 * changes of the report (ranked: the one named as the cause first), one per line with its
 * relevance. Summaries carry actor names and ids from Caracal, so they pass the outside-text
 * rule like every other string the report prints.
 */
import { outsideText } from '../render/outside-text';
import type { TriageReport } from '../triage/model';
import type { Styler } from './style';

/** Lines shown without --verbose; `--json` and --verbose have all (at most 20). */
export const CHANGE_LINES = 5;

export function renderChanges(report: Pick<TriageReport, 'changes' | 'diagnosis' | 'requestId'>, style: Styler, verbose: boolean): string[] {
  const changes = report.changes ?? [];
  if (changes.length === 0) return [];
  const named = report.diagnosis?.change ?? null;
  const shown = verbose ? changes : changes.slice(0, CHANGE_LINES);
  const out = [style('bold', `  Changed before this ${report.requestId ? 'denial' : 'triage'}`) + style('gray', ` (${changes.length} ranked by relevance to it)`)];
  for (const c of shown) {
    const isCause = named !== null && c.at === named.at && c.requestId === named.requestId && c.entityId === named.entityId;
    const mark = isCause ? style(['bold', 'red'], '▶') : style('gray', '·');
    out.push(`    ${mark} ${style(isCause ? 'red' : 'gray', c.relevance.padEnd(15))} ${outsideText(c.summary)}${c.requestId ? style('gray', ` [${outsideText(c.requestId)}]`) : ''}`);
  }
  if (shown.length < changes.length) out.push(style('gray', `    … ${changes.length - shown.length} more (use --verbose or --json)`));
  return out;
}
