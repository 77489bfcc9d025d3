/**
 * The output shapes the tools declare (MCP `outputSchema`): the `--json` contracts of the README
 * (src/triage/model.ts `TriageReport`, src/triage/run.ts `BundleReport`, src/report/summary.ts
 * `TriageSummaryJson` and `TriageShowJson` for `list` and `show`). The top level is
 * exact; the objects inside are open (`looseObject`), so a field the engine adds later reaches
 * clients without breaking those that validate against the schema.
 */
import { z } from 'zod';
import { BUNDLE_ITEM_IDS, BUNDLE_STATUSES, HEADLINE_STATES, STEP_IDS, SURFACES, SYMPTOMS, VERDICTS } from '../../triage/model';

const Evidence = z.record(z.string(), z.unknown());

const BundleItemOut = z.looseObject({ id: z.enum(BUNDLE_ITEM_IDS), status: z.enum(BUNDLE_STATUSES), summary: z.string(), evidence: Evidence });

const BundleOut = z.looseObject({ items: z.array(BundleItemOut), redactions: z.number().int() });

const DiagnosisOut = z.looseObject({
  surface: z.enum(SURFACES),
  step: z.enum(STEP_IDS),
  cause: z.string(),
  summary: z.string(),
  confidence: z.enum(['high', 'medium', 'low']),
});

const NamesOut = z.looseObject({ zones: z.record(z.string(), z.string()), applications: z.record(z.string(), z.string()), resources: z.record(z.string(), z.string()), policySets: z.record(z.string(), z.string()) });

const HeadlineOut = z.looseObject({ state: z.enum(HEADLINE_STATES), text: z.string(), unchecked: z.array(z.enum(STEP_IDS)), give: z.array(z.string()) });

const StepOut = z.looseObject({ id: z.enum(STEP_IDS), verdict: z.enum(VERDICTS), summary: z.string(), evidence: Evidence, cause: z.string().optional() });

/** `caracal-triage triage --json`. */
export const TRIAGE_REPORT_SHAPE = {
  requestId: z.string().nullable().describe('The request triaged (given, or found in the error), or null'),
  zoneId: z.string().nullable().describe('The zone given or the one the request was found in, or null'),
  symptom: z.enum(SYMPTOMS).nullable(),
  surface: z.enum(SURFACES).nullable().describe('Where the evidence points; null when no symptom was given or found'),
  diagnosis: DiagnosisOut.nullable().describe('The failing surface and its cause; null when no step failed'),
  changes: z.array(z.looseObject({})).describe('Admin changes in the window before the denial, ranked'),
  headline: HeadlineOut.describe('What the report leads with: failing, clear, or undetermined (most steps could not be checked)'),
  steps: z.array(StepOut).describe('The eight steps in order, each with its verdict and evidence'),
  bundle: BundleOut,
  deployment: z.string().optional().describe('The Caracal deployment read (`default` unless CARACAL_DEPLOYMENTS_FILE names several)'),
  names: NamesOut.describe('What people call the zones, applications, resources and policy sets read, by ID'),
};

export const TriageReportOut = z.object(TRIAGE_REPORT_SHAPE);

/**
 * `triage_request`'s output: one report, or, when the request was found in several deployments,
 * `{results: [report, …]}` as `triage --json` prints it; so every field of the report is optional
 * at the top level, and exactly one of the two forms is present.
 */
export const TRIAGE_REQUEST_SHAPE = {
  ...Object.fromEntries(Object.entries(TRIAGE_REPORT_SHAPE).map(([k, v]) => [k, (v as z.ZodType).optional()])),
  results: z.array(z.looseObject(TRIAGE_REPORT_SHAPE)).optional().describe('Present instead of the report when the request was found in several deployments: one report per deployment, each naming it'),
} as z.ZodRawShape;

/** `caracal-triage bundle --json`. */
export const BUNDLE_REPORT_SHAPE = {
  zoneId: z.string().nullable().describe('The zone as given, or null'),
  items: z.array(BundleItemOut),
  redactions: z.number().int().describe('How many secret values were replaced by redaction'),
  deployment: z.string().optional().describe('The Caracal deployment read'),
};

const ActorOut = z.looseObject({ kind: z.string(), id: z.string(), name: z.string().optional() });

/** One stored triage in `caracal-triage list --json` (and the head of `show --json`). */
const TRIAGE_SUMMARY_SHAPE = {
  id: z.string().describe('The triage ID (tri-…), for get_triage'),
  state: z.string().describe('The machine state: locating, routed, walking, resolved, escalated, abandoned (others may be added)'),
  status: z.string().describe('Where it stands, in words, as its chat card says'),
  needsYou: z.boolean().describe('Whether on-call has to act on it now'),
  requestId: z.string().nullable(),
  zoneId: z.string().nullable(),
  zoneName: z.string().nullable(),
  symptom: z.string().nullable(),
  surface: z.string().nullable(),
  cause: z.string().nullable().describe('The diagnosed cause when the bot recorded one'),
  place: z.string().nullable().describe('Where its card went, <platform>:<id>'),
  startedBy: ActorOut,
  source: z.string().describe('What started it: slack_command, alertmanager, …'),
  createdAt: z.string(),
  updatedAt: z.string().describe('When the bot last recorded a change (ISO 8601 UTC): the evidence is as of then'),
  card: z.looseObject({ posted: z.boolean(), link: z.string().nullable() }),
  links: z.looseObject({}).describe('Its page, the Console views and the runbook section; null where not configured'),
};

/** `caracal-triage list [--open] [--limit N] --json`. */
export const TRIAGE_LIST_SHAPE = {
  triages: z.array(z.looseObject(TRIAGE_SUMMARY_SHAPE)).describe('Newest first'),
  more: z.boolean().describe('More matched than the limit'),
};

/** `caracal-triage show <triage-id> --json`. */
export const TRIAGE_SHOW_SHAPE = {
  ...TRIAGE_SUMMARY_SHAPE,
  diagnosis: DiagnosisOut.nullable().describe('The failing surface and cause as recorded; null when none was'),
  steps: z.array(StepOut.extend({ at: z.string().optional() })).describe('The steps recorded, in order, each with when the bot recorded it'),
  history: z.array(z.looseObject({ at: z.string(), actor: ActorOut, action: z.string() })).describe('Who did what, oldest first'),
  changes: z.array(z.looseObject({})),
  bundle: BundleOut.nullable().describe('The diagnostic bundle as collected; null while collecting'),
  names: NamesOut,
  incident: z.looseObject({}).nullable().describe('The incident an incident source opened it for, or null'),
};
