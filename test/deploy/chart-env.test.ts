/**
 * The chart carries every setting of .env.example to the processes that read it (plain settings
 * to both, each credential only where it is read): the list comes from .env.example itself, so
 * a variable added there fails this test until the chart wires it. Secrets reach the pods only
 * by reference to a Secret. Every variable set means MCP on (MCP_TOKEN is read only then).
 */
import { CREDENTIALS, FULLNAME, TOKEN_FILES, container, credentialsOf, deployment, envExample, find, isSecretName, readBy as readByAny, render, resolveEnv, secretData, tryRender, type K8sObject, type Values } from './helm';

/** Who reads what in the wiring below, where every variable is set, so MCP is on. */
const readBy = (component: 'web' | 'worker', name: string): boolean => readByAny(component, name, true);

const ROUTES = [{ name: 'payments', match: { service: 'payments' }, to: 'slack:C0SENTINEL' }];
const ROUTES_FILE = 'version: 1\nroutes:\n  - match:\n      service: payments\n    name: payments\n    to: slack:C0SENTINEL\n';
const ADMIN_TOKEN_SECRET = { secretName: 'sentinel-admin-token', key: 'sentinel-key' };
const APPROVE_TOKEN_SECRET = { secretName: 'sentinel-approve-token', key: 'sentinel-approve-key' };
const FIX_TOKEN_SECRET = { secretName: 'sentinel-fix-token', key: 'sentinel-fix-key' };
const PORTS = { web: 3123, worker: 3124 };

/** A value for each variable that the schema accepts and that no default could produce. */
function sentinel(name: string, example: string): string | number | boolean {
  const fixed: Record<string, string | number | boolean> = {
    REDIS_URL: 'redis://:sentinel-REDIS_URL-password@redis.test:6379/2',
    SLACK_BOT_TOKEN: 'xoxb-sentinel-SLACK_BOT_TOKEN',
    SLACK_APP_TOKEN: 'xapp-sentinel-SLACK_APP_TOKEN',
    LOG_LEVEL: 'debug',
    MICROSOFT_APP_TYPE: 'MultiTenant',
    MICROSOFT_APP_ID: '5e171ee1-0000-4000-8000-000000000001',
    SLACK_FILE_UPLOADS: false,
    WATCH_ENABLED: true,
    REDIS_ALLOW_EVICTION: true,
    TRIAGE_DEFAULT_CHANNEL: 'teams:19:sentinel@thread.tacv2',
    TRIAGE_ALLOWED_USERS: 'U0SENTINEL,W0SENTINEL',
    TRIAGE_ALLOWED_USERGROUPS: 'S0SENTINEL',
    TRIAGE_ALLOWED_CHANNELS: 'C0SENTINEL,G0SENTINEL',
    CARACAL_ZONE_IDS: 'zone-sentinel-a,zone-sentinel-b',
    SLACK_INCIDENT_CHANNEL_PATTERN: '^sentinel-',
    TEAMS_ALLOWED_USERS: '5e171ee1-0000-4000-8000-0000000000aa,29:sentinel-user',
    TEAMS_ALLOWED_CONVERSATIONS: '19:sentinel@thread.tacv2',
    TRIAGE_APPROVERS: 'U0SENTINEL,S0SENTINEL',
    TRIAGE_FIXERS: '5e171ee1-0000-4000-8000-0000000000ab,U0SENTINEL2',
    TRIAGE_FIX_CONFIRM_TIMEOUT: '97s',
    TRIAGE_FIX_PROPOSAL_TTL: '17m',
    TEAMS_ALLOWED_TENANTS: '5e171ee1-0000-4000-8000-0000000000bb',
    TRIAGE_ESCALATE: 'slack=S0SENTINEL,teams=5e171ee1-0000-4000-8000-0000000000bb,pagerduty',
    TRIAGE_REMIND_AFTER: '7m',
    TRIAGE_ABANDON_AFTER: '7h',
    PAGERDUTY_FROM_EMAIL: 'sentinel@example.test',
    MCP_ALLOWED_ORIGINS: 'https://sentinel.example.test,http://localhost:6274',
    TRIAGE_PAGE_TTL: '36h',
  };
  if (name in fixed) return fixed[name];
  if (isSecretName(name)) return `sentinel-${name}-value-long-enough-for-any-minimum`;
  if (name.endsWith('_URL')) return `https://${name.toLowerCase().replace(/_/g, '-')}.example.test`;
  if (/^\d+$/.test(example)) return Number(example) + 7;
  return `sentinel-${name}`;
}

