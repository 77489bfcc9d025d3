/**
 * Reading and checking the routes file and TRIAGE_DEFAULT_CHANNEL at start-up. Every problem
 * is reported at once, each as one ConfigError line that names the file, the entry (index,
 * name and line) and the key, and says what is wrong:
 *
 *   TRIAGE_ROUTES_FILE: /etc/caracal-triage/routes.yaml: routes[1] "gateway" (line 9): match.severty: unknown key (expected source, alertname, severity, component, service, zone, tier, application)
 *   TRIAGE_ROUTES_FILE: /etc/caracal-triage/routes.yaml: line 4, column 5: Map keys must be unique
 *
 * A destination on a platform the bot does not run is an error too. Warnings (a route no
 * incident can reach, an alert name that looks like Caracal's but is not) do not stop start-up.
 */
import { ConfigError } from '../../config/problems';
import { keyPath, parseYamlFile, readSettingsFile } from '../../config/yaml-file';
import { CARACAL_COMPONENTS, isCaracalAlert } from '../catalogue';
import type { ChannelAddress, ChatPlatformsInUse } from '../channel';
import { issueMessage } from '../payloads/parse';
import type { ThresholdRule } from '../watch/thresholds';
import { MATCH_KEYS, THRESHOLD_KEYS, THRESHOLD_MATCH_KEYS, routesFileSchema, type RouteMatch } from './format';
import { escalateKeys } from '../../triage/escalation';
import type { EscalationTargets } from '../../triage/record';

export const ROUTES_VARIABLE = 'TRIAGE_ROUTES_FILE';
export const DEFAULT_CHANNEL_VARIABLE = 'TRIAGE_DEFAULT_CHANNEL';
/** A routes file is a few KB; anything this large is the wrong file. */
export const ROUTES_FILE_MAX_BYTES = 1024 * 1024;

export interface IncidentRoute {
  /** 0-based position in `routes`. */
  index: number;
  name: string | null;
  match: RouteMatch;
  to: ChannelAddress;
  /** Whom *Escalate* reaches for this route's triages; null: TRIAGE_ESCALATE. */
  escalate: EscalationTargets | null;
  /** 1-based line of the entry in the file. */
  line: number | null;
}

export interface RoutingTable {
  file: string | null;
  routes: IncidentRoute[];
  defaultChannel: ChannelAddress | null;
  /** The deny watcher's threshold rules (`thresholds:`), first match wins; none when the file has none. */
  thresholds?: ThresholdRule[];
}

export type RoutesLoad = { ok: true; table: RoutingTable; warnings: string[] } | { ok: false; errors: ConfigError[] };

export interface RoutesOptions {
  /** TRIAGE_ROUTES_FILE; unset means no routes (everything goes to the default). */
  file?: string;
  /** TRIAGE_DEFAULT_CHANNEL, as written. */
  defaultChannel?: string;
  /** Reads `<platform>:<id>`; destinations on a platform this bot does not run are errors. */
  platforms: ChatPlatformsInUse;
}

const ENTRY_KEYS = ['name', 'match', 'to', 'escalate'];
const FILE_KEYS = ['version', 'routes', 'thresholds'];

type Path = ReadonlyArray<PropertyKey>;

function expectedKeys(path: Path, platforms: ChatPlatformsInUse): string[] {
  if (path.length === 0) return FILE_KEYS;
  if (path.length === 2 && path[0] === 'routes') return ENTRY_KEYS;
  if (path.length === 2 && path[0] === 'thresholds') return [...THRESHOLD_KEYS];
  if (path[0] === 'thresholds') return [...THRESHOLD_MATCH_KEYS];
  if (path[2] === 'escalate') return escalateKeys(platforms.people);
  return [...MATCH_KEYS];
}

