/**
 * The command grammar shared by every chat platform:
 *
 *   triage <request-id> [zone]        triage one request (zone optional: searched when absent)
 *   triage                            readiness first, then pick the symptom with buttons
 *   triage --error <code or body>     route a pasted Caracal error (a bare `{…}` body works too)
 *   triage … --zone Z --symptom S     same options as the CLI
 *   triage … --deployment D           read that Caracal deployment (CARACAL_DEPLOYMENTS_FILE)
 *   bundle [zone] [--deployment D]    collect and post the diagnostic bundle
 *   list [mine|all]                   open triages here, yours anywhere, or every open one
 *   show <triage-id>                  where a triage's card is and where it stands
 *   status | help
 *
 * A zone is its ID, slug or name; a name with spaces goes in quotes (`--zone "Payments EU"`).
 *
 * Input is validated with zod (the model's RequestId/ZoneId/Symptom); anything malformed
 * becomes one `invalid` result whose message explains the problem with an example, so the
 * adapter answers once and starts nothing.
 */
import { outsideText } from '../render/outside-text';
import { z } from 'zod';
import { RequestId, SYMPTOMS, Symptom, ZoneRef } from '../triage/model';
import { type Command, EXAMPLE_REQUEST_ID, type GrammarOptions } from './command';
import { routeError } from '../triage/routing';
import { normaliseErrorText } from './error-body';
import { isDotSegment } from '../caracal/path';
import { DEPLOYMENT_NAME } from '../caracal/deployments-file';

const TriageArgs = z.object({
  requestId: RequestId.nullable(),
  zoneId: ZoneRef.nullable(),
  symptom: Symptom.nullable(),
  error: z.string().min(1).nullable(),
});

/** A deployment's name (checked against the configured ones by the flow). */
const Deployment = z.string().regex(DEPLOYMENT_NAME);

const DEFAULT_OPTIONS: GrammarOptions = { prefix: '/caracal' };

/** Echo a piece of user input inside an explanation without letting it format or mention anything. */
export function showInput(s: string): string {
  // The one outside-text rule first (bidi and zero-width characters shown as [U+XXXX], controls
  // removed), as on every other path, so a refusal cannot reorder or hide what it echoes.
  const clean = outsideText(s).replace(/[`<>]/g, '?');
  return clean.length > 48 ? `${clean.slice(0, 47)}…` : clean;
}

function describeBadChar(s: string): string {
  const bad = Array.from(s).find((c) => !/^[\x21-\x7e]$/.test(c));
  if (bad === undefined) return s.length > 128 ? ` (it is ${s.length} characters long)` : '';
  const cp = bad.codePointAt(0) ?? 0;
  return ` (it contains “${outsideText(bad)}”, U+${cp.toString(16).toUpperCase().padStart(4, '0')}; chat apps sometimes turn "-" into a dash)`;
}

/** Opening quote → its closing quote (chat apps turn "…" into curly quotes). */
const QUOTES: Record<string, string> = { '"': '"', "'": "'", '`': '`', '“': '”', '‘': '’', '„': '“', '«': '»' };

/** Strip the quotes or backticks people wrap IDs and zone names in. */
function unwrap(token: string): string {
  const close = QUOTES[token[0] ?? ''];
  return close && token.length >= 2 && token.endsWith(close) ? token.slice(1, -1) : token;
}

interface Word {
  text: string;
  /** Offset just after the word in the original text (for "rest of line" options). */
  end: number;
}

/**
 * The words of a command; a word that opens with a quote runs to its closing quote, spaces and
 * all (`--zone "Payments EU"`). An unclosed quote ends at the next space like any word.
 * Hand-written: a shell-words package would also take backslashes and `$`, which people paste
 * inside error bodies and IDs, as syntax.
 */
function words(text: string): Word[] {
  const out: Word[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++;
      continue;
    }
    const close = QUOTES[text[i]!];
    const closing = close ? text.indexOf(close, i + 1) : -1;
    let end = closing > i ? closing + 1 : i;
    if (closing <= i) while (end < text.length && !/\s/.test(text[end]!)) end++;
    out.push({ text: text.slice(i, end), end });
    i = end;
  }
  return out;
}

export function helpText(opts: GrammarOptions = DEFAULT_OPTIONS): string {
  const p = opts.prefix;
  return [
    'Caracal triage: find the failing surface of a denied Caracal call and its cause.',
    `• \`${p} triage <request-id> [zone]\`: triage one request, e.g. \`${p} triage ${EXAMPLE_REQUEST_ID}\``,
    `• \`${p} triage\`: check readiness first, then pick the symptom`,
    `• \`${p} triage --error <code or error body>\`: route a pasted Caracal error, e.g. \`${p} triage --error access_denied\``,
    `• \`${p} bundle [zone]\`: collect the diagnostic bundle into this channel`,
    `• \`${p} list\`: the open triages in this channel (\`list mine\`: the ones you started or acted on; \`list all\`: every open one, for people the operators named)`,
    `• \`${p} show <triage-id>\`: where that triage's card is and where it stands`,
    `• \`${p} status\`: is the bot ready`,
    `Options for \`triage\`: \`--zone <zone>\` (its ID, slug or name; quote a name with spaces), \`--symptom <${SYMPTOMS.join('|')}>\`${opts.deployments && opts.deployments.length > 1 ? `, \`--deployment <${opts.deployments.join('|')}>\`` : ''}.`,
  ].join('\n');
}

function invalid(message: string, opts: GrammarOptions): Command {
  return { kind: 'invalid', message: `${message}\nExample: \`${opts.prefix} triage ${EXAMPLE_REQUEST_ID}\` (or \`${opts.prefix} help\`).` };
}

