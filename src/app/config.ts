/**
 * The configuration, read once into one typed object per kind of process. Each room owns its
 * settings (src/caracal/config.ts, src/incidents/config.ts, src/followup/config.ts, src/server/config.ts, the logger's
 * LOG_LEVEL in src/log.ts, the processes' own in runtime-config.ts, each chat platform's in its
 * adapter); this file only assembles them:
 *
 *   terminal  `triage`, `bundle`: Caracal (no Redis); `fix --plan` also the fix token; `watch
 *             --once` adds the watcher's thresholds (WATCH_*, and the routes file's
 *             `thresholds:` when TRIAGE_ROUTES_FILE is set)
 *   mcp       `mcp` (stdio): Caracal and the watcher's thresholds (recent_denials); with
 *             REDIS_URL set, the store's reader too (list_triages, get_triage) and where links point
 *   web       `serve`: the runtime, the web host, the chat platforms, the incident sources and the
 *             acts (sink secret, who may approve and fix); with MCP_TOKEN set, the MCP server's
 *             settings, Caracal and the watcher's thresholds too (its tools read Caracal)
 *   worker    `worker`, `start`: the web's groups, Caracal (the acts' tokens included) and the
 *             deny watcher
 *   audit     `audit verify`: the runtime (Redis and the signing key)
 *   find      `list`, `show`: Redis, the signing key when set, where links point
 *
 * Caracal is read as deployments (src/caracal/deployments-file.ts): CARACAL_DEPLOYMENTS_FILE's, or
 * `default` from the single-deployment variables. `serve` reads the file's shape and channel
 * bindings without its token files (it reads no Caracal unless it serves MCP).
 *
 * Every group of a kind is checked in full and every problem of every group is reported
 * together (one ConfigError), before anything listens or connects. Nothing else in the program
 * reads the environment: each part is handed its slice.
 */
import { ACT_SECRET_VARIABLES, actFileSecrets, type ActConfig, parseActConfig } from '../act/config';
import { CARACAL_SECRET_VARIABLES, type CaracalConfig } from '../caracal/config';
import { deploymentSecrets, type ChannelReader, type DeploymentsConfig, parseDeployments } from '../caracal/deployments-file';
import type { Env } from '../config/fields';
import { combine, ConfigError, orThrow, type Parsed } from '../config/problems';
import { INCIDENT_SECRET_VARIABLES, type IncidentsConfig, parseIncidentsConfig } from '../incidents/config';
import { parseWatchSettings, type WatchSettings } from '../incidents/watch/config';
import { loadRoutes } from '../incidents/routes/load';
import type { ThresholdRule } from '../incidents/watch/thresholds';
import type { DenialReadSettings } from '../incidents/watch/recent';
import { FOLLOWUP_SECRET_VARIABLES, type FollowUpConfig, parseFollowUpConfig, workerProblems } from '../followup/config';
import type { ConfiguredPlatform } from '../ingress/platform';
import { type LogLevel, parseLogLevel } from '../log-level';
import { MCP_SECRET_VARIABLES, mcpRequested, type McpHttpSettings, parseMcpHttpSettings } from '../mcp/config';
import { type HttpConfig, parseHttpConfig } from '../server/config';
import { type LinksConfig, parseLinksConfig } from '../report/config';
import { CHANNEL_ADDRESSES, CHAT_PLATFORMS, platformsInUse } from './platforms';
import { linksWithDeployments } from './deployments';
import { parseRuntimeConfig, parseStoreReaderConfig, RUNTIME_SECRET_VARIABLES, type RuntimeConfig, type StoreReaderConfig } from './runtime-config';

export interface TerminalConfig {
  /** The first deployment's settings (the only one without CARACAL_DEPLOYMENTS_FILE). */
  caracal: CaracalConfig;
  /** Every deployment, in order. */
  deployments: DeploymentsConfig;
  /** Where the report's links point (the Console, the runbook). */
  links: LinksConfig;
  logLevel: LogLevel;
  /** Every secret value configured, for redaction (terminal output). */
  secrets: string[];
}

