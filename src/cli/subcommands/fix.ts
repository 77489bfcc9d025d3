/**
 * `caracal-triage fix <request-id> --plan [--zone Z] [--deployment D] [--json]`: the remedy the
 * bot would propose in chat (README "Acting from chat"), without applying anything. It runs the
 * triage in-process (as `triage` does) in the deployment `--deployment` names, or the only one,
 * or the one that holds the request (looked for in each, as `triage` does; in several, it asks
 * which), then plans there: for a diagnosis a policy-set version can end, the newest version
 * Caracal's policy simulation says allows the denied call. The simulation needs a write token:
 * that deployment's fix token when set (`fixTokenFile`; CARACAL_FIX_TOKEN for the single
 * deployment; a dry run changes nothing), else its admin token (a read token is refused, and
 * the plan says so).
 *
 * Exit codes: 0 a remedy; 1 the triage found a cause the bot has no remedy for, or nothing
 * failed; 2 it could not run (bad input or configuration, the admin token rejected outright).
 * `--json`: `{requestId, diagnosis, remedy: {kind, zoneId, policySetId, fromVersionId,
 * toVersionId, allows} | null, reason, deployment}`.
 */
import { createActClient, type CaracalActClient } from '../../caracal/act-client';
import { CaracalApiError } from '../../caracal/errors';
import { loadFixPlanConfig } from '../../app/config';
import { planFix, type Plan } from '../../act/fix/plan';
import { planReads } from '../../act/fix/read';
import { outsideText, safeJson } from '../../render/outside-text';
import { foundSentence, notFoundSentence } from '../../triage/deployment-search';
import { openDeployments } from '../../triage/deployments';
import type { TriageReport } from '../../triage/model';
import { EXIT_CANNOT_RUN, EXIT_FINDING, EXIT_OK, UsageError } from '../exit-codes';
import { startProgress } from '../progress';
import { triageTargets } from './deployment-choice';
import { buildTriageInput, type CommandIo } from './triage';

export interface FixOptions {
  plan?: boolean;
  zone?: string;
  deployment?: string;
  json?: boolean;
}

/** The remedy as the `--json` contract spells it. */
function contract(plan: Plan): Record<string, unknown> | null {
  const r = plan.remedy;
  return r ? { kind: r.kind, zoneId: r.zoneId, policySetId: r.policySetId, fromVersionId: r.fromVersionId, toVersionId: r.toVersionId, allows: r.allows } : null;
}

function human(report: TriageReport, plan: Plan): string {
  const lines: string[] = [];
  const d = report.diagnosis;
  lines.push(d ? `Diagnosis: ${outsideText(d.cause)} at step ${d.step} (${d.surface}): ${outsideText(d.summary)}` : 'Diagnosis: nothing failed.');
  const r = plan.remedy;
  if (r) {
    const v = (id: string | null, n: number | null) => (id === null ? 'none' : n !== null ? `v${n} (${outsideText(id)})` : outsideText(id));
    lines.push(
      `Remedy: activate policy-set version ${v(r.toVersionId, r.toVersion)} of ${outsideText(r.policySetName ?? r.policySetId)} in zone ${outsideText(r.zoneId)}.`,
      `  Active now: ${v(r.fromVersionId, r.fromVersion)}.`,
      `  It allows: ${outsideText(r.allows.application ?? r.allows.applicationId ?? 'the application')} on ${outsideText(r.allows.resource ?? 'the resource')}${r.allows.scopes.length ? ` with ${r.allows.scopes.map((x) => outsideText(x)).join(', ')}` : ''} (request ${outsideText(r.allows.requestId)}).`,
      `  Why: ${outsideText(plan.reason)}`,
      '  Nothing was changed. In chat, *Propose fix* on the card proposes it and a second person applies it.',
    );
  } else {
    lines.push(`No remedy: ${outsideText(plan.reason)}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function runFixCommand(requestId: string, opts: FixOptions, io: CommandIo): Promise<number> {
  if (!opts.plan) throw new UsageError('fix: give --plan (the terminal only prints the remedy; applying it takes a second person, in chat: README "Acting from chat")');
  const input = buildTriageInput(requestId, { zone: opts.zone });
  const config = loadFixPlanConfig(io.env);
  const deployments = openDeployments(config.deployments.deployments, config.secrets);
  const progress = opts.json ? startProgress(io.stderr, '') : startProgress(io.stderr, `Triaging ${input.requestId} and planning a fix`);
  let fixClient: CaracalActClient | null = null;
  try {
    const targets = await triageTargets(deployments, opts.deployment, input.requestId, input.zoneId);
    if (targets.deployments.length !== 1) {
      progress.stop();
      const howToName = `Name it with --deployment NAME (one of ${deployments.names.join(', ')}).`;
      if (targets.deployments.length === 0) io.stderr.write(`caracal-triage: ${notFoundSentence(outsideText(input.requestId ?? ''), targets.search!, howToName)}\n`);
      else io.stderr.write(`caracal-triage: ${foundSentence(targets.search!)} A fix is planned in one deployment: ${howToName}\n`);
      return EXIT_CANNOT_RUN;
    }
    const d = targets.deployments[0]!;
    const engine = d.engine;
    // This deployment's own write token, taking from its call budget.
    const fixToken = d.settings.fixToken ?? config.fixToken;
    fixClient = fixToken ? createActClient(d.settings.caracal, fixToken, { budget: engine.budget }) : null;
    let report: TriageReport;
    try {
      report = await engine.session(input).run();
    } catch (e) {
      if (e instanceof CaracalApiError) {
        progress.stop();
        io.stderr.write(`caracal-triage: Caracal rejected ${deployments.several ? `the admin token of ${d.name}` : 'CARACAL_ADMIN_TOKEN'} (${e.status} ${outsideText(e.code)} on every Admin API read).\n`);
        return EXIT_CANNOT_RUN;
      }
      throw e;
    }
    const trace = report.steps.find((s) => s.id === 'request_trace');
    if (trace?.cause === 'admin_token_zone_mismatch') {
      progress.stop();
      io.stderr.write(`caracal-triage: ${outsideText(trace.summary)}\n`);
      return EXIT_CANNOT_RUN;
    }
    const reads = report.requestId && report.zoneId
      ? planReads({ reads: engine.freshClient, simulator: fixClient ?? engine.freshClient, zoneId: report.zoneId, requestId: report.requestId })
      : null;
    const plan: Plan = reads
      ? await planFix({ requestId: report.requestId, zoneId: report.zoneId, diagnosis: report.diagnosis }, reads)
      : await planFix({ requestId: report.requestId, zoneId: report.zoneId, diagnosis: report.diagnosis }, { deniedCall: async () => ({ ok: true, value: null }), policySets: async () => ({ ok: true, value: [] }), versions: async () => ({ ok: true, value: [] }), simulate: async () => ({ ok: true, value: {} }) });
    progress.stop();
    if (opts.json) io.stdout.write(safeJson({ requestId: report.requestId, diagnosis: report.diagnosis, remedy: contract(plan), reason: plan.reason, deployment: d.name }, 2) + '\n');
    else io.stdout.write((targets.search ? `${foundSentence(targets.search)}\n` : deployments.several ? `Deployment ${d.name}.\n` : '') + human(report, plan));
    return plan.remedy ? EXIT_OK : EXIT_FINDING;
  } finally {
    progress.stop();
    await Promise.all([deployments.close(), fixClient?.close()]);
  }
}
