/**
 * `caracal-triage list [--open] [--channel C] [--limit N] [--json]` and
 * `caracal-triage show <triage-id> [--json|--markdown]`: find a triage again from a terminal,
 * reading the bot's store (REDIS_URL; without it, one line and exit 2) as the chat commands do.
 * Human output says where each triage stands in words, names zones, and gives times in this
 * machine's zone (`TZ` honoured); `--json` keeps IDs and ISO 8601 UTC (shapes in the README,
 * report/summary.ts); `--markdown` is the postmortem export (report/markdown.ts), with the
 * bot's audit chain checked when TRIAGE_SIGNING_KEY is set. Everything read passes the
 * redactor before it is printed, as chat does; the `--json` objects are report/find-json.ts, the
 * functions the MCP tools list_triages and get_triage answer with.
 *
 * Exit codes: 0 listed or shown; 1 `show` found no such triage; 2 could not run (bad
 * arguments, no REDIS_URL, Redis unreachable).
 */
import type { Redis } from 'ioredis';
import { loadFindConfig, type FindConfig } from '../../app/config';
import { CHANNEL_ADDRESSES } from '../../app/platforms';
import { readAuditTrail } from '../../audit/trail';
import { verifyAuditChain } from '../../audit/verify';
import { createRedactor, type Redactor } from '../../redact/redact';
import { outsideText, safeJson } from '../../render/outside-text';
import { DEFAULT_LIST_LIMIT, listTriagesJson, MAX_LIST_LIMIT, showTriageJson, TRIAGE_ID_EXAMPLE, TriageIdRef, type TriageFinder } from '../../report/find-json';
import type { AuditTrail, FoundTriage } from '../../report/found';
import { linkLines } from '../render-report';
import { postmortemMarkdown } from '../../report/markdown';
import { triageLinks } from '../../report/links';
import { stateText } from '../../report/state-words';
import { zoneWords } from '../../report/summary';
import { readStoreOnce } from '../../store/one-read';
import { STEP_IDS, STEP_TITLES } from '../../triage/model';
import { withNames } from '../../triage/names';
import { localTime } from '../../time/local';
import { EXIT_CANNOT_RUN, EXIT_FINDING, EXIT_OK, UsageError } from '../exit-codes';
import { createStyler, type Styler } from '../style';
import type { CommandIo } from './triage';

export interface ListOptions {
  open?: boolean;
  channel?: string;
  limit?: string;
  json?: boolean;
}

export interface ShowOptions {
  json?: boolean;
  markdown?: boolean;
}

const safe = (v: unknown): string => outsideText(v);

/** What one command reads with: its settings, the connection (for the audit log), the index, the redactor. */
interface FindRun {
  config: FindConfig;
  redis: Redis;
  finder: TriageFinder;
  redactor: Redactor;
}

/** Opens the store for one read (src/store/one-read.ts, as `caracal-triage mcp` reads it). */
async function withStore<T>(io: CommandIo, run: (r: FindRun) => Promise<T>): Promise<T | number> {
  const config = loadFindConfig(io.env);
  const redactor = createRedactor(config.secrets);
  const read = await readStoreOnce(config.store.redisUrl, ({ redis, finder }) => run({ config, redis, finder, redactor }));
  if (read.ok) return read.value;
  io.stderr.write(`caracal-triage: ${read.error.message}\n`);
  return EXIT_CANNOT_RUN;
}

const linkContext = (config: FindConfig) => ({ config: config.links, signingKey: config.store.signingKey, now: new Date() });

function triageLines(f: FoundTriage, config: FindConfig, style: Styler): string[] {
  const r = f.record;
  const zone = zoneWords(r);
  const facts = [
    r.input.requestId ? `request ${safe(r.input.requestId)}` : r.incident ? `incident ${safe(r.incident.title)}` : 'readiness first',
    zone ? `zone ${safe(zone)}` : null,
    f.place ? safe(f.place) : null,
    `started ${localTime(r.createdAt)}`,
    `by ${safe(f.startedBy.name ?? f.startedBy.id)}`,
  ].filter(Boolean);
  const links = triageLinks(r, linkContext(config));
  const where = [f.cardLink && `card ${safe(f.cardLink)}`, links.page && `page ${links.page}`].filter(Boolean);
  return [
    `${style('bold', r.id)}  ${safe(stateText(r))}`,
    style('gray', `  ${facts.join(' · ')}`),
    ...(where.length ? [style('gray', `  ${where.join(' · ')}`)] : []),
  ];
}

function parseLimit(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LIST_LIMIT;
  if (!/^\d{1,3}$/.test(text) || Number(text) < 1 || Number(text) > MAX_LIST_LIMIT) throw new UsageError(`--limit ${JSON.stringify(outsideText(text).slice(0, 20))}: give a whole number from 1 to ${MAX_LIST_LIMIT}`);
  return Number(text);
}

/** `--channel slack:C0123` → the place the index keys it by (as `list` in that channel finds it). */
function placeOf(channel: string | undefined): string | undefined {
  if (channel === undefined) return undefined;
  const r = CHANNEL_ADDRESSES.parse(channel);
  if (!r.ok) throw new UsageError(`--channel: ${outsideText(r.message)}`);
  return CHANNEL_ADDRESSES.format(r.address);
}

