/**
 * `triage_request {requestId?, zone?, symptom?, error?, deployment?}`: the whole triage, the same
 * object as `caracal-triage triage [<requestId>] [--zone] [--symptom] [--error] [--deployment] --json`
 * (src/triage/run.ts runs both; deployment-arg.ts decides the deployments as the terminal does). The arguments are checked by the same zod schemas as the terminal's; an error text
 * with nothing of Caracal's in it is refused, as the terminal refuses it, unless a symptom says
 * what the caller saw.
 */
import { z } from 'zod';
import { quoted } from '../../render/outside-text';
import { RequestId, Symptom, SYMPTOMS, ZoneRef, type TriageReport } from '../../triage/model';
import type { TriageInput } from '../../triage/record';
import { recognizesNothing, routeError, unroutableReason } from '../../triage/routing';
import { foundSentence } from '../../triage/deployment-search';
import { runTriage } from '../../triage/run';
import { DeploymentArg, triageTargets } from './deployment-arg';
import { triageReportText } from './report-text';
import { TRIAGE_REQUEST_SHAPE } from './schemas';
import { defineTool, type McpToolDeps, type ToolAnswer } from './tool';

/** The longest error text taken (an error body is small; the router reads at most this much). */
export const MAX_ERROR_TEXT = 64 * 1024;

export const ErrorText = z.string().min(1).max(MAX_ERROR_TEXT);

const input = {
  requestId: RequestId.optional().describe('The X-Request-Id / requestId of the failed call. Without it (and without one in `error`) the triage starts from readiness and cannot trace the request.'),
  zone: ZoneRef.optional().describe("The zone the request belongs to: its ID, slug or name. Otherwise every zone the bot's admin token sees is searched."),
  symptom: Symptom.optional().describe(`What the caller saw, when no error text says it: one of ${SYMPTOMS.join(', ')}.`),
  error: ErrorText.optional().describe('A Caracal error code (e.g. access_denied), an HTTP status, a whole error body, or a verifier line "<code>: <description>"; routed to its symptom, and its request ID used when it holds one.'),
  deployment: DeploymentArg,
};

/** The input as the terminal builds it from the same values; a sentence when the error text cannot be used. */
export function triageInputOf(args: { requestId?: string; zone?: string; symptom?: Symptom; error?: string }): { ok: true; input: TriageInput } | { ok: false; problem: string } {
  const symptom = args.symptom ?? null;
  if (args.error === undefined) return { ok: true, input: { requestId: args.requestId ?? null, zoneId: args.zone ?? null, symptom, error: null, errorRoute: null } };
  const routed = routeError(args.error);
  if (recognizesNothing(routed) && symptom === null) {
    return { ok: false, problem: `error ${quoted(args.error)}: ${unroutableReason(routed)}, or name what the caller saw with symptom (one of ${SYMPTOMS.join(', ')}).` };
  }
  return { ok: true, input: { requestId: args.requestId ?? null, zoneId: args.zone ?? null, symptom, error: args.error, errorRoute: routed } };
}

/** A triage as `triage --json` prints it: the report, or `{results}` when the request was found in several deployments. */
export type TriageJson = TriageReport | { results: TriageReport[] };

/**
 * The triage of `input` in the deployment `name`, or the only one, or every deployment that holds
 * its request (deployment-arg.ts): the same JSON as the terminal's `triage --json`, and a text
 * that says where the request was found when it was looked for.
 */
export async function triageAcross(deps: McpToolDeps, input: TriageInput, name: string | undefined): Promise<{ ok: true; json: TriageJson; text: string } | { ok: false; problem: string }> {
  const targets = await triageTargets(deps.deployments, name, input.requestId ?? input.errorRoute?.requestId ?? null, input.zoneId);
  if (!targets.ok) return targets;
  const outcomes = await Promise.all(targets.deployments.map(async (d) => ({ d, outcome: await runTriage(d.engine, input) })));
  const reports: TriageReport[] = [];
  for (const { d, outcome } of outcomes) {
    if (!outcome.ok) return { ok: false, problem: `${deps.deployments.several ? `${d.name}: ` : ''}${outcome.problem}` };
    reports.push(outcome.value);
  }
  const texts = reports.map((r) => (reports.length > 1 ? `Deployment ${r.deployment ?? ''}:\n` : '') + triageReportText(r));
  const found = targets.search ? `${foundSentence(targets.search)}\n\n` : '';
  return { ok: true, json: reports.length === 1 ? reports[0]! : { results: reports }, text: found + texts.join('\n\n') };
}

export async function triageRequest(args: z.infer<z.ZodObject<typeof input>>, deps: McpToolDeps): Promise<ToolAnswer> {
  const built = triageInputOf(args);
  if (!built.ok) return built;
  const r = await triageAcross(deps, built.input, args.deployment);
  return r.ok ? { ok: true, structured: r.json as unknown as Record<string, unknown>, text: r.text } : r;
}

export const TRIAGE_REQUEST = defineTool({
  name: 'triage_request',
  title: 'Triage a failed Caracal call',
  description: [
    'Runs the whole triage of one failed call to Caracal (authority enforcement for AI agents) against the live deployment, read-only: readiness, configuration, the request trace, grant and policy, policy-set activation, requested scopes, the Gateway route or verifier, and the audit trace, then the diagnostic bundle and the admin changes made before the denial.',
    'What it proves: each step is pass or fail only from evidence read from Caracal (audit rows, inventory, activation status, readiness, metrics), and `diagnosis` names the failing surface and cause with a confidence. What it cannot know: a step Caracal does not expose is `unknown` or `manual`, never guessed; without a request ID the request cannot be traced; when most steps are unknown the headline says "Not determined" and names what to give (a request ID, a zone): treat that as no answer, not as healthy.',
    'With several Caracal deployments and no `deployment`, the request is looked for in every deployment and triaged where it is found (in several: `results`, one report each, each naming its `deployment`); without a request ID, name the deployment.',
    'Give `requestId` whenever you have it. The result is the same JSON as `caracal-triage triage --json`; secrets are redacted. It changes nothing in Caracal.',
  ].join(' '),
  inputSchema: input,
  outputSchema: TRIAGE_REQUEST_SHAPE,
  run: triageRequest,
});
