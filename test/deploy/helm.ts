/**
 * Renders the Helm chart with a real helm (the pinned one .ci/fetch-tool brings through the npm
 * registry, or $HELM) and reads the rendered objects: what a cluster would be given.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

export const ROOT = join(__dirname, '..', '..');
export const CHART = join(ROOT, 'deploy', 'helm', 'caracal-triage');
export const RELEASE = 'tri';
export const NAMESPACE = 'ops';
export const FULLNAME = 'tri-caracal-triage';

let helmPath: string | undefined;

/** The helm binary: $HELM, else the pinned one (fetched into .tools/ on first use). */
export function helm(): string {
  helmPath ??= process.env.HELM || execFileSync('bash', [join(ROOT, '.ci', 'fetch-tool'), 'helm'], { encoding: 'utf8' }).trim();
  return helmPath;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export type Values = Record<string, unknown>;

export interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function withValuesFile<T>(values: Values | undefined, run: (args: string[]) => T): T {
  if (!values) return run([]);
  const dir = mkdtempSync(join(tmpdir(), 'chart-values-'));
  try {
    const file = join(dir, 'values.yaml');
    writeFileSync(file, stringify(values));
    return run(['-f', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function helmRun(args: string[], values?: Values): HelmResult {
  return withValuesFile(values, (valueArgs) => {
    // GOGC=off: a render is over in a tenth of a second; Go's collector only costs it CPU there
    // (about a fifth of helm's, over the hundred-odd renders of a run).
    const r = spawnSync(helm(), [...args, ...valueArgs], { encoding: 'utf8', env: { ...process.env, GOGC: 'off', HELM_CACHE_HOME: join(tmpdir(), 'helm-cache'), HELM_CONFIG_HOME: join(tmpdir(), 'helm-config') } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  });
}

/**
 * What `helm template` printed for these values and arguments, once per test file: the chart
 * does not change during a run, and a render costs a helm start (about 0.13 s of CPU). Parsed
 * afresh on every call, so a test that edits what it got does not edit another test's.
 */
const rendered = new Map<string, HelmResult>();

/** `helm template`, or the error helm printed (a schema or template failure). */
export function tryRender(values?: Values, extraArgs: string[] = []): { objects: K8sObject[]; error: string | null } {
  const key = JSON.stringify([values ?? null, extraArgs]);
  let r = rendered.get(key);
  if (!r) {
    r = helmRun(['template', RELEASE, CHART, '--namespace', NAMESPACE, ...extraArgs], values);
    rendered.set(key, r);
  }
  if (r.status !== 0) return { objects: [], error: r.stderr || `helm exited ${r.status}` };
  const objects = parseAllDocuments(r.stdout)
    .map((d) => d.toJSON() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null && typeof o === 'object');
  return { objects, error: null };
}

export function render(values?: Values, extraArgs: string[] = []): K8sObject[] {
  const { objects, error } = tryRender(values, extraArgs);
  if (error) throw new Error(`helm template failed:\n${error}`);
  return objects;
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name} in: ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
}

export function kinds(objects: K8sObject[]): string[] {
  return objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
}

// ---- pod specs --------------------------------------------------------------------------------

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; configMapKeyRef?: { name: string; key: string } };
}

export interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  ports?: Array<{ name: string; containerPort: number }>;
  securityContext?: Record<string, unknown>;
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  startupProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: unknown;
  lifecycle?: unknown;
}

export interface PodSpec {
  securityContext?: Record<string, unknown>;
  containers: Container[];
  volumes?: Array<{ name: string; emptyDir?: unknown; secret?: { secretName: string; items?: Array<{ key: string; path: string }> }; configMap?: { name: string; items?: Array<{ key: string; path: string }> } }>;
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
}

export interface Deployment extends K8sObject {
  spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: PodSpec } };
}

export function deployment(objects: K8sObject[], component: 'web' | 'worker'): Deployment {
  return find(objects, 'Deployment', `${FULLNAME}-${component}`) as Deployment;
}

export function container(objects: K8sObject[], component: 'web' | 'worker'): Container {
  const c = deployment(objects, component).spec.template.spec.containers;
  if (c.length !== 1) throw new Error(`${component}: expected one container, got ${c.length}`);
  return c[0];
}

export function secretData(secret: K8sObject): Record<string, string> {
  const data = (secret as { data?: Record<string, string> | null }).data ?? {};
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

export interface ResolvedEnv {
  value: string | undefined;
  /** Where the container gets it: a literal, a ConfigMap key or a Secret key (by reference). */
  source: 'value' | 'configMap' | 'secret';
  ref?: { name: string; key: string };
}

/**
 * The environment a container starts with, as the kubelet builds it: envFrom first, then env
 * (which wins). Values from objects that are not rendered (an existingSecret) stay undefined.
 */
export function resolveEnv(objects: K8sObject[], c: Container): Map<string, ResolvedEnv> {
  const out = new Map<string, ResolvedEnv>();
  const configMap = (name: string) => (objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name) as { data?: Record<string, string> } | undefined)?.data ?? undefined;
  const secret = (name: string) => {
    const s = objects.find((o) => o.kind === 'Secret' && o.metadata.name === name);
    return s ? secretData(s) : undefined;
  };
  for (const from of c.envFrom ?? []) {
    if (from.configMapRef) for (const [k, v] of Object.entries(configMap(from.configMapRef.name) ?? {})) out.set(k, { value: v, source: 'configMap', ref: { name: from.configMapRef.name, key: k } });
    if (from.secretRef) for (const [k, v] of Object.entries(secret(from.secretRef.name) ?? {})) out.set(k, { value: v, source: 'secret', ref: { name: from.secretRef.name, key: k } });
  }
  for (const e of c.env ?? []) {
    const sk = e.valueFrom?.secretKeyRef;
    const ck = e.valueFrom?.configMapKeyRef;
    if (sk) {
      const data = secret(sk.name);
      // An optional key that the rendered Secret lacks is simply not set in the container.
      if (data && !(sk.key in data) && sk.optional) continue;
      out.set(e.name, { value: data?.[sk.key], source: 'secret', ref: { name: sk.name, key: sk.key } });
    } else if (ck) out.set(e.name, { value: configMap(ck.name)?.[ck.key], source: 'configMap', ref: ck });
    else out.set(e.name, { value: e.value, source: 'value' });
  }
  return out;
}

// ---- .env.example -------------------------------------------------------------------------------

/** Every variable .env.example lists, with its example value. */
/** Every variable .env.example lists, set (`VAR=…`) or shown commented out (`# VAR=…`, off by default). */
export function envExample(): Array<{ name: string; example: string }> {
  return readFileSync(join(ROOT, '.env.example'), 'utf8')
    .split('\n')
    .map((line) => /^(?:#\s?)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[1], example: m[2].trim() }));
}

/** Names that hold a credential: they must reach pods only through a Secret. */
export function isSecretName(name: string): boolean {
  return name === 'REDIS_URL' || (/(TOKEN|SECRET|PASSWORD|KEY|BEARER)$/.test(name) && !name.endsWith('_FILE'));
}

// ---- who reads what -----------------------------------------------------------------------------

/**
 * The credentials each process reads, from the code: `serve` loads no Caracal settings unless it
 * serves MCP (loadWebConfig in src/app/config.ts) and only the web serves the incident hooks
 * (src/app/processes.ts); the worker reads Caracal, posts to the chat platforms and pages PagerDuty, and its Slack
 * check (adapters/slack/config.ts) wants the signing secret or the app token whenever the bot
 * token is set. chart-secrets.test.ts runs each process's start-up check on what the chart
 * gives it. These are the lists with `mcp.enabled` off; `credentialsOf` adds MCP's.
 */
export const CREDENTIALS = {
  web: ['REDIS_URL', 'TRIAGE_SIGNING_KEY', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'MICROSOFT_APP_PASSWORD', 'ALERTMANAGER_TOKEN', 'INCIDENT_WEBHOOK_SECRET', 'PAGERDUTY_WEBHOOK_SECRET', 'CARACAL_SINK_SECRET'],
  worker: ['REDIS_URL', 'TRIAGE_SIGNING_KEY', 'CARACAL_ADMIN_TOKEN', 'CARACAL_METRICS_BEARER', 'CARACAL_COORDINATOR_TOKEN', 'CARACAL_APPROVE_TOKEN', 'CARACAL_FIX_TOKEN', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'MICROSOFT_APP_PASSWORD', 'PAGERDUTY_ROUTING_KEY', 'PAGERDUTY_API_TOKEN'],
} as const;

/** With `mcp.enabled` the web serves POST /mcp: it reads MCP_TOKEN, and the Caracal credentials its tools read Caracal with. */
export const MCP_WEB_CREDENTIALS = ['MCP_TOKEN', 'CARACAL_ADMIN_TOKEN', 'CARACAL_METRICS_BEARER', 'CARACAL_COORDINATOR_TOKEN'] as const;

export function credentialsOf(component: 'web' | 'worker', mcp = false): readonly string[] {
  return component === 'web' && mcp ? [...CREDENTIALS.web, ...MCP_WEB_CREDENTIALS] : CREDENTIALS[component];
}

/** Token files the chart mounts, by the variable that names the file: the approve and fix tokens reach workers only. */
export const TOKEN_FILES = ['CARACAL_ADMIN_TOKEN_FILE', 'CARACAL_APPROVE_TOKEN_FILE', 'CARACAL_FIX_TOKEN_FILE'] as const;

/**
 * Whether a variable reaches a component: every plain setting does; a credential only where it
 * is read; the admin token file where Caracal is read (workers, and the web with MCP); the act
 * token files only to workers.
 */
export function readBy(component: 'web' | 'worker', name: string, mcp = false): boolean {
  if (name === 'CARACAL_ADMIN_TOKEN_FILE') return component === 'worker' || mcp;
  if ((TOKEN_FILES as readonly string[]).includes(name)) return component === 'worker';
  return !isSecretName(name) || credentialsOf(component, mcp).includes(name);
}