function explainIssue(issue: z.core.$ZodIssue, value: unknown, opts: GrammarOptions): Command {
  const field = String(issue.path[0] ?? '');
  const shown = typeof value === 'string' ? showInput(value) : '';
  if ((field === 'requestId' || field === 'zoneId') && typeof value === 'string' && isDotSegment(value)) {
    return invalid(`\`${shown}\` is not a ${field === 'zoneId' ? 'zone' : 'request'} ID: ${field === 'zoneId' ? 'a zone' : 'a request'} ID cannot be "." or ".." (it would name a parent path).`, opts);
  }
  switch (field) {
    case 'requestId':
      return invalid(
        `\`${shown}\` is not a request ID: a request ID is 1 to 128 printable ASCII characters without spaces${typeof value === 'string' ? describeBadChar(value) : ''}.`,
        opts,
      );
    case 'zoneId':
      return invalid(`\`${shown}\` is not a zone: give its ID, slug or name (at most 128 characters, no control or invisible characters; quote a name with spaces).`, opts);
    case 'symptom':
      return invalid(`\`${shown}\` is not a symptom; use one of: ${SYMPTOMS.join(', ')}.`, opts);
    default:
      return invalid(`\`--error\` needs a Caracal error code or a pasted error body.`, opts);
  }
}

function parseTriage(text: string, rest: Word[], opts: GrammarOptions): Command {
  const positional: string[] = [];
  let zoneFlag: string | null = null;
  let symptom: string | null = null;
  let error: string | null = null;
  let deployment: string | null = null;
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i];
    const [flag, inline] = w.text.startsWith('--') ? w.text.split(/=(.*)/s, 2) : [w.text, undefined];
    if (flag === '--error') {
      // --error takes the rest of the line: error bodies have spaces in them.
      error = normaliseErrorText(inline !== undefined ? `${inline}${text.slice(w.end)}` : text.slice(w.end));
      if (!error) return invalid('`--error` needs a Caracal error code or a pasted error body.', opts);
      break;
    }
    if (flag === '--zone' || flag === '--symptom' || flag === '--deployment') {
      const value = inline ?? rest[++i]?.text;
      if (value === undefined || value === '') return invalid(`\`${flag}\` needs a value.`, opts);
      if (flag === '--zone') zoneFlag = unwrap(value);
      else if (flag === '--deployment') deployment = unwrap(value);
      else symptom = value.toLowerCase();
      continue;
    }
    if (w.text.startsWith('--')) {
      return invalid(`Unknown option \`${showInput(flag)}\` for \`triage\`; options are --zone, --symptom, --deployment and --error.`, opts);
    }
    if (w.text.startsWith('{')) {
      // A pasted JSON error body without --error.
      error = normaliseErrorText(text.slice(w.end - w.text.length));
      break;
    }
    positional.push(unwrap(w.text));
  }
  if (positional.length > 2) {
    return invalid(`\`triage\` takes a request ID and an optional zone; \`${showInput(positional[2])}\` is one word too many.`, opts);
  }
  if (positional[1] !== undefined && zoneFlag !== null) {
    return invalid('Give the zone either after the request ID or with `--zone`, not both.', opts);
  }
  if (deployment !== null && !Deployment.safeParse(deployment).success) return badDeployment(deployment, opts);
  const routed = error ? routeError(error) : null;
  if (routed && routed.symptom === null && routed.requestId === null && positional[0] === undefined) {
    // Nothing to go on: say why now rather than start a triage that can only ask again.
    return invalid(routed.reason, opts);
  }
  const candidate = {
    requestId: positional[0] ?? routed?.requestId ?? null,
    zoneId: positional[1] ?? zoneFlag,
    symptom,
    error,
  };
  const parsed = TriageArgs.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return explainIssue(issue, candidate[issue.path[0] as keyof typeof candidate], opts);
  }
  const input = routed ? { ...parsed.data, errorRoute: routed } : parsed.data;
  return { kind: 'triage', input: deployment !== null ? { ...input, deployment } : input };
}

function badDeployment(value: string, opts: GrammarOptions): Command {
  const known = opts.deployments?.length ? ` (the deployments are ${opts.deployments.join(', ')})` : '';
  return invalid(`\`${showInput(value)}\` is not a deployment name${known}.`, opts);
}