export interface WebConfig {
  runtime: RuntimeConfig;
  /** Where a triage's links point: its page, the Console, the runbook. */
  links: LinksConfig;
  /** The web host's timeouts and connection cap. */
  http: HttpConfig;
  logLevel: LogLevel;
  /** The chat platforms configured, in registry order (none is fine: health and metrics only). */
  platforms: ConfiguredPlatform[];
  /** null when no incident source is configured. */
  incidents: IncidentsConfig | null;
  /** Escalation targets, reminders, abandonment and PagerDuty. */
  followUp: FollowUpConfig;
  /** `POST /mcp`: null unless MCP_TOKEN is set. */
  mcp: McpHttpConfig | null;
  /**
   * The deployments' names, Console URLs and channel bindings (no token read): what commands
   * and incidents are bound to. Empty without CARACAL_DEPLOYMENTS_FILE (and MCP): `default` only.
   */
  deployments: DeploymentsConfig;
  /** Acting from chat (src/act): the sink, approvers and fixers, and (read by workers) the tokens. */
  acts: ActConfig;
  /** Every secret value configured, for redaction (logs, chat). */
  secrets: string[];
}

/** The MCP server on the web host: its own settings and the Caracal its tools read. */
export interface McpHttpConfig extends McpHttpSettings {
  /** The first deployment's settings. */
  caracal: CaracalConfig;
  deployments: DeploymentsConfig;
  /** `recent_denials` decides what crossed as `watch --once` does: WATCH_* and the routes file's thresholds. */
  denials: DenialReadSettings;
}

/** A worker collects evidence too; `start` runs web and worker from this one. */
export interface WorkerConfig extends WebConfig {
  caracal: CaracalConfig;
  /** The deny watcher (runs when `watch.enabled`). */
  watch: WatchSettings;
}

/** `watch --once` and `mcp` (stdio): the terminal's settings, the watcher's thresholds and the routes file's threshold rules. */
export interface WatchCommandConfig extends TerminalConfig {
  watch: WatchSettings;
  rules: ThresholdRule[];
}

/** `fix --plan`: Caracal and the fix token (the policy simulation needs a write token). */
export interface FixPlanConfig extends TerminalConfig {
  /** CARACAL_FIX_TOKEN: the single deployment's; with a deployments file each deployment's `fixTokenFile` instead. */
  fixToken: string | null;
}

export interface AuditConfig {
  runtime: RuntimeConfig;
}

/** `list` and `show` in the terminal: the triage store (Redis) and where links point. */
export interface FindConfig {
  store: StoreReaderConfig;
  links: LinksConfig;
  /** Every secret value configured, for redaction (what is read is redacted again on the way out). */
  secrets: string[];
}

/** `caracal-triage mcp` (stdio): the terminal's Caracal, the watcher's thresholds (recent_denials), and the store when REDIS_URL is set. */
export interface McpStdioConfig extends WatchCommandConfig {
  /** null without REDIS_URL: list_triages and get_triage are not offered. */
  store: StoreReaderConfig | null;
}

/** Every variable whose value is a secret: each room's, each registered platform's. */
export const SECRET_VARIABLES: readonly string[] = [
  ...CARACAL_SECRET_VARIABLES,
  ...CHAT_PLATFORMS.flatMap((p) => p.secretVariables),
  ...RUNTIME_SECRET_VARIABLES,
  ...INCIDENT_SECRET_VARIABLES,
  ...FOLLOWUP_SECRET_VARIABLES,
  ...MCP_SECRET_VARIABLES,
  ...ACT_SECRET_VARIABLES,
];

/**
 * The values of the secret variables in `env` plus `extra` (an admin token read from
 * CARACAL_ADMIN_TOKEN_FILE), never short or empty ones (a 3-character "secret" would redact
 * ordinary words).
 */
export function knownSecrets(env: Env, extra: Array<string | undefined> = []): string[] {
  const values = [...SECRET_VARIABLES.map((n) => env[n]?.trim()), ...extra.map((v) => v?.trim())];
  return [...new Set(values.filter((v): v is string => !!v && v.length >= 8))];
}

/**
 * The platforms whose settings are present, and the names of those that will run (a platform
 * with bad settings counts: its own problem is reported, not a second one about every
 * incident route to it).
 */
function parsePlatforms(env: Env): { platforms: Parsed<ConfiguredPlatform[]>; running: Set<string> } {
  const each = CHAT_PLATFORMS.map((platform) => ({ platform, parsed: platform.parseSettings(env) }));
  const running = new Set(each.filter(({ parsed }) => !parsed.ok || parsed.value !== null).map(({ platform }) => platform.name));
  const problems = each.flatMap(({ parsed }) => (parsed.ok ? [] : parsed.problems));
  if (problems.length) return { platforms: { ok: false, problems }, running };
  const configured = each.flatMap(({ platform, parsed }) => (parsed.ok && parsed.value !== null ? [{ platform, settings: parsed.value }] : []));
  return { platforms: { ok: true, value: configured }, running };
}

