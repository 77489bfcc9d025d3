/**
 * What the chart gives a cluster operator beyond the two Deployments, rendered by a real helm:
 * pods spread over nodes and zones by default, HorizontalPodAutoscalers (CPU, and the collect
 * queue's depth through a metrics adapter), NetworkPolicies that let each process reach only
 * what it talks to, and the values that refuse a contradiction before anything is installed.
 */
import { FULLNAME, deployment, find, render, tryRender, type K8sObject, type Values } from './helm';

interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: string;
  labelSelector?: { matchLabels: Record<string, string> };
}

const spreadOf = (objects: K8sObject[], component: 'web' | 'worker') =>
  (deployment(objects, component).spec.template.spec as { topologySpreadConstraints?: SpreadConstraint[] }).topologySpreadConstraints;

describe('topology spread', () => {
  test.each(['web', 'worker'] as const)('%s pods are spread over nodes and zones by default, as a preference, counting only their own pods', (component) => {
    const objects = render();
    const spread = spreadOf(objects, component) ?? [];
    expect(spread.map((c) => [c.topologyKey, c.maxSkew, c.whenUnsatisfiable])).toEqual([
      ['kubernetes.io/hostname', 1, 'ScheduleAnyway'],
      ['topology.kubernetes.io/zone', 1, 'ScheduleAnyway'],
    ]);
    const podLabels = deployment(objects, component).spec.template.metadata.labels;
    for (const c of spread) {
      expect(c.labelSelector?.matchLabels).toEqual(deployment(objects, component).spec.selector.matchLabels);
      expect(Object.entries(c.labelSelector?.matchLabels ?? {}).every(([k, v]) => podLabels[k] === v)).toBe(true);
    }
    const other = component === 'web' ? 'worker' : 'web';
    const otherLabels = deployment(objects, other).spec.template.metadata.labels;
    expect(Object.entries(spread[0].labelSelector?.matchLabels ?? {}).every(([k, v]) => otherLabels[k] === v)).toBe(false);
  });

  test("a component's own constraints replace the chart's, for that component only; the spread can be tuned or turned off", () => {
    const own = [{ maxSkew: 2, topologyKey: 'example.com/rack', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'x' } } }];
    const objects = render({ worker: { topologySpreadConstraints: own } });
    expect(spreadOf(objects, 'worker')).toEqual(own);
    expect(spreadOf(objects, 'web')?.map((c) => c.topologyKey)).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    const tuned = render({ topologySpread: { maxSkew: 3, whenUnsatisfiable: 'DoNotSchedule', topologyKeys: ['topology.kubernetes.io/zone'] } });
    expect(spreadOf(tuned, 'web')?.map((c) => [c.topologyKey, c.maxSkew, c.whenUnsatisfiable])).toEqual([['topology.kubernetes.io/zone', 3, 'DoNotSchedule']]);
    const off = render({ topologySpread: { enabled: false } });
    expect([spreadOf(off, 'web'), spreadOf(off, 'worker')]).toEqual([undefined, undefined]);
  });
});

interface Hpa extends K8sObject {
  spec: {
    scaleTargetRef: { apiVersion: string; kind: string; name: string };
    minReplicas: number;
    maxReplicas: number;
    metrics: Array<{ type: string; resource?: { name: string; target: Record<string, unknown> }; external?: { metric: { name: string; selector: { matchLabels: Record<string, string> } }; target: Record<string, unknown> } }>;
    behavior?: unknown;
  };
}

