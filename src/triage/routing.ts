/**
 * Routing: symptom → surface (the seed's "Route by Symptom" table), and any error a user can
 * paste → symptom. `routeError` accepts a bare code (`access_denied`), a status (`403`), both
 * (`403 access_denied`), a JSON error envelope, a `WWW-Authenticate` header, an SDK message
 * such as `access_denied: policy denied (scope_mismatch) (request_id=…)`, or the one line
 * `<code>: <description>` a resource's Caracal verifier answers with (an MCP server protected by
 * Caracal returns exactly that, e.g. `insufficient_scope: Required scope is missing`, and no
 * request ID). It never throws: input it cannot read routes to symptom null with the reason.
 */
import { z } from 'zod';
import { clip, outsideText } from '../render/outside-text';
import { STS_DENIAL_REASONS, isKnownCode, meaningOfCode, meaningOfDenialReason, meaningOfStatus } from './error-codes';
import type { Surface, Symptom } from './model';
import { GATEWAY_REQUEST_ID_PATTERN } from './model';

/** The seed's routing table, exactly. */
export const SYMPTOM_SURFACE: Readonly<Record<Symptom, Surface>> = {
  config_error: 'configuration',
  unauthenticated: 'authentication',
  token_exchange_denied: 'sts_policy',
  resource_denied: 'resource_verifier',
  scope_insufficient_after_allow: 'resource_definition',
  no_audit_event: 'audit_pipeline',
  access_after_revocation: 'revocation',
};

export function surfaceForSymptom(symptom: Symptom): Surface {
  return SYMPTOM_SURFACE[symptom];
}

export interface RoutedError {
  symptom: Symptom | null;
  /** Where to look first; may differ from the symptom's surface (e.g. resource_not_found → configuration). */
  surfaceHint: Surface | null;
  code: string | null;
  status: number | null;
  /** From the body (`requestId`, `request_id`) or an SDK message `(request_id=…)`. */
  requestId: string | null;
  /** The `X` of STS's `policy denied (X)`: the audit `evaluation_status` or policy diagnostic. */
  policyReason: string | null;
  /** One sentence: why it routes here, or why it could not be routed. */
  reason: string;
}

/** Pasted text is bounded: an error body is small; anything larger is not an error body. */
const MAX_INPUT = 64 * 1024;
const ErrorInput = z.string().trim().min(1, 'empty').max(MAX_INPUT, 'longer than an error body');

/** The shared envelope plus the variants services use (Coordinator `request_id`, SDK `code`/`status`). */
const Envelope = z.looseObject({
  error: z.string().optional(),
  code: z.string().optional(),
  error_description: z.string().optional(),
  message: z.string().optional(),
  requestId: z.string().optional(),
  request_id: z.string().optional(),
  status: z.number().int().optional(),
  statusCode: z.number().int().optional(),
});
type Envelope = z.infer<typeof Envelope>;

const CODE_TOKEN = /\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g;
const POLICY_REASON = /policy denied \(([a-z0-9_]+)\)/i;
const APPROVAL_TEXT = /\bapproval\b/i;
/**
 * STS's client-authentication refusal (services/sts/internal/exchange.go: an unknown, expired or
 * archived application, or a wrong secret; the run-manifest path says "workload"). It is sent
 * only with 401 and before anything is audited, so the body alone is enough to route it.
 */
const CLIENT_AUTH_TEXT = /\binvalid (?:client|workload) credentials\b/i;
/**
 * `<code>: <description>` on one line: the code is declared by its place, like an envelope's
 * `error`, so a code word inside the description is not taken for it. A request-ID label
 * (`request_id: …`) is not a code.
 */
