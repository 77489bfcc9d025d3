/**
 * The output shapes the tools declare (MCP `outputSchema`): the `--json` contracts of the README
 * (src/triage/model.ts `TriageReport`, src/triage/run.ts `BundleReport`). The top level is
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
  names: z.looseObject({ zones: z.record(z.string(), z.string()), applications: z.record(z.string(), z.string()), resources: z.record(z.string(), z.string()), policySets: z.record(z.string(), z.string()) }).describe('What people call the zones, applications, resources and policy sets read, by ID'),
};

export const TriageReportOut = z.object(TRIAGE_REPORT_SHAPE);

/** `caracal-triage bundle --json`. */
export const BUNDLE_REPORT_SHAPE = {
  zoneId: z.string().nullable().describe('The zone as given, or null'),
  items: z.array(BundleItemOut),
  redactions: z.number().int().describe('How many secret values were replaced by redaction'),
  deployment: z.string().optional().describe('The Caracal deployment read'),
};
