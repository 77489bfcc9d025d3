/**
 * The Caracal deployments the bot serves. With CARACAL_DEPLOYMENTS_FILE unset, the
 * single-deployment variables (CARACAL_API_URL, CARACAL_ADMIN_TOKEN…, config.ts) are one
 * deployment named `default`, exactly as before. With it set, the file lists them (a commented
 * example is examples/caracal-deployments.yaml):
 *
 *   version: 1                          # optional
 *   deployments:                        # one or more; names unique
 *     - name: production                # 1-40 of a-z 0-9 -, starting with a letter or digit
 *       apiUrl: https://caracal.example.com
 *       adminTokenFile: /run/secrets/caracal-production/admin-token
 *       zones: [zone-payments]          # optional: CARACAL_ZONE_IDS for this deployment
 *       probes:                         # optional: CARACAL_STS_URL, _GATEWAY_URL, _AUDIT_URL, _COORDINATOR_URL
 *         sts: http://sts.caracal-production.svc:8080
 *       metricsBearerFile: …            # optional: CARACAL_METRICS_BEARER, from a file
 *       coordinatorTokenFile: …         # optional: CARACAL_COORDINATOR_TOKEN, from a file
 *       consoleUrl: https://console.example.com/acme/prod   # optional: CARACAL_CONSOLE_URL
 *       fixTokenFile: …                 # optional: CARACAL_FIX_TOKEN of this deployment, from a file
 *       approveTokenFile: …             # optional: CARACAL_APPROVE_TOKEN of this deployment, from a file
 *       channels:                       # optional: chat channels bound to this deployment
 *         - channel: slack:C0PROD1234   # by ID: <platform>:<id>, as the routes file writes them
 *           zone: payments              # optional default zone of commands there
 *         - channelName: slack:inc-prod-*   # or by name: <platform>:<pattern>, * and ? (config/name-pattern.ts)
 *
 * A command's channel is bound by its ID first; else by its name (when the platform gives one),
 * the first matching pattern in file order (deployments in order, channels in order) winning.
 *
 * Secrets are only ever read from files, so the file itself holds none. CARACAL_TIMEOUT_MS,
 * TRIAGE_CHANGES_WINDOW and CARACAL_API_BUDGET_PER_MIN still apply to every deployment. Setting the file and a
 * single-deployment variable together is an error (which would win is not obvious); so is
 * CARACAL_FIX_TOKEN[_FILE] or CARACAL_APPROVE_TOKEN[_FILE] with the file: acting from chat takes
 * each deployment's own tokens (`fixTokenFile`, `approveTokenFile`).
 *
 * Every problem is reported at once, one ConfigError line each naming the file, the entry and the
 * key, like the routes file's:
 *
 *   CARACAL_DEPLOYMENTS_FILE: /etc/caracal-triage/deployments.yaml: deployments[1] "staging" (line 9): apiUrl: must be a URL …
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { url, type Env } from '../config/fields';
import { compileNamePattern, namePatternProblem } from '../config/name-pattern';
import type { ConfigProblem, Parsed } from '../config/problems';
import { keyPath, parseYamlFile, readProblem, readSettingsFile, type KeyPath } from '../config/yaml-file';
import { type CaracalConfig, parseCaracalConfig, parseCaracalTuning, SINGLE_DEPLOYMENT_VARIABLES } from './config';

export const DEPLOYMENTS_VARIABLE = 'CARACAL_DEPLOYMENTS_FILE';
/** The deployment the single-deployment variables make. */
export const DEFAULT_DEPLOYMENT = 'default';
/** A deployments file is a few KB. */
export const DEPLOYMENTS_FILE_MAX_BYTES = 256 * 1024;
export const DEPLOYMENT_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
/** The act's tokens of the single deployment (src/act/config.ts): with the file, each deployment names its own. */
const ACT_TOKEN_VARIABLES = ['CARACAL_FIX_TOKEN', 'CARACAL_FIX_TOKEN_FILE', 'CARACAL_APPROVE_TOKEN', 'CARACAL_APPROVE_TOKEN_FILE'];

/** A chat channel bound to a deployment: commands there read it, and its `zone` when they name none. */
export interface ChannelBinding {
  /** The conversation, `<platform>:<id>` as the chat platform's `place` writes it. */
  place: string;
  zone: string | null;
}

/** Channels bound by name: a command whose platform names its channel, and the name matches. */
export interface ChannelNameBinding {
  platform: string;
  /** As written (for messages and docs). */
  pattern: string;
  matches(name: string): boolean;
  zone: string | null;
}