describe('HorizontalPodAutoscaler', () => {
  test('none by default: the Deployments keep their replicas', () => {
    const objects = render();
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    expect([deployment(objects, 'web').spec.replicas, deployment(objects, 'worker').spec.replicas]).toEqual([2, 2]);
  });

  test('on, each scales its own Deployment on CPU between its bounds, and the Deployment leaves replicas to it', () => {
    const objects = render({ web: { autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 9, targetCPUUtilizationPercentage: 60 } }, worker: { autoscaling: { enabled: true, behavior: { scaleDown: { stabilizationWindowSeconds: 600 } } } } });
    for (const component of ['web', 'worker'] as const) {
      const hpa = find(objects, 'HorizontalPodAutoscaler', `${FULLNAME}-${component}`) as Hpa;
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment(objects, component).metadata.name });
      expect('replicas' in deployment(objects, component).spec).toBe(false);
    }
    const web = find(objects, 'HorizontalPodAutoscaler', `${FULLNAME}-web`) as Hpa;
    expect([web.spec.minReplicas, web.spec.maxReplicas]).toEqual([3, 9]);
    expect(web.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }]);
    const worker = find(objects, 'HorizontalPodAutoscaler', `${FULLNAME}-worker`) as Hpa;
    expect([worker.spec.minReplicas, worker.spec.maxReplicas]).toEqual([2, 8]);
    expect(worker.spec.behavior).toEqual({ scaleDown: { stabilizationWindowSeconds: 600 } });
  });

  test('workers can also scale on the waiting collect jobs, an External metric of the adapter, per pod', () => {
    const objects = render({ worker: { autoscaling: { enabled: true, queueDepth: { enabled: true, targetAverageValue: 4 } } } });
    const worker = find(objects, 'HorizontalPodAutoscaler', `${FULLNAME}-worker`) as Hpa;
    expect(worker.spec.metrics.map((m) => m.type)).toEqual(['Resource', 'External']);
    expect(worker.spec.metrics[1].external).toEqual({
      metric: { name: 'caracal_triage_queue_jobs', selector: { matchLabels: { queue: 'collect', state: 'waiting' } } },
      target: { type: 'AverageValue', averageValue: '4' },
    });
    const queueOnly = find(render({ worker: { autoscaling: { enabled: true, targetCPUUtilizationPercentage: null, queueDepth: { enabled: true } } } }), 'HorizontalPodAutoscaler', `${FULLNAME}-worker`) as Hpa;
    expect(queueOnly.spec.metrics.map((m) => m.type)).toEqual(['External']);
  });

  test.each([
    [{ web: { autoscaling: { enabled: true, minReplicas: 5, maxReplicas: 2 } } }, 'web.autoscaling: minReplicas (5) is above maxReplicas (2)'],
    [{ web: { autoscaling: { enabled: true, targetCPUUtilizationPercentage: null } } }, 'web.autoscaling: give targetCPUUtilizationPercentage, or turn autoscaling off'],
    [{ worker: { autoscaling: { enabled: true, targetCPUUtilizationPercentage: null } } }, 'worker.autoscaling: give targetCPUUtilizationPercentage or queueDepth'],
    [{ worker: { resources: { requests: { cpu: null } }, autoscaling: { enabled: true } } }, 'worker.autoscaling: a CPU target needs worker.resources.requests.cpu'],
    [{ web: { autoscaling: { enabled: true, minReplicas: 0 } } }, '/web/autoscaling/minReplicas'],
    [{ worker: { autoscaling: { queueDepth: { selector: { queue: 7 } } } } }, '/worker/autoscaling/queueDepth/selector/queue'],
    [{ web: { autoscaling: { queueDepth: { enabled: true } } } }, "additional properties 'queueDepth'"],
  ])('%j is refused: %s', (values, message) => {
    expect(tryRender(values).error).toContain(message);
  });
});

interface Policy extends K8sObject {
  spec: {
    podSelector: { matchLabels: Record<string, string> };
    policyTypes: string[];
    ingress: Array<{ ports: Array<{ port: number; protocol: string }>; from?: unknown[] }>;
    egress: Array<{ ports?: Array<{ port: number; protocol: string }>; to?: unknown[] }>;
  };
}