export async function runListCommand(opts: ListOptions, io: CommandIo): Promise<number> {
  const limit = parseLimit(opts.limit);
  const place = placeOf(opts.channel);
  const query = { ...(place ? { place } : {}), open: !!opts.open, limit };
  return withStore(io, async ({ config, finder, redactor }) => {
    if (opts.json) {
      io.stdout.write(safeJson(await listTriagesJson(finder, query, linkContext(config), redactor), 2) + '\n');
      return EXIT_OK;
    }
    const page = redactor.redact(await finder.list(query)).value;
    const style = createStyler(io.stdout, io.env);
    const what = `${opts.open ? 'open ' : ''}triage${page.triages.length === 1 ? '' : 's'}${place ? ` in ${safe(place)}` : ''}`;
    if (page.triages.length === 0) {
      io.stdout.write(`No ${what}.\n`);
      return EXIT_OK;
    }
    const out = [`${page.triages.length}${page.more ? '+' : ''} ${what}, newest first:`, ''];
    for (const f of page.triages) out.push(...triageLines(f, config, style), '');
    if (page.more) out.push(style('gray', `More than ${limit}: --limit (up to 200), --open or --channel narrow it.`));
    io.stdout.write(out.join('\n').trimEnd() + '\n');
    return EXIT_OK;
  });
}

function renderShow(f: FoundTriage, config: FindConfig, style: Styler): string {
  const r = f.record;
  const out = [...triageLines(f, config, style), style('gray', `  updated ${localTime(r.updatedAt)}`), ''];
  const d = r.diagnosis;
  if (d) {
    out.push(style(['bold', 'red'], `✖ Failing surface: ${d.surface}`) + style('gray', `  (step ${STEP_IDS.indexOf(d.step) + 1} ${d.step}, cause ${safe(d.cause)}, confidence ${d.confidence})`));
    out.push(`  ${safe(withNames(d.summary, r.names))}`);
  } else {
    out.push(r.state === 'locating' ? 'Still collecting evidence.' : 'No step failed.');
  }
  out.push(...linkLines({ steps: r.steps, zoneId: r.zoneId, requestId: r.input.requestId, diagnosis: r.diagnosis, deployment: r.deployment }, config.links, style), '');
  out.push(style('bold', 'Steps'));
  for (const id of STEP_IDS) {
    const s = r.steps.find((x) => x.id === id);
    out.push(`  ${STEP_IDS.indexOf(id) + 1} ${(s?.verdict ?? (r.pending.includes(id) ? 'pending' : 'not checked')).padEnd(11)} ${STEP_TITLES[id]}${s?.at ? style('gray', `  (${localTime(s.at)})`) : ''}`);
    if (s) out.push(`                ${safe(withNames(s.summary, r.names))}`);
  }
  out.push('', style('bold', 'History'));
  for (const h of r.history) out.push(`  ${localTime(h.at)}  ${safe(h.actor.name ?? h.actor.id)}: ${safe(h.action)}${h.step ? ` (${STEP_TITLES[h.step] ?? safe(h.step)})` : ''}`);
  return out.join('\n') + '\n';
}

export async function runShowCommand(triageId: string, opts: ShowOptions, io: CommandIo): Promise<number> {
  if (opts.json && opts.markdown) throw new UsageError('--json and --markdown: give one of them');
  const ref = TriageIdRef.safeParse(triageId);
  if (!ref.success) throw new UsageError(`triage ID ${JSON.stringify(outsideText(triageId).slice(0, 60))}: a triage ID looks like ${TRIAGE_ID_EXAMPLE} (\`caracal-triage list\` shows them)`);
  const id = ref.data;
  const notFound = (): number => {
    io.stderr.write(`caracal-triage: no triage ${id} (finished triages are kept 7 days; \`caracal-triage list\` shows the ones there are)\n`);
    return EXIT_FINDING;
  };
  return withStore(io, async ({ config, redis, finder, redactor }) => {
    if (opts.json) {
      const json = await showTriageJson(finder, id, linkContext(config), redactor);
      if (!json) return notFound();
      io.stdout.write(safeJson(json, 2) + '\n');
      return EXIT_OK;
    }
    const read = await finder.find(id);
    if (!read) return notFound();
    const found = redactor.redact(read).value;
    if (opts.markdown) io.stdout.write(postmortemMarkdown({ found, trail: redactor.redact(await trailOf(redis, config, id)).value, links: linkContext(config) }));
    else io.stdout.write(renderShow(found, config, createStyler(io.stdout, io.env)));
    return EXIT_OK;
  });
}

/** The triage's audit entries, and the chain's verdict when the signing key is known. */
async function trailOf(redis: Redis, config: FindConfig, id: string): Promise<AuditTrail> {
  const entries = await readAuditTrail(redis, id);
  const key = config.store.signingKey;
  if (!key) return { entries, chain: null };
  const v = await verifyAuditChain(redis, { signingKey: key });
  return { entries, chain: { ok: v.ok, entries: v.entries, ...(v.reason ? { reason: v.reason } : {}) } };
}
