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
import { runTriage } from '../../triage/run';
import { TriageReportOut } from './schemas';
import { defineTool, type McpToolDeps, type ToolAnswer } from './tool';
import { ErrorText, triageInputOf } from './triage-request';
import { triageReportText } from './report-text';

const input = {
  error: ErrorText.describe('The error as the agent got it: a code (access_denied), a status (403), a whole error body, or a verifier line such as "insufficient_scope: Required scope is missing".'),
};

const output = {
  symptom: z.enum(SYMPTOMS).nullable().describe('What the caller saw, as the triage names it; null when the error does not say'),
  surface: z.enum(SURFACES).nullable().describe('Where to look first; null when the error does not say'),
  check: z.string().describe('What to check next, in words'),
  triage: TriageReportOut.nullable().describe('The whole triage (as triage_request returns it) when the error carries a request ID, else null'),
};

export interface Explanation {
  symptom: RoutedError['symptom'];
  surface: Surface | null;
  check: string;
  triage: TriageReport | null;
}

/** Where to look first: the route's hint, else the symptom's surface. */
function surfaceOf(r: RoutedError): Surface | null {
  return r.surfaceHint ?? (r.symptom ? surfaceForSymptom(r.symptom) : null);
}

/** The sentences of `check`: why the error routes where it does, then what the evidence adds or what is missing. */
export function checkText(r: RoutedError, report: TriageReport | null): string {
  const why = outsideText(r.reason);
  if (recognizesNothing(r)) return why;
  if (report) return `${why} Triaged request ${outsideText(report.requestId ?? r.requestId ?? '')}: ${outsideText(report.headline.text)}`;
  return `${why} The error carries no request ID, so the call itself cannot be traced: find its X-Request-Id (or requestId) in the agent's or the resource's logs and call triage_request with it, or call triage_request with this error for readiness and configuration only.`;
}

export async function explainError(args: { error: string }, deps: McpToolDeps): Promise<ToolAnswer> {
  const routed = routeError(args.error);
  let report: TriageReport | null = null;
  if (routed.requestId !== null) {
    const built = triageInputOf({ error: args.error });
    if (!built.ok) return built;
    const outcome = await runTriage(deps.engine, built.input);
    if (!outcome.ok) return outcome;
    report = outcome.value;
  }
  const explanation: Explanation = { symptom: routed.symptom, surface: surfaceOf(routed), check: checkText(routed, report), triage: report };
  const text = report ? `${explanation.check}\n\n${triageReportText(report)}` : explanation.check;
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