export interface DeploymentSettings {
  name: string;
  /** How to reach and read it. `adminToken` is empty where secrets were not read (`serve` without MCP). */
  caracal: CaracalConfig;
  /** Its Console (links on cards); null: CARACAL_CONSOLE_URL for `default`, none in a file. */
  consoleUrl: string | null;
  channels: ChannelBinding[];
  /** Bound by name pattern, in file order; absent or empty: none. */
  channelNames?: ChannelNameBinding[];
  /**
   * Acting from chat (src/act) in this deployment: its `write` token (simulate, activate) and its
   * `approve` token (decide holds), from `fixTokenFile` / `approveTokenFile`. Absent: none in the
   * file (for `default`, CARACAL_FIX_TOKEN / CARACAL_APPROVE_TOKEN apply, src/act/config.ts).
   */
  fixToken?: string;
  approveToken?: string;
}

export interface DeploymentsConfig {
  /** CARACAL_DEPLOYMENTS_FILE, or null when the single-deployment variables were read. */
  file: string | null;
  /** In file order; at least one. */
  deployments: DeploymentSettings[];
}

/** Reads a channel as settings write it (`slack:C0123`): the platform registry's, handed in by src/app. */
export type ChannelReader = (text: string) => { ok: true; place: string } | { ok: false; message: string };

export interface DeploymentsOptions {
  /** Read the token files (processes that call Caracal); false: only check the file's shape (`serve`). */
  readSecrets: boolean;
  channels: ChannelReader;
  /** The chat platforms a `channelName` may name (the registry's). */
  platforms: readonly string[];
}

const ZONE_ID = /^[A-Za-z0-9_.\-:]{1,128}$/;
const TEXT = 'must be text';
const orRequired = (message: string) => (issue: { input?: unknown }): string => (issue.input === undefined ? 'is required' : message);
const path = z.string({ error: orRequired('must be a file path') }).trim().min(1, 'must not be empty');
const optionalUrl = (example: string) => url({ protocols: ['http', 'https'], example, optional: true });

const entrySchema = z.strictObject({
  name: z.string({ error: orRequired(TEXT) }).regex(DEPLOYMENT_NAME, 'must be 1 to 40 of a-z 0-9 and -, starting with a letter or digit (e.g. production, eu-west)'),
  apiUrl: url({ protocols: ['http', 'https'], example: 'https://caracal.example.com' }),
  adminTokenFile: path,
  zones: z.array(z.string({ error: TEXT }).regex(ZONE_ID, 'is not a zone ID (1-128 characters of A-Z a-z 0-9 _ . - :)'), { error: 'must be a list of zone IDs' }).optional(),
  probes: z
    .strictObject({
      sts: optionalUrl('http://sts.caracal.svc:8080'),
      gateway: optionalUrl('http://gateway.caracal.svc:8081'),
      audit: optionalUrl('http://audit.caracal.svc:9090'),
      coordinator: optionalUrl('http://coordinator.caracal.svc:4000'),
    })
    .optional(),
  metricsBearerFile: path.optional(),
  coordinatorTokenFile: path.optional(),
  fixTokenFile: path.optional(),
  approveTokenFile: path.optional(),
  consoleUrl: optionalUrl('https://console.caracal.example.com/<account>/<org>'),
  channels: z
    .array(
      z.strictObject({
        channel: z.string({ error: 'must be a channel, e.g. slack:C0123ABCD' }).optional(),
        channelName: z.string({ error: 'must be a channel-name pattern, e.g. slack:inc-staging-*' }).optional(),
        zone: z
          .string({ error: TEXT })
          .min(1, 'must not be empty')
          .max(128, 'is at most 128 characters')
          .refine((v) => !/[\p{Cc}\p{Cf}]/u.test(v) && v.trim() === v, 'holds no control or invisible characters and no surrounding spaces')
          .optional(),
      }),
      { error: 'must be a list of channels (each "- channel: <platform>:<id>" or "- channelName: <platform>:<pattern>")' },
    )
    .optional(),
});

const fileSchema = z.strictObject({
  version: z.literal(1, { error: 'must be 1 (the only version of this format)' }).optional(),
  deployments: z.array(entrySchema, { error: orRequired('must be a list of deployments (each "- name: …")') }).min(1, 'must list at least one deployment'),
});

const ENTRY_KEYS = Object.keys(entrySchema.shape);
const expectedKeys = (p: KeyPath): string[] =>
  p.length === 0 ? Object.keys(fileSchema.shape) : p[2] === 'probes' ? ['sts', 'gateway', 'audit', 'coordinator'] : p[2] === 'channels' ? ['channel', 'channelName', 'zone'] : ENTRY_KEYS;