/** `--deployment D` or `--deployment=D` out of a bundle's words: the name, the other words, or a problem. */
function takeDeployment(args: string[], opts: GrammarOptions): { deployment: string | null; rest: string[] } | { invalid: Command } {
  const at = args.findIndex((a) => a === '--deployment' || a.startsWith('--deployment='));
  if (at < 0) return { deployment: null, rest: args };
  const inline = args[at]!.includes('=');
  const value = unwrap(inline ? args[at]!.slice('--deployment='.length) : (args[at + 1] ?? ''));
  if (value === '') return { invalid: invalid('`--deployment` needs a value.', opts) };
  if (!Deployment.safeParse(value).success) return { invalid: badDeployment(value, opts) };
  return { deployment: value, rest: [...args.slice(0, at), ...args.slice(at + (inline ? 1 : 2))] };
}

function parseBundle(words: Word[], opts: GrammarOptions): Command {
  const taken = takeDeployment(words.map((w) => w.text), opts);
  if ('invalid' in taken) return taken.invalid;
  const args = taken.rest;
  const named = taken.deployment !== null ? { deployment: taken.deployment } : {};
  let zone: string | null = null;
  if (args[0] === '--zone' || args[0]?.startsWith('--zone=')) {
    zone = args[0].includes('=') ? args[0].slice('--zone='.length) : (args[1] ?? '');
    if (args.length > (args[0].includes('=') ? 1 : 2)) return invalid('`bundle` takes at most a zone.', opts);
  } else {
    if (args.length > 1) return invalid('`bundle` takes at most a zone.', opts);
    zone = args[0] ?? null;
  }
  if (zone === null) return { kind: 'bundle', zoneId: null, ...named };
  const z = ZoneRef.safeParse(unwrap(zone));
  if (!z.success) return explainIssue({ ...z.error.issues[0]!, path: ['zoneId'] }, unwrap(zone), opts);
  return { kind: 'bundle', zoneId: z.data, ...named };
}

function parseList(rest: Word[], opts: GrammarOptions): Command {
  const scope = rest.map((w) => w.text.toLowerCase());
  if (scope.length === 0 || (scope.length === 1 && ['here', 'open'].includes(scope[0]!))) return { kind: 'list', scope: 'here' };
  if (scope.length === 1 && (scope[0] === 'all' || scope[0] === '--all')) return { kind: 'list', scope: 'all' };
  if (scope.length === 1 && (scope[0] === 'mine' || scope[0] === 'me')) return { kind: 'list', scope: 'mine' };
  return invalid(`\`list\` takes nothing, \`mine\` or \`all\`; \`${showInput(rest.map((w) => w.text).join(' '))}\` is not one of them.`, opts);
}

/** Triage IDs as the store makes them (src/store/ids.ts); checked loosely here, the store says whether one exists. */
const TRIAGE_ID = /^tri-[0-9a-z]{10,40}$/;

function parseShow(rest: Word[], opts: GrammarOptions): Command {
  const id = rest.length === 1 ? unwrap(rest[0]!.text).toLowerCase() : '';
  if (rest.length !== 1 || !TRIAGE_ID.test(id)) {
    const got = rest.length ? ` (\`${showInput(rest.map((w) => w.text).join(' '))}\` is not one)` : '';
    return { kind: 'invalid', message: `\`show\` takes one triage ID, e.g. \`${opts.prefix} show tri-01jf3k2m4n5p6q7r8s9t0v1w2x\`${got}; \`${opts.prefix} list\` shows the IDs of this channel's triages.` };
  }
  return { kind: 'show', triageId: id };
}

/**
 * Parse what follows the command name (`/caracal <text>`, or the mention-stripped Teams text).
 * Platform escaping (Slack's `&lt;`, Teams' HTML) must already be undone by the adapter.
 */
export function parseCommand(text: string, opts: GrammarOptions = DEFAULT_OPTIONS): Command {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'help' };
  if (trimmed.startsWith('{')) return parseTriage(trimmed, words(trimmed), opts);
  const all = words(trimmed);
  const [first, ...rest] = all;
  switch (first.text.toLowerCase()) {
    case 'help':
    case '-h':
    case '--help':
    case '?':
      return { kind: 'help' };
    case 'status':
      return rest.length === 0 ? { kind: 'status' } : invalid('`status` takes no arguments.', opts);
    case 'bundle':
      return parseBundle(rest, opts);
    case 'list':
    case 'ls':
      return parseList(rest, opts);
    case 'show':
      return parseShow(rest, opts);
    case 'triage':
      return parseTriage(trimmed, rest, opts);
    default: {
      const asId = unwrap(first.text);
      if (RequestId.safeParse(asId).success && rest.length <= 1) {
        return {
          kind: 'invalid',
          message: `Unknown command \`${showInput(first.text)}\`. To triage that request, use \`${opts.prefix} triage ${showInput(asId)}\`. Commands: triage, bundle, list, show, status, help.`,
        };
      }
      return invalid(`Unknown command \`${showInput(first.text)}\`. Commands: triage, bundle, list, show, status, help.`, opts);
    }
  }
}
