/**
 * What the Helm chart gives a cluster, rendered by a real helm: the web/worker split, probes,
 * pod hardening, the Service, the PodDisruptionBudgets, monitoring on and off, and a schema that
 * refuses bad values before anything is installed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CHART, FULLNAME, NAMESPACE, ROOT, container, deployment, find, helmRun, kinds, render, tryRender, type K8sObject } from './helm';

const CI_VALUES = join(CHART, 'ci', 'teams-incidents-values.yaml');

describe('helm lint --strict', () => {
  test.each([
    ['the default values', [] as string[]],
    ['Teams and the incident sources enabled', ['-f', CI_VALUES]],
  ])('passes with %s', (_label, args) => {
    const r = helmRun(['lint', '--strict', CHART, ...args]);
    expect({ status: r.status, out: r.stdout.includes('0 chart(s) failed') }).toEqual({ status: 0, out: true });
  });
});

describe('default values', () => {
  const objects = render();

  test('render the web and worker Deployments, the web Service, settings, account and disruption budgets, and no monitoring', () => {
    expect(kinds(objects)).toEqual(
      [
        `ConfigMap/${FULLNAME}`,
        `Deployment/${FULLNAME}-web`,
        `Deployment/${FULLNAME}-worker`,
        `PodDisruptionBudget/${FULLNAME}-web`,
        `PodDisruptionBudget/${FULLNAME}-worker`,
        `Secret/${FULLNAME}`,
        `Service/${FULLNAME}-web`,
        `Service/${FULLNAME}-worker`,
        `ServiceAccount/${FULLNAME}`,
      ].sort(),
    );
  });

  test('web runs `caracal-triage serve` and worker `caracal-triage worker`, from the same image', () => {
    const web = container(objects, 'web');
    const worker = container(objects, 'worker');
    expect([...(web.command ?? []), ...(web.args ?? [])]).toEqual(['node', '--', '/app/bin/caracal-triage.js', 'serve']);
    expect([...(worker.command ?? []), ...(worker.args ?? [])]).toEqual(['node', '--', '/app/bin/caracal-triage.js', 'worker']);
    const image = (c: unknown) => (c as { image: string }).image;
    expect(image(web)).toBe('caracal-triage:0.1.0');
    expect(image(worker)).toBe(image(web));
  });

  test('web is probed on /healthz (liveness, start-up) and /readyz (readiness) on the port it listens on', () => {
    const web = container(objects, 'web');
    expect(web.ports).toEqual([{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
    expect(web.env?.find((e) => e.name === 'PORT')).toEqual({ name: 'PORT', value: '3000' });
    expect(web.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(web.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(web.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
  });

  test('the worker serves its probes and metrics on its own port by default; with HTTP off it gets no port and no probe', () => {
    const worker = container(objects, 'worker');
    expect(worker.ports?.[0]).toEqual({ name: 'http', containerPort: 3001, protocol: 'TCP' });
    expect(worker.env?.find((e) => e.name === 'PORT')?.value).toBe('3001');
    expect(worker.readinessProbe?.httpGet?.path).toBe('/readyz');
    const off = container(render({ worker: { http: { enabled: false } } }), 'worker');
    expect([off.ports, off.livenessProbe, off.readinessProbe, off.startupProbe]).toEqual([undefined, undefined, undefined, undefined]);
  });

  test('the Service sends traffic to web pods only, on the port from values', () => {
    const svc = find(objects, 'Service', `${FULLNAME}-web`) as K8sObject & { spec: { selector: Record<string, string>; ports: Array<{ port: number; targetPort: string }> } };
    const matches = (labels: Record<string, string>) => Object.entries(svc.spec.selector).every(([k, v]) => labels[k] === v);
    expect(matches(deployment(objects, 'web').spec.template.metadata.labels)).toBe(true);
    expect(matches(deployment(objects, 'worker').spec.template.metadata.labels)).toBe(false);
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
  });

  test.each(['web', 'worker'] as const)('%s pods run as non-root on a read-only root filesystem, with /tmp writable', (component) => {
    const pod = deployment(objects, component).spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe(FULLNAME);
    const c = pod.containers[0];
    expect(c.securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
    expect(pod.volumes?.find((v) => v.name === tmp?.name)?.emptyDir).toEqual({ sizeLimit: '64Mi' });
  });
});

describe('sizing per component', () => {
  test('replicas and resources of web and worker are set independently', () => {
    const objects = render({
      web: { replicas: 3, resources: { requests: { cpu: '150m', memory: '200Mi' }, limits: { memory: '300Mi' } } },
      worker: { replicas: 7, resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '2Gi' } } },
    });
    expect(deployment(objects, 'web').spec.replicas).toBe(3);
    expect(deployment(objects, 'worker').spec.replicas).toBe(7);
    expect(container(objects, 'web').resources).toEqual({ requests: { cpu: '150m', memory: '200Mi' }, limits: { memory: '300Mi' } });
    expect(container(objects, 'worker').resources).toEqual({ requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '2Gi' } });
  });

  test('the web port follows values to the container, PORT and the probes', () => {
    const objects = render({ web: { port: 8080 } });
    const web = container(objects, 'web');
    expect(web.ports?.[0].containerPort).toBe(8080);
    expect(web.env?.find((e) => e.name === 'PORT')?.value).toBe('8080');
  });

  test('a worker with HTTP enabled gets its port, probes and a headless Service for scraping', () => {
    const objects = render({ worker: { http: { enabled: true, port: 3001 } } });
    const worker = container(objects, 'worker');
    expect(worker.ports?.[0]).toEqual({ name: 'http', containerPort: 3001, protocol: 'TCP' });
    expect(worker.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(worker.readinessProbe?.httpGet?.path).toBe('/readyz');
    const svc = find(objects, 'Service', `${FULLNAME}-worker`) as K8sObject & { spec: { clusterIP: string } };
    expect(svc.spec.clusterIP).toBe('None');
  });
});

describe('Ingress', () => {
  test('off by default; on, routes its hosts to the web Service only', () => {
    expect(render().filter((o) => o.kind === 'Ingress')).toEqual([]);
    const objects = render({ ingress: { enabled: true, className: 'nginx', hosts: [{ host: 'triage.example.com', paths: [{ path: '/', pathType: 'Prefix' }] }] } });
    const ing = find(objects, 'Ingress', FULLNAME) as K8sObject & { spec: { ingressClassName: string; rules: Array<{ host: string; http: { paths: Array<{ backend: unknown }> } }> } };
    expect(ing.spec.ingressClassName).toBe('nginx');
    expect(ing.spec.rules.map((r) => [r.host, r.http.paths.map((p) => p.backend)])).toEqual([['triage.example.com', [{ service: { name: `${FULLNAME}-web`, port: { name: 'http' } } }]]]);
  });
});

describe('PodDisruptionBudget', () => {
  test('covers web and worker each, by their own selector, and can be turned off', () => {
    const objects = render({ podDisruptionBudget: { web: { minAvailable: 1, maxUnavailable: null } } });
    const web = find(objects, 'PodDisruptionBudget', `${FULLNAME}-web`) as K8sObject & { spec: Record<string, unknown> };
    const worker = find(objects, 'PodDisruptionBudget', `${FULLNAME}-worker`) as K8sObject & { spec: Record<string, unknown> };
    expect(web.spec).toEqual({ minAvailable: 1, selector: { matchLabels: deployment(objects, 'web').spec.selector.matchLabels } });
    expect(worker.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: deployment(objects, 'worker').spec.selector.matchLabels } });
    expect(render({ podDisruptionBudget: { enabled: false } }).filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
  });

  test('with both minAvailable and maxUnavailable is refused, saying which to null', () => {
    expect(tryRender({ podDisruptionBudget: { web: { minAvailable: 1 } } }).error).toContain('podDisruptionBudget.web: give exactly one of minAvailable and maxUnavailable');
  });
});

/** Metric names the bot registers anywhere in src/ (prom-client `name: '…'`). */
function exportedMetrics(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/name: '(caracal_triage_[a-z_]+)'/g)) names.add(m[1]);
    }
  };
  walk(join(ROOT, 'src'));
  return names;
}