/** The groups `serve` needs, in the order their problems are reported. */
function webGroups(env: Env) {
  const { platforms, running } = parsePlatforms(env);
  const incidents = parseIncidentsConfig(env, platformsInUse(running));
  return {
    runtime: parseRuntimeConfig(env),
    links: parseLinksConfig(env),
    http: parseHttpConfig(env),
    logLevel: parseLogLevel(env),
    platforms,
    incidents,
    followUp: parseFollowUpConfig(env, CHAT_PLATFORMS),
    acts: withSinkRoute(parseActConfig(env), incidents, running),
  };
}

/** The sink posts approval cards: it needs a chat platform and somewhere to route them. */
function withSinkRoute(acts: Parsed<ActConfig>, incidents: Parsed<IncidentsConfig | null>, running: ReadonlySet<string>): Parsed<ActConfig> {
  if (!acts.ok || acts.value.sinkSecrets.length === 0 || !incidents.ok) return acts;
  if (running.size === 0) return { ok: false, problems: [{ variable: 'CARACAL_SINK_SECRET', message: 'is set, so approval cards are posted, but no chat platform is configured: they would have nowhere to go' }] };
  const routing = incidents.value?.routing;
  if (!routing || (routing.routes.length === 0 && !routing.defaultChannel)) {
    return { ok: false, problems: [{ variable: 'TRIAGE_DEFAULT_CHANNEL', message: 'is required with CARACAL_SINK_SECRET when TRIAGE_ROUTES_FILE lists no routes: approval cards go to a route with `source: caracal` or to this channel' }] };
  }
  return acts;
}

/** Channels in the deployments file read as the chat platforms write them (`slack:C0123`). */
const readChannel: ChannelReader = (text) => {
  const r = CHANNEL_ADDRESSES.parse(text);
  if (!r.ok) return r;
  return { ok: true, place: CHANNEL_ADDRESSES.place(r.address) ?? CHANNEL_ADDRESSES.format(r.address) };
};

/** How the deployments file's channels are read: IDs as the platforms write them, name patterns on a registered platform. */
const channelReaders = { channels: readChannel, platforms: CHAT_PLATFORMS.map((p) => p.name) };

/** The deployments, their token files read (processes that call Caracal). */
function readDeployments(env: Env): Parsed<DeploymentsConfig> {
  return parseDeployments(env, { readSecrets: true, ...channelReaders, consoleUrl: env.CARACAL_CONSOLE_URL?.trim() || null });
}

const firstOf = (d: DeploymentsConfig): CaracalConfig => d.deployments[0]!.caracal;

export function loadTerminalConfig(env: Env): TerminalConfig {
  const c = orThrow(combine({ deployments: readDeployments(env), links: parseLinksConfig(env), logLevel: parseLogLevel(env) }));
  return { ...c, links: linksWithDeployments(c.links, c.deployments), caracal: firstOf(c.deployments), secrets: knownSecrets(env, deploymentSecrets(c.deployments.deployments)) };
}

/** The routes file's threshold rules, for the terminal and stdio MCP (which post nothing). */
function thresholdRules(env: Env): Parsed<ThresholdRule[]> {
  // Every registered platform counts as running: the terminal posts nothing, it only reads the
  // file's thresholds, and a route to a platform this shell has no token for is not its concern.
  const routes = loadRoutes({ file: env.TRIAGE_ROUTES_FILE, platforms: platformsInUse(CHAT_PLATFORMS.map((p) => p.name)) });
  return routes.ok ? { ok: true, value: routes.table.thresholds ?? [] } : { ok: false, problems: routes.errors.flatMap((e) => [...e.problems]) };
}

export function loadWatchCommandConfig(env: Env): WatchCommandConfig {
  const c = orThrow(combine({ deployments: readDeployments(env), links: parseLinksConfig(env), logLevel: parseLogLevel(env), watch: parseWatchSettings(env), rules: thresholdRules(env) }));
  return { ...c, links: linksWithDeployments(c.links, c.deployments), caracal: firstOf(c.deployments), secrets: knownSecrets(env, deploymentSecrets(c.deployments.deployments)) };
}