const CODE_FIRST = /^([a-z][a-z0-9]*(?:_[a-z0-9]+)+):[ \t]+(\S[^\n]*)$/;
const REQUEST_ID_LABEL = /^(?:x_)?request_?id$/;
const WWW_AUTH_ERROR = /\berror\s*=\s*"?([a-z_]+)"?/i;
const REQUEST_ID_IN_TEXT = /\b(?:request[_-]?id|requestId|x-request-id)\s*[=:]\s*"?([\x21-\x7e]{1,128}?)"?(?=[\s),;]|$)/i;
const STATUS_PATTERNS = [
  /^\s*(?:HTTP\/[\d.]+\s+)?([1-5]\d\d)\b/i, // "403 access_denied", "HTTP/1.1 401 Unauthorized"
  /\b(?:status|statusCode|http)\s*[=:]?\s*([1-5]\d\d)\b/i, // "status: 403", "HTTP 403"
  /\b([1-5]\d\d)\s+(?:Unauthorized|Forbidden|Not Found|Conflict|Too Many Requests|Bad Request|Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)\b/i,
];

function parseEnvelope(text: string): Envelope | null {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return null;
  try {
    const parsed = Envelope.safeParse(JSON.parse(text.slice(start, end + 1)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The code and description of a `<code>: <description>` line; null for any other text. */
function parseCodeFirst(text: string): { code: string; description: string } | null {
  const hit = CODE_FIRST.exec(text);
  return hit && !REQUEST_ID_LABEL.test(hit[1]!) ? { code: hit[1]!, description: hit[2]! } : null;
}

function findStatus(text: string, envelope: Envelope | null): number | null {
  const fromBody = envelope?.status ?? envelope?.statusCode;
  if (fromBody !== undefined && fromBody >= 100 && fromBody <= 599) return fromBody;
  // Look outside any JSON body so numbers inside descriptions are not taken for statuses.
  const outside = text.replace(/\{[\s\S]*\}/, ' ');
  for (const re of STATUS_PATTERNS) {
    const hit = re.exec(outside);
    if (hit) return Number(hit[1]);
  }
  return null;
}

function validRequestId(v: string | undefined | null): string | null {
  return v && GATEWAY_REQUEST_ID_PATTERN.test(v) ? v : null;
}

function findRequestId(text: string, envelope: Envelope | null): string | null {
  return validRequestId(envelope?.requestId) ?? validRequestId(envelope?.request_id) ?? validRequestId(REQUEST_ID_IN_TEXT.exec(text)?.[1]);
}

/**
 * The code: the envelope's `error`, a WWW-Authenticate `error="…"`, the code in front of a
 * `<code>: <description>` line, else the first known code word in the text.
 */
function findCode(text: string, envelope: Envelope | null, policyReason: string | null, codeFirst: string | null): { code: string | null; unknownCode: string | null } {
  const declared = envelope?.error ?? envelope?.code ?? WWW_AUTH_ERROR.exec(text)?.[1] ?? codeFirst ?? undefined;
  if (declared) return isKnownCode(declared) ? { code: declared, unknownCode: null } : { code: null, unknownCode: declared };
  const words = (text.match(CODE_TOKEN) ?? []).filter((w) => w !== policyReason);
  const known = words.find(isKnownCode);
  if (known) return { code: known, unknownCode: null };
  const bare = /^[a-z][a-z0-9_]*$/.test(text) ? text : null;
  return { code: null, unknownCode: bare ?? words[0] ?? null };
}

function findPolicyReason(text: string, envelope: Envelope | null): string | null {
  const where = [envelope?.error_description, envelope?.message, text].filter((s): s is string => !!s);
  for (const s of where) {
    const hit = POLICY_REASON.exec(s);
    if (hit) return hit[1]!.toLowerCase();
  }
  return null;
}

const unrouted = (reason: string, partial: Partial<RoutedError> = {}): RoutedError => ({
  symptom: null,
  surfaceHint: null,
  code: null,
  status: null,
  requestId: null,
  policyReason: null,
  ...partial,
  reason,
});

export function routeError(input: unknown): RoutedError {
  const parsed = ErrorInput.safeParse(input);
  if (!parsed.success) {
    const why = typeof input === 'string' ? (parsed.error.issues[0]?.message ?? 'unreadable') : `not text (${input === null ? 'null' : typeof input})`;
    return unrouted(`Cannot route this error: it is ${why}. Paste a Caracal error code, an HTTP status or the whole error body.`);
  }
  const text = parsed.data;
  const envelope = parseEnvelope(text);
  const codeFirst = envelope ? null : parseCodeFirst(text);
  const status = findStatus(text, envelope);
  const requestId = findRequestId(text, envelope);
  const { code, unknownCode: unknownWord } = findCode(text, envelope, findPolicyReason(text, envelope), codeFirst?.code ?? null);
  // An audit evaluation_status pasted alone (`scope_mismatch`) means the same as `policy denied (scope_mismatch)`.
  const auditStatus = code === null && unknownWord && (STS_DENIAL_REASONS as readonly string[]).includes(unknownWord) ? unknownWord : null;
  const policyReason = findPolicyReason(text, envelope) ?? auditStatus;
  const unknownCode = auditStatus ? null : unknownWord;
  const found = { status, requestId, policyReason, code };

  // `policy denied (X)` is STS's access_denied message; X is what the audit row records.
  if (policyReason && (code === null || code === 'access_denied') && status !== 401) {
    const meaning = meaningOfDenialReason(policyReason);
    const known = (STS_DENIAL_REASONS as readonly string[]).includes(policyReason) || policyReason === 'no_active_policy_set';
    return {
      ...found,
      code: code ?? 'access_denied',
      symptom: meaning.symptom,
      surfaceHint: meaning.surfaceHint,
      reason: known ? meaning.reason : `STS denied the exchange by policy (reason \`${policyReason}\`); the request trace shows the determining policies.`,
    };
  }
  // STS answers 401/409 access_denied when the approval a retry presents is unknown, expired,
  // rejected or used: that is the exchange's approval step, not the caller's credentials.
  const description = envelope?.error_description ?? envelope?.message ?? codeFirst?.description ?? text;
  if (code === 'access_denied' && APPROVAL_TEXT.test(description)) {
    return {
      ...found,
      symptom: 'token_exchange_denied',
      surfaceHint: 'sts_policy',
      reason: 'STS refused the approval the exchange presented (not found, expired, rejected or already used); the audit row names which.',
    };
  }
  if (code === 'access_denied' && (status === null || status === 401) && CLIENT_AUTH_TEXT.test(description)) {
    const meaning = meaningOfCode(code, 401)!;
    return { ...found, symptom: meaning.symptom, surfaceHint: meaning.surfaceHint, reason: `${meaning.reason} STS sends \`invalid client credentials\` only with 401, and audits nothing for it.` };
  }
  if (code) {
    const meaning = meaningOfCode(code, status)!;
    return { ...found, symptom: meaning.symptom, surfaceHint: meaning.surfaceHint, reason: meaning.reason };
  }
  if (status !== null) {
    const meaning = meaningOfStatus(status);
    const prefix = unknownCode ? `\`${clip(unknownCode, 40)}\` is not a Caracal error code; routed by status. ` : '';
    return { ...found, symptom: meaning.symptom, surfaceHint: meaning.surfaceHint, reason: prefix + meaning.reason };
  }
  if (unknownCode) {
    return unrouted(`\`${clip(unknownCode, 40)}\` is not an error code Caracal emits; paste the whole error body or give the HTTP status.`, found);
  }
  return unrouted(
    requestId
      ? 'The text carries a request ID but no error code or status; the triage will start from the request trace.'
      : 'No Caracal error code, HTTP status or request ID found in the text.',
    found,
  );
}

/**
 * Nothing in the text is Caracal's: no error code, HTTP status, policy reason or request ID.
 * A command given such text cannot be routed, and should say so instead of running unrouted.
 */
export function recognizesNothing(r: RoutedError): boolean {
  return r.symptom === null && r.code === null && r.status === null && r.policyReason === null && r.requestId === null;
}

/**
 * Why text that `recognizesNothing` cannot be routed, as the middle of one sentence (no final
 * stop), for the terminal's `--error` and the MCP tools' `error`: each adds how to name a
 * symptom instead in its own words.
 */
export function unroutableReason(r: RoutedError): string {
  return r.code === null && /^No Caracal/.test(r.reason)
    ? 'no Caracal error code, HTTP status or request ID found in it; give a code (e.g. access_denied) or the whole error body'
    : outsideText(r.reason).replace(/\.$/, '');
}
