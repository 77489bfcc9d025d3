/**
 * `caracal-triage triage [<request-id>] [--zone Z] [--symptom S] [--error E] [--json]`
 * and `caracal-triage bundle [--zone Z] [--json]`: the whole triage in-process, no Redis.
 */
import { z } from 'zod';
import { createCaracalClient } from '../../caracal/client';
import { CaracalApiError } from '../../caracal/errors';
import { createRedactor } from '../../bundle/redact';
import { knownSecrets, loadCaracalConfig } from '../../config/env';
import type { TriageInput } from '../../triage/machine';
import { RequestId, Symptom, SYMPTOMS, ZoneId, type Bundle, type TriageReport } from '../../triage/model';
import { createTriageSession } from '../../triage/session';
import { EXIT_CANNOT_RUN, EXIT_FINDING, EXIT_OK, UsageError } from '../exit-codes';
import { startProgress } from '../progress';
import { renderBundle, renderReport } from '../render-report';
import { createStyler } from '../style';

export interface TriageOptions {
  zone?: string;
  symptom?: string;
  error?: string;
  json?: boolean;
  verbose?: boolean;
}

export interface CommandIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

function firstMessage(err: z.ZodError): string {
  return err.issues[0]?.message ?? 'is invalid';
}

/** Validate what the user typed; a bad value is one UsageError (exit 2). */
export function buildTriageInput(requestId: string | undefined, opts: TriageOptions): TriageInput {
  let rid: string | null = null;
  if (requestId !== undefined) {
    const parsed = RequestId.safeParse(requestId);
    if (!parsed.success) throw new UsageError(`request ID ${JSON.stringify(requestId)}: ${firstMessage(parsed.error)}`);
    rid = parsed.data;
  }
  let zone: string | null = null;
  if (opts.zone !== undefined) {
    const parsed = ZoneId.safeParse(opts.zone);
    if (!parsed.success) throw new UsageError(`--zone ${JSON.stringify(opts.zone)}: ${firstMessage(parsed.error)}`);
    zone = parsed.data;
  }
  let symptom: Symptom | null = null;
  if (opts.symptom !== undefined) {
    const parsed = Symptom.safeParse(opts.symptom);
    if (!parsed.success) throw new UsageError(`--symptom ${JSON.stringify(opts.symptom)}: expected one of ${SYMPTOMS.join(', ')}`);
    symptom = parsed.data;
  }
  let error: string | null = null;
  if (opts.error !== undefined) {
    if (!opts.error.trim()) throw new UsageError('--error: give a Caracal error code (e.g. access_denied) or a whole error body');
    // The session routes it (symptom, and the request ID when none was given).
    error = opts.error;
  }
  return { requestId: rid, zoneId: zone, symptom, error };
}

function prepare(io: CommandIo, input: TriageInput) {
  const config = loadCaracalConfig(io.env);
  const redactor = createRedactor(knownSecrets(io.env));
  const client = createCaracalClient(config);
  const session = createTriageSession(client, { ...input, error: input.error === null ? null : redactor.redactText(input.error).text }, { redactor });
  return { session, client };
}

async function closing<T>(client: { close(): Promise<void> }, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    await client.close();
  }
}

function tokenRejected(e: unknown): e is CaracalApiError {
  return e instanceof CaracalApiError && (e.code === 'invalid_admin_token' || e.status === 401);
}

const TOKEN_REJECTED =
  'Caracal rejected CARACAL_ADMIN_TOKEN (401 invalid_admin_token). Mint a read token with POST /v1/admin-tokens {"name":"triage-bot","scope":"global","capability":"read"} and set it.';

export async function runTriageCommand(requestId: string | undefined, opts: TriageOptions, io: CommandIo): Promise<number> {
  const input = buildTriageInput(requestId, opts);
  const { session, client } = prepare(io, input);
  const progress = opts.json ? startProgress(io.stderr, '') : startProgress(io.stderr, input.requestId ? `Triaging ${input.requestId}` : input.error ? 'Triaging the pasted error' : 'Checking readiness');
  let report: TriageReport;
  try {
    report = await closing(client, () => session.run());
  } catch (e) {
    progress.stop();
    if (tokenRejected(e)) {
      io.stderr.write(`caracal-triage: ${TOKEN_REJECTED}\n`);
      return EXIT_CANNOT_RUN;
    }
    throw e;
  }
  progress.stop();
  // A zone-scoped token with no zones to search cannot locate any request: a configuration
  // problem (exit 2), not a clean bill of health.
  const trace = report.steps.find((s) => s.id === 'request_trace');
  if (report.requestId && trace?.cause === 'admin_token_zone_mismatch') {
    io.stderr.write(`caracal-triage: ${trace.summary}\n`);
    return EXIT_CANNOT_RUN;
  }
  if (opts.json) io.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else io.stdout.write(renderReport(report, createStyler(io.stdout, io.env), !!opts.verbose));
  return report.steps.some((s) => s.verdict === 'fail') ? EXIT_FINDING : EXIT_OK;
}

export async function runBundleCommand(opts: Pick<TriageOptions, 'zone' | 'json' | 'verbose'>, io: CommandIo): Promise<number> {
  const input = buildTriageInput(undefined, { zone: opts.zone });
  const { session, client } = prepare(io, input);
  const progress = opts.json ? startProgress(io.stderr, '') : startProgress(io.stderr, 'Collecting the diagnostic bundle');
  let bundle: Bundle;
  try {
    bundle = await closing(client, () => session.collectBundle());
  } finally {
    progress.stop();
  }
  if (bundle.items.some((i) => i.status === 'unavailable' && (i.evidence as { code?: string }).code === 'invalid_admin_token')) {
    io.stderr.write(`caracal-triage: ${TOKEN_REJECTED}\n`);
    return EXIT_CANNOT_RUN;
  }
  if (opts.json) io.stdout.write(JSON.stringify({ zoneId: input.zoneId, bundle }, null, 2) + '\n');
  else io.stdout.write(renderBundle(bundle, createStyler(io.stdout, io.env), !!opts.verbose).join('\n') + '\n');
  return bundle.items.some((i) => i.status === 'fail') ? EXIT_FINDING : EXIT_OK;
}