/** Alert rules may use these before the bot exports them (README "What to watch" names them). */


describe('monitoring', () => {
  const on = render({ metrics: { serviceMonitor: { enabled: true, labels: { release: 'prom' } }, prometheusRule: { enabled: true } }, worker: { http: { enabled: true } } });

  test('off by default; on, a ServiceMonitor scrapes /metrics of the web and worker Services of this release', () => {
    expect(render().filter((o) => ['ServiceMonitor', 'PrometheusRule'].includes(o.kind))).toEqual([]);
    const sm = find(on, 'ServiceMonitor', FULLNAME) as K8sObject & { spec: { selector: { matchLabels: Record<string, string> }; namespaceSelector: unknown; endpoints: Array<{ port: string; path: string }> } };
    expect(sm.metadata.labels?.release).toBe('prom');
    expect(sm.spec.namespaceSelector).toEqual({ matchNames: [NAMESPACE] });
    expect(sm.spec.endpoints.map((e) => [e.port, e.path])).toEqual([['http', '/metrics']]);
    const selected = on.filter((o) => o.kind === 'Service' && Object.entries(sm.spec.selector.matchLabels).every(([k, v]) => o.metadata.labels?.[k] === v));
    expect(selected.map((s) => s.metadata.name).sort()).toEqual([`${FULLNAME}-web`, `${FULLNAME}-worker`]);
  });

  test('the PrometheusRule alerts on queue backlog, job failures, 429 storms and audit append failures, on metrics the bot has', () => {
    const rule = find(on, 'PrometheusRule', FULLNAME) as K8sObject & { spec: { groups: Array<{ rules: Array<{ alert: string; expr: string; labels: { severity: string } }> }> } };
    const rules = rule.spec.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['CaracalTriageQueueBacklog', 'CaracalTriageJobFailures', 'CaracalTriageChatRateLimited', 'CaracalTriageAuditAppendFailures']),
    );
    const byAlert = Object.fromEntries(rules.map((r) => [r.alert, r.expr]));
    expect(byAlert.CaracalTriageJobFailures).toContain('caracal_triage_jobs_total{');
    expect(byAlert.CaracalTriageJobFailures).toContain('outcome="failed"');
    expect(byAlert.CaracalTriageChatRateLimited).toContain('caracal_triage_chat_calls_total{');
    expect(byAlert.CaracalTriageChatRateLimited).toContain('outcome="rate_limited"');
    const known = exportedMetrics();
    for (const r of rules) {
      const used = [...r.expr.matchAll(/\b(caracal_triage_[a-z_]+?)(?:_bucket)?\{/g)].map((m) => m[1]);
      for (const name of used) expect({ alert: r.alert, metric: name, known: known.has(name) }).toEqual({ alert: r.alert, metric: name, known: true });
      // Every expression is scoped to this release, so two releases never alert on each other.
      expect(r.expr).toContain(`namespace="${NAMESPACE}"`);
    }
  });

  test('workers down is alerted while workers are scraped, and not rendered when they serve no HTTP (it would always fire)', () => {
    const alertsOf = (values: Record<string, unknown>) =>
      (find(render(values), 'PrometheusRule', FULLNAME) as K8sObject & { spec: { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> } }).spec.groups.flatMap((g) => g.rules);
    const down = alertsOf({ metrics: { prometheusRule: { enabled: true } } }).find((r) => r.alert === 'CaracalTriageWorkersDown');
    expect(down?.expr).toBe(`absent(up{namespace="${NAMESPACE}",job="${FULLNAME}-worker"} == 1)`);
    expect(alertsOf({ metrics: { prometheusRule: { enabled: true } }, worker: { http: { enabled: false } } }).map((r) => r.alert)).not.toContain('CaracalTriageWorkersDown');
  });

  test('a rule turned off is not rendered, and thresholds come from values', () => {
    const objects = render({ metrics: { prometheusRule: { enabled: true, rules: { slowAck: { enabled: false, for: '5m', severity: 'warning' }, queueBacklog: { threshold: 500 } } } } });
    const rules = (find(objects, 'PrometheusRule', FULLNAME) as K8sObject & { spec: { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> } }).spec.groups[0].rules;
    expect(rules.map((r) => r.alert)).not.toContain('CaracalTriageSlowAck');
    expect(rules.find((r) => r.alert === 'CaracalTriageQueueBacklog')?.expr).toMatch(/> 500$/);
  });
});

