/**
 * Who sees what through the command flow's finding half: `list` shows this conversation's open
 * triages; `list all`, and `show` of a triage whose card is in another conversation, only to the
 * people the platform admits (nobody when it says nothing); a person's own triage is theirs to
 * see anywhere; an unknown ID is said plainly; a store that is down is said plainly too.
 */
import pino from 'pino';
import { Registry } from 'prom-client';
import { createCommandFlow } from '../../src/commands/flow';
import type { CommandRequest } from '../../src/ingress/flow';
import { ingressMetrics } from '../../src/ingress/metrics';
import { createRedactor } from '../../src/redact/redact';
import { FakeTriageService } from '../adapters/slack/fake-service';
import { triageRecord } from '../support/triage-records';

const KEY = 'k'.repeat(40);

function setup() {
  const service = new FakeTriageService();
  const registry = new Registry();
  const flow = createCommandFlow({ service, signingKey: KEY, metrics: ingressMetrics(registry), logger: pino({ level: 'silent' }), redactor: createRedactor(), readiness: async () => ({ ready: true, checks: [] }) });
  const req = (text: string, over: Partial<CommandRequest> = {}): CommandRequest => ({
    platform: 'slack',
    text,
    prefix: '/caracal',
    actor: { kind: 'user', id: 'U0ASKER01' },
    destination: { platform: 'slack', channel: 'C0HERE001' },
    dedupeKey: `k-${Math.random()}`,
    source: 'slack_command',
    authorize: () => ({ ok: true }),
    ...over,
  });
  return { service, flow, req, registry };
}

describe('list and show through the flow', () => {
  it('list: this conversation\'s open triages only', async () => {
    const { service, flow, req } = setup();
    service.seed(triageRecord({ id: 'tri-here000000000000000000001' }), { platform: 'slack', channel: 'C0HERE001', ts: '1.1' });
    service.seed(triageRecord({ id: 'tri-else000000000000000000001' }), { platform: 'slack', channel: 'C0ELSE001', ts: '1.2' });
    const out = await flow.command(req('list'));
    expect(out).toMatchObject({ kind: 'list', scope: 'here', more: false });
    expect(out.kind === 'list' && out.triages.map((t) => t.found.record.id)).toEqual(['tri-here000000000000000000001']);
    expect(service.queries.at(-1)).toEqual({ in: { platform: 'slack', channel: 'C0HERE001' }, open: true, limit: 10 });
  });

  it('list all: refused when the platform names nobody, with the reason; given when it admits the person', async () => {
    const { flow, req } = setup();
    const refused = await flow.command(req('list all'));
    expect(refused).toMatchObject({ kind: 'unauthorized', message: expect.stringContaining('private channels too') });
    expect(await flow.command(req('list all', { mayListAll: () => ({ ok: true }) }))).toMatchObject({ kind: 'list', scope: 'all' });
  });

  it('show: a triage here, or your own elsewhere; another conversation\'s only for those admitted', async () => {
    const { service, flow, req } = setup();
    const elsewhere = triageRecord({ id: 'tri-else000000000000000000002' });
    service.seed(elsewhere, { platform: 'slack', channel: 'C0ELSE001', ts: '1.2' });
    const found = await service.find(elsewhere.id);
    expect(found?.place).toBe('slack:C0ELSE001');
    expect(await flow.command(req(`show ${elsewhere.id}`))).toMatchObject({ kind: 'unauthorized', message: expect.stringContaining('another conversation') });
    expect(await flow.command(req(`show ${elsewhere.id}`, { mayListAll: () => ({ ok: true }) }))).toMatchObject({ kind: 'show' });
    expect(await flow.command(req(`show ${elsewhere.id}`, { actor: { kind: 'user', id: found!.startedBy.id } }))).toMatchObject({ kind: 'show' });
  });

  it('show of an ID that does not exist says so; a store that fails says so', async () => {
    const { service, flow, req, registry } = setup();
    expect(await flow.command(req('show tri-0000000000000000000000000a'))).toMatchObject({ kind: 'missing', message: expect.stringContaining('There is no triage `tri-0000000000000000000000000a`') });
    service.list = async () => {
      throw new Error('Redis is not connected');
    };
    expect(await flow.command(req('list'))).toMatchObject({ kind: 'invalid', message: expect.stringContaining('cannot read its triages right now') });
    expect(await registry.metrics()).toMatch(/caracal_triage_commands_total\{platform="slack",command="list",outcome="error"\} 1/);
  });

  it('the allow-list applies before anything is read', async () => {
    const { service, flow, req } = setup();
    const out = await flow.command(req('list', { authorize: () => ({ ok: false, message: 'not here' }) }));
    expect(out).toEqual({ kind: 'unauthorized', message: 'not here' });
    expect(service.queries).toHaveLength(0);
  });
});
