/**
 * `caracal-triage triage [<request-id>] [--zone Z] [--symptom S] [--error E] [--deployment D] [--json]`
 * and `caracal-triage bundle [--zone Z] [--deployment D] [--json]`: the whole triage in-process,
 * no Redis (src/triage/run.ts, which the MCP tools run too).
 *
 * With several deployments (CARACAL_DEPLOYMENTS_FILE) and no --deployment, a triage of a request
 * first looks for it in every deployment (deployment-choice.ts), says where it was found and
 * triages it there; found in several, it is triaged in each (`--json`: `{results: [report, …]}`);
 * found in none, the command says which were searched and asks for --deployment (exit 2).
 *
 * Exit codes: 0 nothing failed; 1 a failing surface was found (a Caracal that cannot be reached
 * or read is one: readiness, surface infrastructure); 2 the triage could not run: bad input or
 * configuration, or Caracal rejected the admin token outright (every Admin API read answered
 * 401; one endpoint's 401 only makes the steps that need it unknown).
 */
import { z } from 'zod';
import { outsideText, quoted, safeJson } from '../../render/outside-text';
import type { TriageInput } from '../../triage/record';
import { RequestId, Symptom, SYMPTOMS, ZoneRef, type TriageReport } from '../../triage/model';
import { recognizesNothing, routeError, unroutableReason, type RoutedError } from '../../triage/routing';
import { foundSentence, notFoundSentence } from '../../triage/deployment-search';
import type { Deployments } from '../../triage/deployments';
import { runBundle, runTriage } from '../../triage/run';
import { EXIT_CANNOT_RUN, EXIT_FINDING, EXIT_OK, UsageError } from '../exit-codes';
import { startProgress } from '../progress';
import { renderBundle, renderReport } from '../render-report';
import { createStyler } from '../style';
import { namedDeployment, openTerminalDeployments, triageTargets } from './deployment-choice';

export interface TriageOptions {
  zone?: string;
  symptom?: string;
  error?: string;
  /** The deployment to read (its name in CARACAL_DEPLOYMENTS_FILE). */
  deployment?: string;
  json?: boolean;
  verbose?: boolean;
}

export interface CommandIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** The settings file read (./.env or --env-file), what it supplied, and the demo that wrote it. */
  settings?: { file: string; fromFile: string[]; demoPid: number | null };
}

/** Whether a process is still running (signal 0 checks without signalling; EPERM means it runs as someone else). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * When Caracal could not be reached at a URL a settings file supplied, the file may be what is
 * wrong (a demo that has stopped, a Caracal that moved): one note naming the file, and the demo
 * that wrote it when its pid is gone. Null when the URL came from the environment.
 */
export function staleSettingsNote(report: Pick<TriageReport, 'diagnosis'>, settings: CommandIo['settings']): string | null {
  if (report.diagnosis?.cause !== 'api_unreachable' || !settings?.fromFile.includes('CARACAL_API_URL')) return null;
  const demo = settings.demoPid !== null && !running(settings.demoPid) ? `, written by \`caracal-triage demo --serve\` (pid ${settings.demoPid}), which is no longer running` : '';
  return `caracal-triage: note: CARACAL_API_URL came from ${settings.file}${demo}: these settings may be stale. Start the demo again (with --write-env to a new file) or point CARACAL_API_URL at a running Caracal.\n`;
}

function firstMessage(err: z.ZodError): string {
  return err.issues[0]?.message ?? 'is invalid';
}

const CHOOSE_SYMPTOM = `or name what the caller saw with --symptom (one of ${SYMPTOMS.join(', ')})`;

/**
 * Validate what the user typed; a bad value is one UsageError (exit 2). Messages quote the bad
 * input made safe for a terminal and cut to ~80 characters.
 */
export function buildTriageInput(requestId: string | undefined, opts: TriageOptions): TriageInput {
  let rid: string | null = null;
  if (requestId !== undefined) {
    const parsed = RequestId.safeParse(requestId);
    if (!parsed.success) throw new UsageError(`request ID ${quoted(requestId)}: ${firstMessage(parsed.error)}`);
    rid = parsed.data;
  }
  let zone: string | null = null;
  if (opts.zone !== undefined) {
    const parsed = ZoneRef.safeParse(opts.zone);
    if (!parsed.success) throw new UsageError(`--zone ${quoted(opts.zone)}: ${firstMessage(parsed.error)}`);
    zone = parsed.data;
  }
  let symptom: Symptom | null = null;
  if (opts.symptom !== undefined) {
    const parsed = Symptom.safeParse(opts.symptom);
    if (!parsed.success) throw new UsageError(`--symptom ${quoted(opts.symptom)}: expected one of ${SYMPTOMS.join(', ')}`);
    symptom = parsed.data;
  }
  let error: string | null = null;
  let errorRoute: RoutedError | null = null;
  if (opts.error !== undefined) {
    if (!opts.error.trim()) throw new UsageError(`--error: give a Caracal error code (e.g. access_denied) or a whole error body, ${CHOOSE_SYMPTOM}`);
    // Checked here so that text with nothing of Caracal's in it is not triaged as "symptom not
    // given"; the route travels in the input, so the session does not route the text again.
    const routed = routeError(opts.error);
    if (recognizesNothing(routed) && symptom === null) {
      throw new UsageError(`--error ${quoted(opts.error)}: ${unroutableReason(routed)}, ${CHOOSE_SYMPTOM}.`);
    }
    error = opts.error;
    errorRoute = routed;
  }
  return { requestId: rid, zoneId: zone, symptom, error, errorRoute };
}