describe('values.schema.json refuses a bad value before anything is installed', () => {
  test.each([
    [{ config: { LOG_LEVEL: 'loud' } }, '/config/LOG_LEVEL'],
    [{ config: { CARACAL_API_URL: 'caracal.example.com' } }, '/config/CARACAL_API_URL'],
    [{ config: { CARACAL_TIMEOUT_MS: 5 } }, '/config/CARACAL_TIMEOUT_MS'],
    [{ config: { CARACAL_TIMEOUT_MS: '5000' } }, '/config/CARACAL_TIMEOUT_MS'],
    [{ config: { CARACAL_API_URI: 'https://x' } }, "additional properties 'CARACAL_API_URI'"],
    [{ config: { TRIAGE_DEFAULT_CHANNEL: 'C0123' } }, '/config/TRIAGE_DEFAULT_CHANNEL'],
    [{ config: { MICROSOFT_APP_TYPE: 'Single' } }, '/config/MICROSOFT_APP_TYPE'],
    [{ config: { TRIAGE_ALLOWED_USERS: 'alice' } }, '/config/TRIAGE_ALLOWED_USERS'],
    [{ secrets: { TRIAGE_SIGNING_KEY: 'too-short' } }, '/secrets/TRIAGE_SIGNING_KEY'],
    [{ secrets: { REDIS_URL: 'http://redis:6379' } }, '/secrets/REDIS_URL'],
    [{ secrets: { CARACAL_ADMIN_TOKEN: 123 } }, '/secrets/CARACAL_ADMIN_TOKEN'],
    [{ web: { replicas: -1 } }, '/web/replicas'],
    [{ web: { port: 70000 } }, '/web/port'],
    [{ worker: { terminationGracePeriodSeconds: 5 } }, '/worker/terminationGracePeriodSeconds'],
    [{ podSecurity: { runAsUser: 0 } }, '/podSecurity/runAsUser'],
    [{ service: { type: 'Public' } }, '/service/type'],
    [{ podDisruptionBudget: { web: { maxUnavailable: 'half' } } }, '/podDisruptionBudget/web/maxUnavailable'],
    [{ metrics: { prometheusRule: { rules: { jobFailures: { severity: 'page' } } } } }, '/metrics/prometheusRule/rules/jobFailures/severity'],
    [{ metrics: { serviceMonitor: { interval: 'often' } } }, '/metrics/serviceMonitor/interval'],
  ])('%j is refused at %s', (values, where) => {
    const r = tryRender(values);
    expect(r.error).toContain(where);
    expect(r.objects).toEqual([]);
  });

  test('the same values pass once corrected', () => {
    expect(tryRender({ config: { LOG_LEVEL: 'warn', CARACAL_API_URL: 'https://caracal.example.com', CARACAL_TIMEOUT_MS: 5000 }, secrets: { TRIAGE_SIGNING_KEY: 'x'.repeat(32) } }).error).toBeNull();
  });
});