/** How each variable is set through values.yaml, and what the container should then see. */
function wiring(): { values: Values; expected: Map<string, string> } {
  const config: Values = {};
  const secrets: Values = {};
  const expected = new Map<string, string>();
  for (const { name, example } of envExample()) {
    if (name === 'PORT' || (TOKEN_FILES as readonly string[]).includes(name) || name === 'TRIAGE_ROUTES_FILE') continue;
    const v = sentinel(name, example);
    (isSecretName(name) ? secrets : config)[name] = v;
    expected.set(name, String(v));
  }
  const values: Values = {
    config,
    secrets,
    web: { port: PORTS.web },
    worker: { http: { enabled: true, port: PORTS.worker } },
    adminTokenFile: ADMIN_TOKEN_SECRET,
    approveTokenFile: APPROVE_TOKEN_SECRET,
    fixTokenFile: FIX_TOKEN_SECRET,
    routes: { routes: ROUTES },
    mcp: { enabled: true },
  };
  return { values, expected };
}

/** The text of every rendered object but the chart's Secret, and the env literals of both containers. */
function everythingButTheSecret(objects: K8sObject[]): string {
  return JSON.stringify(objects.filter((o) => !(o.kind === 'Secret' && o.metadata.name === FULLNAME)));
}

describe('every .env.example variable reaches the processes that read it', () => {
  const { values, expected } = wiring();
  const rendered = tryRender(values);

  test('the chart accepts a value for each of them', () => {
    // A schema error here names the variable that values.yaml / values.schema.json do not know.
    expect(rendered.error).toBeNull();
  });

  test('every credential of .env.example is read by web, worker or both', () => {
    const credentials = envExample()
      .map((v) => v.name)
      .filter(isSecretName);
    expect(credentials.filter((n) => !readBy('web', n) && !readBy('worker', n))).toEqual([]);
    expect([...new Set([...credentialsOf('web', true), ...credentialsOf('worker')])].sort()).toEqual(credentials.sort());
  });

  test.each(['web', 'worker'] as const)('%s sees each variable it reads with the value given in values.yaml, and no credential it does not read', (component) => {
    const objects = rendered.objects;
    const env = resolveEnv(objects, container(objects, component));
    const names = envExample().map((v) => v.name);
    expect(names.filter((n) => readBy(component, n) && !env.has(n))).toEqual([]);
    expect(names.filter((n) => !readBy(component, n) && env.has(n))).toEqual([]);
    for (const [name, value] of expected) if (readBy(component, name)) expect({ name, value: env.get(name)?.value }).toEqual({ name, value });
    expect(env.get('PORT')?.value).toBe(String(PORTS[component]));
  });

  test.each(['web', 'worker'] as const)('%s reads every credential it gets from the Secret, and nothing else from it', (component) => {
    const objects = rendered.objects;
    const env = resolveEnv(objects, container(objects, component));
    for (const { name } of envExample()) {
      const e = env.get(name);
      if (isSecretName(name) && readBy(component, name)) expect({ name, source: e?.source, secret: e?.ref?.name }).toEqual({ name, source: 'secret', secret: FULLNAME });
      else expect({ name, source: e?.source }).not.toEqual({ name, source: 'secret' });
    }
  });

  test('no credential appears outside the Secret, in plain text or base64', () => {
    const text = everythingButTheSecret(rendered.objects);
    for (const [name, value] of expected) {
      if (!isSecretName(name)) continue;
      expect({ name, plain: text.includes(value), base64: text.includes(Buffer.from(value).toString('base64')) }).toEqual({ name, plain: false, base64: false });
    }
    const data = secretData(find(rendered.objects, 'Secret', FULLNAME));
    expect(Object.keys(data).sort()).toEqual([...expected.keys()].filter(isSecretName).sort());
  });

  const fileOf = (component: 'web' | 'worker', variable: string) => {
    const objects = rendered.objects;
    const c = container(objects, component);
    const path = resolveEnv(objects, c).get(variable)?.value ?? '';
    const volumes = deployment(objects, component).spec.template.spec.volumes ?? [];
    const mount = (c.volumeMounts ?? []).find((m) => path.startsWith(`${m.mountPath}/`));
    return { path, mount, volume: volumes.find((v) => v.name === mount?.name), file: path.slice((mount?.mountPath.length ?? 0) + 1) };
  };

  test.each(['worker', 'web'] as const)('the %s gets the admin token as a mounted file (the web because it serves MCP here; chart-secrets.test.ts: not otherwise)', (component) => {
    const token = fileOf(component, 'CARACAL_ADMIN_TOKEN_FILE');
    expect(token.mount?.readOnly).toBe(true);
    expect(token.volume?.secret?.secretName).toBe(ADMIN_TOKEN_SECRET.secretName);
    expect(token.volume?.secret?.items).toEqual([{ key: ADMIN_TOKEN_SECRET.key, path: token.file }]);
  });

  test.each([
    ['CARACAL_APPROVE_TOKEN_FILE', APPROVE_TOKEN_SECRET],
    ['CARACAL_FIX_TOKEN_FILE', FIX_TOKEN_SECRET],
  ])('the worker gets %s as a mounted file; the web, which never acts on Caracal, does not mount it', (variable, secret) => {
    const token = fileOf('worker', variable);
    expect(token.mount?.readOnly).toBe(true);
    expect(token.volume?.secret?.secretName).toBe(secret.secretName);
    expect(token.volume?.secret?.items).toEqual([{ key: secret.key, path: token.file }]);
    const web = deployment(rendered.objects, 'web').spec.template.spec;
    expect(resolveEnv(rendered.objects, container(rendered.objects, 'web')).has(variable)).toBe(false);
    expect(JSON.stringify(web)).not.toContain(secret.secretName);
  });

  test.each(['web', 'worker'] as const)('%s gets the routes as a mounted file, written from values', (component) => {
    const routes = fileOf(component, 'TRIAGE_ROUTES_FILE');
    const cm = find(rendered.objects, 'ConfigMap', routes.volume?.configMap?.name ?? '(none)') as K8sObject & { data: Record<string, string> };
    const key = routes.volume?.configMap?.items?.find((i) => i.path === routes.file)?.key ?? '(none)';
    expect(cm.data[key]).toBe(ROUTES_FILE);
  });
});

