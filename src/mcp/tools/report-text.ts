/**
 * The text a model reads first, from the same report the structured content carries: the
 * headline (src/triage/headline.ts: failing, clear, or "Not determined: N of 8 steps could not
 * be checked …", never a confident answer where most steps are unknown), the diagnosis, one
 * line per step and per bundle item. Outside values pass the outside-text rule, so nothing in
 * them can act as a control sequence; the words are the engine's own.
 */
import { outsideText } from '../../render/outside-text';
import type { BundleItem, TriageReport } from '../../triage/model';
import type { BundleReport } from '../../triage/run';

const line = (text: string): string => outsideText(text);

function bundleLines(items: readonly BundleItem[]): string[] {
  return items.map((i) => `- ${i.id}: ${i.status}. ${line(i.summary)}`);
}

export function triageReportText(report: TriageReport): string {
  const out = [line(report.headline.text)];
  if (report.diagnosis) out.push(`Cause: ${line(report.diagnosis.summary)}`);
  if (report.headline.state === 'undetermined') out.push('This is not a clean bill of health: the unchecked steps hold no evidence either way.');
  out.push('', 'Steps (pass, fail, unknown = could not be checked, manual = needs a person, skipped):');
  for (const s of report.steps) out.push(`- ${s.id}: ${s.verdict}. ${line(s.summary)}`);
  if (report.changes.length > 0) out.push('', `${report.changes.length} admin change(s) in the window before the denial are listed in \`changes\`.`);
  out.push('', `Bundle (${report.bundle.redactions} secret value(s) redacted):`, ...bundleLines(report.bundle.items));
  out.push('', 'The structured content is the whole report, the same JSON as `caracal-triage triage --json`.');
  return out.join('\n');
}

export function bundleReportText(bundle: BundleReport): string {
  const failing = bundle.items.filter((i) => i.status === 'fail').map((i) => i.id);
  const head = failing.length > 0 ? `Bundle: ${failing.join(', ')} failed.` : 'Bundle: no item failed.';
  return [head, `(${bundle.redactions} secret value(s) redacted)`, ...bundleLines(bundle.items), '', 'The structured content is the same JSON as `caracal-triage bundle --json`.'].join('\n');
}