const ON: Values = {
  config: { CARACAL_API_URL: 'http://caracal-api.caracal.svc:3000', CARACAL_STS_URL: 'https://sts.caracal.example.com', CARACAL_AUDIT_URL: 'http://audit.caracal.svc' },
  networkPolicy: {
    enabled: true,
    webFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
    metricsFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
    egress: { caracal: { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'caracal' } } }] }, extra: [{ to: [{ ipBlock: { cidr: '10.0.0.5/32' } }], ports: [{ port: 3128, protocol: 'TCP' }] }] },
  },
};
const policy = (objects: K8sObject[], component: 'web' | 'worker') => find(objects, 'NetworkPolicy', `${FULLNAME}-${component}`) as Policy;
const egressPorts = (p: Policy) => p.spec.egress.flatMap((r) => (r.ports ?? []).map((x) => `${x.port}/${x.protocol}`)).sort();

describe('NetworkPolicy', () => {
  test('none by default', () => {
    expect(render().filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
  });

  test('each policy selects its own component\'s pods and restricts both directions', () => {
    const objects = render(ON);
    for (const component of ['web', 'worker'] as const) {
      const p = policy(objects, component);
      expect(p.spec.podSelector.matchLabels).toEqual(deployment(objects, component).spec.selector.matchLabels);
      expect(p.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    }
  });

  test('web: in, only its port, from the ingress controller and the scraper', () => {
    const p = policy(render(ON), 'web');
    expect(p.spec.ingress).toEqual([{ ports: [{ port: 3000, protocol: 'TCP' }], from: [...(ON.networkPolicy as { webFrom: unknown[] }).webFrom, ...(ON.networkPolicy as { metricsFrom: unknown[] }).metricsFrom] }]);
    // webFrom empty: the web port is open to any source, and still only that port.
    const open = policy(render({ networkPolicy: { enabled: true } }), 'web');
    expect(open.spec.ingress).toEqual([{ ports: [{ port: 3000, protocol: 'TCP' }] }]);
  });

  test('worker: in, only its health and metrics port, from the scraper; nothing at all when it serves no HTTP', () => {
    expect(policy(render(ON), 'worker').spec.ingress).toEqual([{ ports: [{ port: 3001, protocol: 'TCP' }], from: (ON.networkPolicy as { metricsFrom: unknown[] }).metricsFrom }]);
    expect(policy(render({ ...ON, worker: { http: { enabled: false } } }), 'worker').spec.ingress).toEqual([]);
  });

  test('out: DNS, Redis and HTTPS to the chat platforms for both; Caracal, on the ports of its URLs, for the worker only', () => {
    const objects = render(ON);
    const web = policy(objects, 'web');
    const worker = policy(objects, 'worker');
    expect(egressPorts(web)).toEqual(['3128/TCP', '443/TCP', '53/TCP', '53/UDP', '6379/TCP']);
    // 3000 (API), 443 (https STS), 80 (http audit, no port given)
    expect(egressPorts(worker)).toEqual(['3000/TCP', '3128/TCP', '443/TCP', '443/TCP', '53/TCP', '53/UDP', '6379/TCP', '80/TCP']);
    const caracal = worker.spec.egress.find((r) => r.ports?.some((x) => x.port === 3000));
    expect(caracal?.to).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'caracal' } } }]);
    const dns = web.spec.egress.find((r) => r.ports?.some((x) => x.port === 53));
    expect(dns?.to).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }]);
  });

  test('Caracal ports given in values replace the ones read from the URLs', () => {
    const objects = render({ ...ON, networkPolicy: { ...(ON.networkPolicy as object), egress: { caracal: { ports: [{ port: 8443, protocol: 'TCP' }] } } } });
    expect(egressPorts(policy(objects, 'worker'))).toContain('8443/TCP');
    expect(egressPorts(policy(objects, 'worker'))).not.toContain('3000/TCP');
  });

  test.each([
    [{ networkPolicy: { webFrom: 'everyone' } }, '/networkPolicy/webFrom'],
    [{ networkPolicy: { egress: { redis: { ports: [{ port: 6379, protocol: 'HTTP' }] } } } }, '/networkPolicy/egress/redis/ports/0/protocol'],
    [{ networkPolicy: { egress: { smtp: {} } } }, "additional properties 'smtp'"],
  ])('%j is refused at %s', (values, where) => {
    expect(tryRender(values).error).toContain(where);
  });
});