/** The MCP settings with the Caracal and the thresholds they need (each group parsed by the caller, once). */
function mcpWith(settings: McpHttpSettings | null, deployments: DeploymentsConfig | null, watch: WatchSettings | null, incidents: IncidentsConfig | null): McpHttpConfig | null {
  return settings && deployments && deployments.deployments.length > 0 && watch
    ? { ...settings, caracal: firstOf(deployments), deployments, denials: { thresholds: watch.thresholds, rules: incidents?.routing.thresholds ?? [] } }
    : null;
}

/**
 * `serve` reads no Caracal unless it serves MCP: with MCP_TOKEN set the Caracal group (and the
 * watcher's thresholds, for `recent_denials`) is checked with the others (its problems reported
 * with theirs), and only then.
 */
export function loadWebConfig(env: Env): WebConfig {
  const deployments = mcpRequested(env) ? readDeployments(env) : parseDeployments(env, { readSecrets: false, ...channelReaders });
  const watch: Parsed<WatchSettings | null> = mcpRequested(env) ? parseWatchSettings(env) : { ok: true, value: null };
  const { mcpSettings, deployments: d, watch: mcpWatch, ...rest } = orThrow(combine({ ...webGroups(env), mcpSettings: parseMcpHttpSettings(env), deployments, watch }));
  const mcp = mcpWith(mcpSettings, mcpRequested(env) ? d : null, mcpWatch, rest.incidents);
  return { ...rest, links: linksWithDeployments(rest.links, d), deployments: d, mcp, secrets: knownSecrets(env, [...deploymentSecrets(d.deployments), ...actFileSecrets(rest.acts)]) };
}

export function loadWorkerConfig(env: Env): WorkerConfig {
  const c = orThrow(combine({ deployments: readDeployments(env), ...webGroups(env), watch: parseWatchSettings(env), mcpSettings: parseMcpHttpSettings(env) }));
  // The worker pages PagerDuty: what it needs for that is checked where it runs.
  const paging = workerProblems(c.followUp, c.incidents?.routing.routes ?? []);
  if (paging.length) throw new ConfigError(paging);
  const { mcpSettings, ...rest } = c;
  return {
    ...rest,
    links: linksWithDeployments(rest.links, c.deployments),
    caracal: firstOf(c.deployments),
    mcp: mcpWith(mcpSettings, c.deployments, c.watch, c.incidents),
    secrets: knownSecrets(env, [...deploymentSecrets(c.deployments.deployments), ...actFileSecrets(c.acts)]),
  };
}

/** `fix --plan` reads the deployment it is told or finds the request in (src/cli/subcommands/fix.ts). */
export function loadFixPlanConfig(env: Env): FixPlanConfig {
  const c = orThrow(combine({ deployments: readDeployments(env), links: parseLinksConfig(env), logLevel: parseLogLevel(env), acts: parseActConfig(env) }));
  const links = linksWithDeployments(c.links, c.deployments);
  return { caracal: firstOf(c.deployments), deployments: c.deployments, links, logLevel: c.logLevel, fixToken: c.acts.fixToken, secrets: knownSecrets(env, [...deploymentSecrets(c.deployments.deployments), ...actFileSecrets(c.acts)]) };
}

export function loadFindConfig(env: Env): FindConfig {
  // The deployments file only for each deployment's Console (no token is read).
  const c = orThrow(combine({ store: parseStoreReaderConfig(env), links: parseLinksConfig(env), deployments: parseDeployments(env, { readSecrets: false, ...channelReaders }) }));
  return { store: c.store, links: linksWithDeployments(c.links, c.deployments), secrets: knownSecrets(env) };
}

/** The terminal's groups, and the store's reader only when REDIS_URL is set (a bad one is a problem like any other). */
export function loadMcpStdioConfig(env: Env): McpStdioConfig {
  const store: Parsed<StoreReaderConfig | null> = env.REDIS_URL?.trim() ? parseStoreReaderConfig(env) : { ok: true, value: null };
  const c = orThrow(combine({ deployments: readDeployments(env), links: parseLinksConfig(env), logLevel: parseLogLevel(env), watch: parseWatchSettings(env), rules: thresholdRules(env), store }));
  return { ...c, links: linksWithDeployments(c.links, c.deployments), caracal: firstOf(c.deployments), secrets: knownSecrets(env, deploymentSecrets(c.deployments.deployments)) };
}

export function loadAuditConfig(env: Env): AuditConfig {
  return { runtime: orThrow(parseRuntimeConfig(env)) };
}