/** Runs `work` with a progress line on stderr, then stops it and closes every deployment's engine. */
async function whileWorking<T>(deployments: Deployments, progress: { stop(): void }, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    progress.stop();
    await deployments.close();
  }
}

export async function runTriageCommand(requestId: string | undefined, opts: TriageOptions, io: CommandIo): Promise<number> {
  const input = buildTriageInput(requestId, opts);
  const { deployments, links } = openTerminalDeployments(io.env);
  const progress = opts.json ? startProgress(io.stderr, '') : startProgress(io.stderr, input.requestId ? `Triaging ${input.requestId}` : input.error ? 'Triaging the pasted error' : 'Checking readiness');
  const run = await whileWorking(deployments, progress, async () => {
    const targets = await triageTargets(deployments, opts.deployment, input.requestId ?? input.errorRoute?.requestId ?? null, input.zoneId);
    const outcomes = await Promise.all(targets.deployments.map(async (d) => ({ d, outcome: await runTriage(d.engine, input) })));
    return { search: targets.search, outcomes };
  });
  const { search, outcomes } = run;
  if (search && outcomes.length === 0) {
    const rid = input.requestId ?? input.errorRoute?.requestId ?? '';
    io.stderr.write(`caracal-triage: ${notFoundSentence(outsideText(rid), search, `Name it with --deployment NAME (one of ${deployments.names.join(', ')}).`)}\n`);
    return EXIT_CANNOT_RUN;
  }
  const failed = outcomes.find((o) => !o.outcome.ok);
  if (failed && !failed.outcome.ok) {
    io.stderr.write(`caracal-triage: ${deployments.several ? `${failed.d.name}: ` : ''}${failed.outcome.problem}\n`);
    return EXIT_CANNOT_RUN;
  }
  const reports = outcomes.flatMap(({ d, outcome }) => (outcome.ok ? [{ d, report: outcome.value }] : []));
  if (opts.json) {
    io.stdout.write(safeJson(reports.length === 1 ? reports[0]!.report : { results: reports.map((r) => r.report) }, 2) + '\n');
  } else {
    const style = createStyler(io.stdout, io.env);
    if (search) io.stdout.write(style('bold', foundSentence(search)) + '\n\n');
    io.stdout.write(reports.map(({ d, report }) => (reports.length > 1 ? style('bold', `Deployment ${d.name}`) + '\n' : '') + renderReport(report, style, !!opts.verbose, links)).join('\n'));
  }
  for (const { report } of reports) {
    const stale = staleSettingsNote(report, io.settings);
    if (stale) io.stderr.write(outsideText(stale.trimEnd()) + '\n');
  }
  return reports.some(({ report }) => report.steps.some((s) => s.verdict === 'fail')) ? EXIT_FINDING : EXIT_OK;
}

export async function runBundleCommand(opts: Pick<TriageOptions, 'zone' | 'json' | 'verbose' | 'deployment'>, io: CommandIo): Promise<number> {
  const input = buildTriageInput(undefined, { zone: opts.zone });
  const { deployments } = openTerminalDeployments(io.env);
  const progress = opts.json ? startProgress(io.stderr, '') : startProgress(io.stderr, 'Collecting the diagnostic bundle');
  const outcome = await whileWorking(deployments, progress, () => runBundle(namedDeployment(deployments.all, opts.deployment, 'The bundle').engine, input.zoneId));
  if (!outcome.ok) {
    io.stderr.write(`caracal-triage: ${outcome.problem}\n`);
    return EXIT_CANNOT_RUN;
  }
  const bundle = outcome.value;
  if (opts.json) io.stdout.write(safeJson(bundle, 2) + '\n');
  else io.stdout.write(renderBundle(bundle, createStyler(io.stdout, io.env), !!opts.verbose).join('\n') + '\n');
  // A Caracal that cannot be reached or read fails the readiness item: a finding, exit 1.
  return bundle.items.some((i) => i.status === 'fail') ? EXIT_FINDING : EXIT_OK;
}
