/**
 * `get_bundle {zone?, deployment?}`: the diagnostic bundle alone, the same object as
 * `caracal-triage bundle [--zone Z] [--deployment D] --json` (src/triage/run.ts runs both); with
 * several deployments it needs `deployment`, as the terminal needs `--deployment`.
 */
import { ZoneRef } from '../../triage/model';
import { runBundle } from '../../triage/run';
import { oneDeployment, DeploymentArg } from './deployment-arg';
import { bundleReportText } from './report-text';
import { BUNDLE_REPORT_SHAPE } from './schemas';
import { defineTool, type McpToolDeps, type ToolAnswer } from './tool';

const input = {
  zone: ZoneRef.optional().describe('The zone to focus on: its ID, slug or name. The last denial is read only with a zone, or when the admin token sees a single zone.'),
  deployment: DeploymentArg.describe("The Caracal deployment to read: a name from the bot's deployments file (`default` without one). Required when the bot serves several: a bundle reads one."),
};

export async function getBundle(args: { zone?: string; deployment?: string }, deps: McpToolDeps): Promise<ToolAnswer> {
  const one = oneDeployment(deps.deployments, args.deployment, 'get_bundle');
  if (!one.ok) return one;
  const outcome = await runBundle(one.deployment.engine, args.zone ?? null);
  if (!outcome.ok) return outcome;
  return { ok: true, structured: outcome.value as unknown as Record<string, unknown>, text: bundleReportText(outcome.value) };
}

export const GET_BUNDLE = defineTool({
  name: 'get_bundle',
  title: 'Collect the Caracal diagnostic bundle',
  description: [
    'Collects the diagnostic bundle of the Caracal deployment, read-only: a redacted configuration summary, service readiness, the zones the admin token sees, the preflight and the provider binding; with a zone (or when the admin token sees a single zone) also that zone\'s last denial and its recent admin changes.',
    'What it proves: each item is read from Caracal at the time of the call (ok, warn, fail, or unavailable with the reason when it could not be read). What it cannot know: it follows no request, so it names no cause of a particular denial; use triage_request with a request ID for that.',
    'The result is the same JSON as `caracal-triage bundle --json`; secrets are redacted.',
  ].join(' '),
  inputSchema: input,
  outputSchema: BUNDLE_REPORT_SHAPE,
  run: getBundle,
});