/** A secret read from its file, trimmed; or what is wrong. */
function readSecret(file: string): { value: string } | { problem: string } {
  let value: string;
  try {
    value = readFileSync(file, 'utf8').trim();
  } catch (e) {
    return { problem: `cannot be read (${readProblem(e)}: ${file})` };
  }
  return value ? { value } : { problem: `names an empty file (${file})` };
}

/** `slack:inc-staging-*` as its platform and pattern, or what is wrong with it. */
function readNamePattern(text: string, platforms: readonly string[]): { ok: true; platform: string; pattern: string } | { ok: false; message: string } {
  const colon = text.indexOf(':');
  const platform = colon < 0 ? '' : text.slice(0, colon).trim().toLowerCase();
  if (!platforms.includes(platform)) return { ok: false, message: `${JSON.stringify(text.slice(0, 80))} is not a channel-name pattern: write <platform>:<pattern>, e.g. ${platforms[0]}:inc-staging-* (platforms: ${platforms.join(', ')})` };
  const pattern = text.slice(colon + 1);
  const problem = namePatternProblem(pattern);
  return problem ? { ok: false, message: `the pattern ${JSON.stringify(pattern.slice(0, 80))} ${problem}` } : { ok: true, platform, pattern };
}

/** Deployments from the file's text (checked in full; every problem reported). */
export function parseDeploymentsFile(text: string, file: string, env: Env, opts: DeploymentsOptions): Parsed<DeploymentsConfig> {
  const problems: ConfigProblem[] = [];
  const fail = (message: string): void => void problems.push({ variable: DEPLOYMENTS_VARIABLE, message: `${file}: ${message}` });
  const tuning = parseCaracalTuning(env);
  if (!tuning.ok) problems.push(...tuning.problems);

  const yaml = parseYamlFile(text);
  if (yaml.errors.length) {
    yaml.errors.forEach(fail);
    return { ok: false, problems };
  }
  if (yaml.value === null || yaml.value === undefined) {
    fail('the file is empty; write "deployments:" and a list of deployments (see examples/caracal-deployments.yaml)');
    return { ok: false, problems };
  }
  /** `deployments[1] "staging" (line 9): probes.sts: ` for a path into an entry. */
  const where = (p: KeyPath): string => {
    if (p[0] === 'deployments' && typeof p[1] === 'number') {
      const raw = (yaml.value as { deployments?: unknown }).deployments;
      const entry = Array.isArray(raw) ? (raw[p[1]] as { name?: unknown } | undefined) : undefined;
      const name = typeof entry?.name === 'string' ? ` "${entry.name}"` : '';
      const line = yaml.line(p.slice(0, 2));
      const rest = p.slice(2);
      return `deployments[${p[1]}]${name}${line ? ` (line ${line})` : ''}: ${rest.length ? `${keyPath(rest)}: ` : ''}`;
    }
    const line = yaml.line(p, true);
    return `${line ? `line ${line}: ` : ''}${p.length ? `${keyPath(p)}: ` : ''}`;
  };

  const parsed = fileSchema.safeParse(yaml.value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') for (const key of issue.keys) fail(`${where([...issue.path, key])}unknown key (expected ${expectedKeys(issue.path).join(', ')})`);
      else fail(`${where(issue.path)}${issue.code === 'invalid_type' && / received undefined$/.test(issue.message) ? 'is required' : issue.message}`);
    }
    return { ok: false, problems };
  }

  const names = new Map<string, number>();
  const bound = new Map<string, string>();
  const patterns = new Map<string, string>();
  const deployments: DeploymentSettings[] = [];
  parsed.data.deployments.forEach((d, i) => {
    const at = (...rest: PropertyKey[]): string => where(['deployments', i, ...rest]);
    const first = names.get(d.name);
    if (first !== undefined) fail(`${at('name')}"${d.name}" is already the name of deployments[${first}]`);
    else names.set(d.name, i);
    const secret = (key: string, file: string | undefined): string | undefined => {
      if (file === undefined || !opts.readSecrets) return undefined;
      const r = readSecret(file);
      if ('problem' in r) fail(`${at(key)}${r.problem}`);
      return 'value' in r ? r.value : undefined;
    };
    const adminToken = secret('adminTokenFile', d.adminTokenFile) ?? '';
    const metricsBearer = secret('metricsBearerFile', d.metricsBearerFile);
    const coordinatorToken = secret('coordinatorTokenFile', d.coordinatorTokenFile);
    const fixToken = secret('fixTokenFile', d.fixTokenFile);
    const approveToken = secret('approveTokenFile', d.approveTokenFile);
    const channels: ChannelBinding[] = [];
    const channelNames: ChannelNameBinding[] = [];
    (d.channels ?? []).forEach((c, j) => {
      if ((c.channel === undefined) === (c.channelName === undefined)) return fail(`${at('channels', j)}give either channel (<platform>:<id>) or channelName (<platform>:<pattern>), one of them`);
      if (c.channelName !== undefined) {
        const r = readNamePattern(c.channelName, opts.platforms);
        if (!r.ok) return fail(`${at('channels', j, 'channelName')}${r.message}`);
        const key = `${r.platform}:${r.pattern.toLowerCase()}`;
        const other = patterns.get(key);
        if (other !== undefined) return fail(`${at('channels', j, 'channelName')}${key} is already bound to ${other}; a channel reads one deployment`);
        patterns.set(key, `deployments[${i}] "${d.name}"`);
        channelNames.push({ platform: r.platform, pattern: r.pattern, matches: compileNamePattern(r.pattern), zone: c.zone ?? null });
        return;
      }
      const r = opts.channels(c.channel!);
      if (!r.ok) return fail(`${at('channels', j, 'channel')}${r.message}`);
      const other = bound.get(r.place);
      if (other !== undefined) return fail(`${at('channels', j, 'channel')}${r.place} is already bound to ${other}; a channel reads one deployment`);
      bound.set(r.place, `deployments[${i}] "${d.name}"`);
      channels.push({ place: r.place, zone: c.zone ?? null });
    });
    if (!tuning.ok) return;
    deployments.push({
      name: d.name,
      caracal: {
        apiUrl: d.apiUrl!,
        adminToken,
        zoneIds: d.zones ?? [],
        stsUrl: d.probes?.sts,
        gatewayUrl: d.probes?.gateway,
        auditUrl: d.probes?.audit,
        coordinatorUrl: d.probes?.coordinator,
        metricsBearer,
        coordinatorToken,
        ...tuning.value,
      },
      consoleUrl: d.consoleUrl ?? null,
      channels,
      channelNames,
      ...(fixToken ? { fixToken } : {}),
      ...(approveToken ? { approveToken } : {}),
    });
  });
  return problems.length ? { ok: false, problems } : { ok: true, value: { file, deployments } };
}