export function parseRoutes(text: string, opts: Omit<RoutesOptions, 'file'> & { file: string }): RoutesLoad {
  const file = opts.file;
  const errors: ConfigError[] = [];
  const fail = (where: string, what: string): void => void errors.push(ConfigError.of(ROUTES_VARIABLE, `${file}: ${where}${what}`));
  const defaultChannel = checkDefaultChannel(opts, errors);

  const yaml = parseYamlFile(text);
  if (yaml.errors.length > 0) {
    for (const e of yaml.errors) fail('', e);
    return { ok: false, errors };
  }
  const value: unknown = yaml.value;
  if (value === null || value === undefined) {
    fail('', 'the file is empty; write "routes:" and a list of routes (see examples/triage-routes.yaml)');
    return { ok: false, errors };
  }

  /** `routes[2] "gateway" (line 9): ` for a path into an entry, `line 3: ` otherwise. */
  const where = (path: Path): string => {
    const raw = value as Record<string, unknown>;
    const list = path[0];
    if ((list === 'routes' || list === 'thresholds') && typeof path[1] === 'number') {
      const entries = raw[list];
      const entry = Array.isArray(entries) ? (entries[path[1]] as { name?: unknown } | undefined) : undefined;
      const name = typeof entry?.name === 'string' ? ` "${entry.name}"` : '';
      const line = yaml.line(path.slice(0, 2));
      const rest = path.slice(2);
      return `${list}[${path[1]}]${name}${line ? ` (line ${line})` : ''}: ${rest.length > 0 ? `${keyPath(rest)}: ` : ''}`;
    }
    const line = yaml.line(path, true);
    return `${line ? `line ${line}: ` : ''}${path.length > 0 ? `${keyPath(path)}: ` : ''}`;
  };

  const parsed = routesFileSchema(opts.platforms.addresses, opts.platforms.people).safeParse(value);
  if (!parsed.success) {
    // A threshold rule with a misspelt key also "sets nothing": the misspelt key is the one to say.
    const misspelt = new Set(parsed.error.issues.filter((i) => i.code === 'unrecognized_keys').map((i) => keyPath(i.path)));
    for (const issue of parsed.error.issues) {
      if (issue.code === 'custom' && issue.path[0] === 'thresholds' && misspelt.has(keyPath(issue.path))) continue;
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) fail(where([...issue.path, key]), `unknown key (expected ${expectedKeys(issue.path, opts.platforms).join(', ')})`);
      } else {
        fail(where(issue.path), issueMessage(issue));
      }
    }
    return { ok: false, errors };
  }

  const routes: IncidentRoute[] = [];
  const seen = new Map<string, number>();
  parsed.data.routes.forEach((r, index) => {
    const platformProblem = opts.platforms.addresses.unconfigured(r.to, opts.platforms.running);
    if (platformProblem) fail(where(['routes', index, 'to']), platformProblem);
    if (r.name !== undefined) {
      const first = seen.get(r.name);
      if (first !== undefined) fail(where(['routes', index, 'name']), `"${r.name}" is already the name of routes[${first}]`);
      else seen.set(r.name, index);
    }
    // A mention reaches people only on the platform the route posts to: another's can never be made.
    for (const m of r.escalate?.mentions ?? []) {
      if (m.platform !== r.to.platform) {
        const title = (p: string) => opts.platforms.people.find((x) => x.name === p)?.title ?? p;
        fail(where(['routes', index, 'escalate', m.platform]), `this route posts to ${title(r.to.platform)} (to: ${opts.platforms.addresses.format(r.to)}), where a ${title(m.platform)} user cannot be mentioned; name someone on ${title(r.to.platform)} or post this route to ${title(m.platform)}`);
      }
    }
    routes.push({ index, name: r.name ?? null, match: r.match ?? {}, to: r.to, escalate: r.escalate ?? null, line: yaml.line(['routes', index]) });
  });
  if (errors.length > 0) return { ok: false, errors };
  const thresholds: ThresholdRule[] = (parsed.data.thresholds ?? []).map((t, index) => ({
    index,
    name: t.name ?? null,
    match: t.match ?? {},
    set: {
      ...(t.min_denials !== undefined ? { minDenials: t.min_denials } : {}),
      ...(t.window !== undefined ? { windowMs: t.window } : {}),
      ...(t.baseline_factor !== undefined ? { baselineFactor: t.baseline_factor } : {}),
    },
  }));
  return { ok: true, table: { file, routes, defaultChannel, ...(thresholds.length > 0 ? { thresholds } : {}) }, warnings: routeWarnings(file, routes) };
}

function checkDefaultChannel(opts: Pick<RoutesOptions, 'defaultChannel' | 'platforms'>, errors: ConfigError[]): ChannelAddress | null {
  const value = opts.defaultChannel;
  if (value === undefined || value.trim() === '') return null;
  const r = opts.platforms.addresses.parse(value);
  if (!r.ok) {
    errors.push(ConfigError.of(DEFAULT_CHANNEL_VARIABLE, r.message));
    return null;
  }
  const problem = opts.platforms.addresses.unconfigured(r.address, opts.platforms.running);
  if (problem) errors.push(ConfigError.of(DEFAULT_CHANNEL_VARIABLE, problem));
  return r.address;
}

function routeWarnings(file: string, routes: readonly IncidentRoute[]): string[] {
  const warnings: string[] = [];
  const label = (r: IncidentRoute): string => `routes[${r.index}]${r.name ? ` "${r.name}"` : ''}${r.line ? ` (line ${r.line})` : ''}`;
  const catchAll = routes.find((r) => Object.keys(r.match).length === 0);
  if (catchAll) {
    for (const r of routes.filter((x) => x.index > catchAll.index)) {
      warnings.push(`${ROUTES_VARIABLE}: ${file}: ${label(r)}: never used, ${label(catchAll)} before it matches every incident`);
    }
  }
  for (const r of routes) {
    for (const name of r.match.alertname ?? []) {
      if (name.startsWith('Caracal') && !isCaracalAlert(name)) {
        warnings.push(`${ROUTES_VARIABLE}: ${file}: ${label(r)}: match.alertname: "${name}" is not one of Caracal's 21 alert rules (a typo?)`);
      }
    }
    for (const c of r.match.component ?? []) {
      if (!(CARACAL_COMPONENTS as readonly string[]).includes(c)) {
        warnings.push(`${ROUTES_VARIABLE}: ${file}: ${label(r)}: match.component: "${c}" is not a Caracal component (${CARACAL_COMPONENTS.join(', ')})`);
      }
    }
  }
  return warnings;
}

/** Reads TRIAGE_ROUTES_FILE (when set) and checks it with TRIAGE_DEFAULT_CHANNEL. */
export function loadRoutes(opts: RoutesOptions): RoutesLoad {
  const file = opts.file?.trim();
  if (!file) {
    const errors: ConfigError[] = [];
    const defaultChannel = checkDefaultChannel(opts, errors);
    return errors.length > 0 ? { ok: false, errors } : { ok: true, table: { file: null, routes: [], defaultChannel }, warnings: [] };
  }
  const read = readSettingsFile(file, ROUTES_FILE_MAX_BYTES, 'a routes file');
  if (!read.ok) return { ok: false, errors: [ConfigError.of(ROUTES_VARIABLE, `${file}: ${read.message}`)] };
  return parseRoutes(read.text, { ...opts, file });
}
