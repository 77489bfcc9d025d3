/**
 * `explain_error {error}`: what an error an agent was given means and what to check next.
 * Reads an error code, an HTTP status, a whole error body, or the `"<code>: <description>"`
 * line an MCP server protected by Caracal answers with (src/triage/routing.ts routes them all)
 * and answers `{symptom, surface, check, triage}`: `check` says in words what to look at next;
 * `triage` is the same object triage_request returns for `{error}` when the error carries a
 * request ID, else null (a triage without one cannot trace the request).
 */
import { z } from 'zod';
import { outsideText } from '../../render/outside-text';
import { SURFACES, SYMPTOMS, type Surface, type TriageReport } from '../../triage/model';
import { recognizesNothing, routeError, surfaceForSymptom, type RoutedError } from '../../triage/routing';
import { DeploymentArg, named } from './deployment-arg';
import { TriageReportOut } from './schemas';
import { defineTool, type McpToolDeps, type ToolAnswer } from './tool';
import { ErrorText, triageAcross, triageInputOf, type TriageJson } from './triage-request';

const input = {
  error: ErrorText.describe('The error as the agent got it: a code (access_denied), a status (403), a whole error body, or a verifier line such as "insufficient_scope: Required scope is missing".'),
  deployment: DeploymentArg,
};

const output = {
  symptom: z.enum(SYMPTOMS).nullable().describe('What the caller saw, as the triage names it; null when the error does not say'),
  surface: z.enum(SURFACES).nullable().describe('Where to look first; null when the error does not say'),
  check: z.string().describe('What to check next, in words'),
  triage: z
    .union([TriageReportOut, z.object({ results: z.array(TriageReportOut) })])
    .nullable()
    .describe('The whole triage (as triage_request returns it: `{results}` when the request was found in several deployments) when the error carries a request ID, else null'),
};

export interface Explanation {
  symptom: RoutedError['symptom'];
  surface: Surface | null;
  check: string;
  triage: TriageJson | null;
}

/** Where to look first: the route's hint, else the symptom's surface. */
function surfaceOf(r: RoutedError): Surface | null {
  return r.surfaceHint ?? (r.symptom ? surfaceForSymptom(r.symptom) : null);
}

/** The sentences of `check`: why the error routes where it does, then what the evidence adds or what is missing. */
export function checkText(r: RoutedError, triage: TriageJson | null): string {
  const why = outsideText(r.reason);
  if (recognizesNothing(r)) return why;
  const reports = triage === null ? [] : 'results' in triage ? triage.results : [triage];
  const headline = (t: TriageReport): string => `${reports.length > 1 ? `in ${outsideText(t.deployment ?? '')}: ` : ''}${outsideText(t.headline.text)}`;
  if (reports.length) return `${why} Triaged request ${outsideText(reports[0]!.requestId ?? r.requestId ?? '')}: ${reports.map(headline).join(' ')}`;
  return `${why} The error carries no request ID, so the call itself cannot be traced: find its X-Request-Id (or requestId) in the agent's or the resource's logs and call triage_request with it, or call triage_request with this error for readiness and configuration only.`;
}

export async function explainError(args: { error: string; deployment?: string }, deps: McpToolDeps): Promise<ToolAnswer> {
  const routed = routeError(args.error);
  // A deployment named must exist even when there is nothing to triage.
  if (args.deployment !== undefined) {
    const d = named(deps.deployments, args.deployment);
    if (!d.ok) return d;
  }
  let triage: { json: TriageJson; text: string } | null = null;
  if (routed.requestId !== null) {
    const built = triageInputOf({ error: args.error });
    if (!built.ok) return built;
    const r = await triageAcross(deps, built.input, args.deployment);
    if (!r.ok) return r;
    triage = r;
  }
  const explanation: Explanation = { symptom: routed.symptom, surface: surfaceOf(routed), check: checkText(routed, triage?.json ?? null), triage: triage?.json ?? null };
  const text = triage ? `${explanation.check}\n\n${triage.text}` : explanation.check;
  return { ok: true, structured: explanation as unknown as Record<string, unknown>, text };
}

export const EXPLAIN_ERROR = defineTool({
  name: 'explain_error',
  title: 'Explain a Caracal error',
  description: [
    'Explains an error an agent got from Caracal or from a resource Caracal protects: an error code, an HTTP status, a whole error body, or the "<code>: <description>" line a Caracal-protected MCP server answers with. Answers the symptom, the surface to look at first and what to check next.',
    'What it proves: the routing follows Caracal\'s error catalogue (which service emits the code with which status). What it cannot know: an error alone says who refused, not why; Caracal\'s verifier lines carry no request ID, so without one `triage` is null. When the error holds a request ID, `triage` is the whole evidence-backed triage (the same object triage_request returns for this error); read its headline before trusting its diagnosis.',
    'Read-only; secrets are redacted.',
  ].join(' '),
  inputSchema: input,
  outputSchema: output,
  run: explainError,
});