/**
 * The deployments this process serves: the file's when CARACAL_DEPLOYMENTS_FILE is set (and no
 * single-deployment variable with it), else `default` from the single-deployment variables
 * (when `readSecrets` is false and CARACAL_API_URL is unset too: none, for `serve` without MCP).
 */
export function parseDeployments(env: Env, opts: DeploymentsOptions & { consoleUrl?: string | null }): Parsed<DeploymentsConfig> {
  const file = env[DEPLOYMENTS_VARIABLE]?.trim();
  if (!file) {
    if (!opts.readSecrets) return { ok: true, value: { file: null, deployments: [] } };
    const single = parseCaracalConfig(env);
    if (!single.ok) return single;
    return { ok: true, value: { file: null, deployments: [{ name: DEFAULT_DEPLOYMENT, caracal: single.value, consoleUrl: opts.consoleUrl ?? null, channels: [] }] } };
  }
  const both = [...SINGLE_DEPLOYMENT_VARIABLES, 'CARACAL_CONSOLE_URL', ...ACT_TOKEN_VARIABLES].filter((v) => env[v]?.trim());
  const conflicts: ConfigProblem[] = both.map((variable) => ({ variable, message: `is set, and so is ${DEPLOYMENTS_VARIABLE}: give it in the deployments file instead (its deployments each name their own), or unset ${DEPLOYMENTS_VARIABLE}` }));
  const read = readSettingsFile(file, DEPLOYMENTS_FILE_MAX_BYTES, 'a deployments file');
  if (!read.ok) return { ok: false, problems: [...conflicts, { variable: DEPLOYMENTS_VARIABLE, message: `${file}: ${read.message}` }] };
  const parsed = parseDeploymentsFile(read.text, file, env, opts);
  if (conflicts.length) return { ok: false, problems: [...conflicts, ...(parsed.ok ? [] : parsed.problems)] };
  return parsed;
}

/** Every secret a deployment holds (for redaction everywhere). */
export function deploymentSecrets(deployments: readonly DeploymentSettings[]): string[] {
  return deployments.flatMap((d) => [d.caracal.adminToken, d.caracal.metricsBearer, d.caracal.coordinatorToken, d.fixToken, d.approveToken]).filter((v): v is string => !!v);
}