describe('settings the operator leaves empty', () => {
  test('are left out, so the bot applies its own defaults; Teams is never started without authentication', () => {
    const objects = render({ config: { MICROSOFT_APP_ID: '', CARACAL_API_URL: 'https://caracal.example.com' } });
    const env = resolveEnv(objects, container(objects, 'worker'));
    expect(env.has('MICROSOFT_APP_ID')).toBe(false);
    expect(env.has('CARACAL_ADMIN_TOKEN')).toBe(false);
    for (const file of TOKEN_FILES) expect(env.has(file)).toBe(false);
    expect(env.has('TRIAGE_ROUTES_FILE')).toBe(false);
    expect(env.get('CARACAL_API_URL')?.value).toBe('https://caracal.example.com');
    expect(env.get('CARACAL_TIMEOUT_MS')?.value).toBe('5000');
  });

  test('numbers reach the pods as plain integers', () => {
    const objects = render({ config: { CARACAL_TIMEOUT_MS: 120000, CARACAL_CACHE_TTL_MS: 0 } });
    const env = resolveEnv(objects, container(objects, 'web'));
    expect(env.get('CARACAL_TIMEOUT_MS')?.value).toBe('120000');
    expect(env.get('CARACAL_CACHE_TTL_MS')?.value).toBe('0');
  });
});

describe('existingSecret', () => {
  test('is read instead of a Secret of the chart, which is then not created; each process references only the keys it reads', () => {
    const objects = render({ existingSecret: 'triage-credentials' });
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    for (const component of ['web', 'worker'] as const) {
      const refs = (container(objects, component).env ?? []).filter((e) => e.valueFrom?.secretKeyRef).map((e) => e.valueFrom!.secretKeyRef!);
      expect(new Set(refs.map((r) => r.name))).toEqual(new Set(['triage-credentials']));
      expect(refs.every((r) => r.optional === true)).toBe(true);
      expect(refs.map((r) => r.key).sort()).toEqual([...CREDENTIALS[component]].sort());
    }
  });

  test('together with a value under secrets is refused, naming the variable', () => {
    const r = tryRender({ existingSecret: 'triage-credentials', secrets: { SLACK_BOT_TOKEN: 'xoxb-1' } });
    expect(r.error).toMatch(/secrets\.SLACK_BOT_TOKEN is set while existingSecret \(triage-credentials\) is used/);
  });
});

describe('a change of settings rolls the pods', () => {
  const annotations = (values: Values) => deployment(render(values), 'worker').spec.template.metadata.annotations;
  const base: Values = { config: { LOG_LEVEL: 'info' }, secrets: { SLACK_BOT_TOKEN: 'xoxb-1' }, routes: { routes: [{ to: 'slack:C0AAA' }] } };

  test('config, secrets and routes each change their own checksum; replicas change none', () => {
    const a = annotations(base);
    expect(annotations({ ...base, config: { LOG_LEVEL: 'debug' } })['checksum/config']).not.toBe(a['checksum/config']);
    expect(annotations({ ...base, secrets: { SLACK_BOT_TOKEN: 'xoxb-2' } })['checksum/secret']).not.toBe(a['checksum/secret']);
    expect(annotations({ ...base, routes: { routes: [{ to: 'slack:C0BBB' }] } })['checksum/routes']).not.toBe(a['checksum/routes']);
    const scaled = annotations({ ...base, worker: { replicas: 9 } });
    for (const k of ['checksum/config', 'checksum/secret', 'checksum/routes']) expect(scaled[k]).toBe(a[k]);
  });
});
