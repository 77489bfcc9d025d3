/**
 * The whole configuration, read once into one typed object. Each command asks for the groups it
 * needs (`triage` only Caracal; `serve` the runtime and the platforms; `worker` and `start` all
 * of them); every group asked for is checked in full and every problem of every group is
 * reported together, before anything listens or connects. Nothing else in the program reads the
 * environment: each part is handed its slice of this object.
 */
import { parseSlackConfig, type SlackConfig } from '../../adapters/slack/config';
import { parseTeamsPlatformConfig, type TeamsPlatformConfig } from '../../adapters/teams/platform-config';
import { type CaracalConfig, parseCaracalConfig } from '../config/caracal';
import type { Env } from '../config/fields';
import { HTTP_DEFAULTS, type HttpConfig, parseHttpConfig } from '../config/http';
import { type IncidentsConfig, parseIncidentsConfig } from '../incidents/config';
import { ConfigError, type ConfigProblem, type Parsed } from '../config/problems';
import { type LogLevel, parseLogLevel, parseRuntimeConfig, type RuntimeConfig } from '../config/runtime';
import { secretValues } from '../config/secrets';

export interface AppConfig {
  /** Present when asked for. */
  caracal: CaracalConfig | null;
  runtime: RuntimeConfig | null;
  /** The web host's timeouts and connection cap (defaults unless the runtime was asked for). */
  http: HttpConfig;
  logLevel: LogLevel;
  /** null when Slack is not configured (or platforms were not asked for). */
  slack: SlackConfig | null;
  /** null when Teams is not configured (MICROSOFT_APP_ID absent), or platforms were not asked for. */
  teams: TeamsPlatformConfig | null;
  /** null when no incident source is configured (or platforms were not asked for). */
  incidents: IncidentsConfig | null;
  /** Every secret value configured, for redaction (logs, chat, terminal). */
  secrets: string[];
}

export interface ConfigNeeds {
  caracal?: boolean;
  runtime?: boolean;
  platforms?: boolean;
}

const skipped = <T>(): Parsed<T | null> => ({ ok: true, value: null });

export function loadAppConfig(env: Env, needs: ConfigNeeds): AppConfig {
  const caracal = needs.caracal ? parseCaracalConfig(env) : skipped<CaracalConfig>();
  const runtime = needs.runtime ? parseRuntimeConfig(env) : skipped<RuntimeConfig>();
  const http: Parsed<HttpConfig> = needs.runtime ? parseHttpConfig(env) : { ok: true, value: HTTP_DEFAULTS };
  const logLevel = parseLogLevel(env);
  const slack = needs.platforms ? parseSlackConfig(env) : skipped<SlackConfig>();
  const teams = needs.platforms ? parseTeamsPlatformConfig(env) : skipped<TeamsPlatformConfig>();
  // Routes are checked against the platforms that will run (a platform with bad settings counts:
  // its own problem is reported, not a second one about every route to it).
  const running = new Set<'slack' | 'teams'>([...(!slack.ok || slack.value ? ['slack' as const] : []), ...(!teams.ok || teams.value ? ['teams' as const] : [])]);
  const incidents = needs.platforms ? parseIncidentsConfig(env, running) : skipped<IncidentsConfig>();
  const problems: ConfigProblem[] = [caracal, runtime, http, logLevel, slack, teams, incidents].flatMap((g) => (g.ok ? [] : g.problems));
  if (problems.length) throw new ConfigError(problems);
  const value = <T>(g: Parsed<T>): T => (g as { value: T }).value;
  const c = value(caracal);
  return {
    caracal: c,
    runtime: value(runtime),
    http: value(http),
    logLevel: value(logLevel),
    slack: value(slack),
    teams: value(teams),
    incidents: value(incidents),
    secrets: secretValues(env, [c?.adminToken]),
  };
}

/** The runtime group of a config loaded with `runtime: true`. */
export function runtimeOf(config: AppConfig): RuntimeConfig {
  if (!config.runtime) throw new Error('the runtime configuration was not loaded');
  return config.runtime;
}

/** The Caracal group of a config loaded with `caracal: true`. */
export function caracalOf(config: AppConfig): CaracalConfig {
  if (!config.caracal) throw new Error('the Caracal configuration was not loaded');
  return config.caracal;
}

/** What each command needs. */
export const NEEDS = {
  /** `triage`, `bundle`: Caracal only, no Redis. */
  terminal: { caracal: true },
  /** `serve`: the web half reads no Caracal. */
  serve: { runtime: true, platforms: true },
  /** `worker` and `start` collect evidence too. */
  worker: { runtime: true, platforms: true, caracal: true },
  /** `audit verify`: Redis and the signing key. */
  audit: { runtime: true },
} as const satisfies Record<string, ConfigNeeds>;
