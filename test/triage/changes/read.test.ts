/**
 * Reading the admin audit for the window before a denial, against the simulator's rows (shaped
 * as Caracal writes them) and the captured page: failed requests are not changes, Console
 * changes name the account, the window ends at the denial, every page is followed and read once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdminAuditRow, Page } from '../../../src/caracal/schemas';
import { CallCache } from '../../../src/triage/call-cache';
import { changeFromRow } from '../../../src/triage/changes/normalize';
import { readChangeWindow, windowEnd } from '../../../src/triage/changes/read';
import { createEvidenceGatherer } from '../../../src/triage/evidence';
import { startSimulator, ZONE_B, type Simulator } from '../../../sim';
import { CONSOLE_ACCOUNT } from '../../../sim/scenarios-changes';
import { closeSimClients, simClient } from '../support/simulated';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterEach(async () => {
  sim.clearFaults();
  sim.clearRequests();
  await closeSimClients();
});
afterAll(() => sim.close());

const DAY = 86_400_000;

async function located(scenario: string) {
  sim.setScenario(scenario);
  const client = simClient(sim);
  const calls = new CallCache();
  const gatherer = createEvidenceGatherer(client, { requestId: sim.scenario.input.requestId, zoneId: null, symptom: null }, calls);
  return { client, calls, location: await gatherer.get('location') };
}

describe('admin-audit rows', () => {
  it('the captured page parses, and its row (a GET answered 400) is not a change', () => {
    const page = Page(AdminAuditRow).parse(JSON.parse(readFileSync(join(__dirname, '../../fixtures/api-admin-audit.list.json'), 'utf8')));
    expect(page.items[0]).toMatchObject({ chain_seq: '4', status_code: 400, entity_type: 'zones' });
    expect(changeFromRow(page.items[0]!)).toBe('failed_request');
  });

  it('a Console change names the account Caracal recorded, not the shared console-write token', () => {
    const row = AdminAuditRow.parse({
      id: 'a1',
      request_id: 'r1',
      actor_name: 'console-write',
      action: 'PATCH /v1/zones/z/resources/res-1',
      method: 'PATCH',
      path: '/v1/zones/z/resources/res-1',
      entity_type: 'resources',
      entity_id: 'res-1',
      status_code: 200,
      payload_json: { operator: 'acct-9', change_kind: 'update', changed_fields: ['scopes'] },
      occurred_at: '2026-11-27T16:47:00Z',
      chain_seq: '41',
    });
    expect(changeFromRow(row)).toMatchObject({ actor: 'acct-9', via: 'console', changeKind: 'update', changedFields: ['scopes'], at: '2026-11-27T16:47:00.000Z' });
    expect(changeFromRow({ ...row, occurred_at: 'yesterday' })).toBe('no_time');
    expect(changeFromRow({ ...row, actor_name: 'ops-deploy', payload_json: { change_kind: 'action' }, path: '/v1/zones/z/policy-sets/s1/activate', entity_type: 'policy-sets', entity_id: 's1' })).toMatchObject({
      actor: 'ops-deploy',
      via: 'token',
      verb: 'activate',
      changedFields: [],
    });
  });
});

describe('the window before the denial', () => {
  it('ends at the denial, follows every page (newest first), leaves out failed requests and what came after', async () => {
    const { client, calls, location } = await located('unrelated_change');
    const end = windowEnd(location, new Date());
    expect(end).toEqual({ anchor: 'denial', until: '2026-11-27T16:51:40.000Z' });
    const read = await readChangeWindow(client, calls, ZONE_B, end, DAY);
    if (!read.ok) throw new Error(read.error.message);
    expect(read.value.window).toEqual({ zoneId: ZONE_B, since: '2026-11-26T16:51:40.000Z', until: '2026-11-27T16:51:40.000Z', anchor: 'denial', windowMs: DAY });
    expect(read.value.changes.map((c) => c.requestId)).toEqual(['req-admin-adm-none-3', 'req-admin-adm-none-2', 'req-admin-adm-none-1']);
    expect(read.value.changes[0]).toMatchObject({ actor: CONSOLE_ACCOUNT, via: 'console' });
    expect([read.value.rowsRead, read.value.failedRequests, read.value.truncated]).toEqual([4, 1, false]);
    const pages = sim.requests.filter((r) => r.path.endsWith('/admin-audit'));
    // pageSize 2 in this scenario: four rows fill two pages, and a full page always has a next one (empty here).
    expect(pages).toHaveLength(3);
    expect(pages.slice(1).map((p) => !!new URLSearchParams(p.query).get('cursor'))).toEqual([true, true]);
    // Asked in whole minutes (triages of denials in the same minute share the pages), cut to the window.
    expect(new URLSearchParams(pages[0]!.query).get('since')).toBe('2026-11-26T16:51:00.000Z');
    expect(new URLSearchParams(pages[0]!.query).get('until')).toBe('2026-11-27T16:52:00.000Z');

    // The same window again in the same session: no new call.
    await readChangeWindow(client, calls, ZONE_B, end, DAY);
    expect(sim.requests.filter((r) => r.path.endsWith('/admin-audit'))).toHaveLength(3);
  });

  it('a shorter window leaves the older changes out', async () => {
    const { client, calls, location } = await located('unrelated_change');
    const read = await readChangeWindow(client, calls, ZONE_B, windowEnd(location, new Date()), 2 * 60_000);
    expect(read.ok && read.value.changes.map((c) => c.requestId)).toEqual(['req-admin-adm-none-3', 'req-admin-adm-none-2']);
  });

  it('without a request the window ends now, rounded up to the minute', () => {
    const location = { requestId: null, zoneId: ZONE_B, trace: null, zoneSource: 'given' as const, zonesSearched: [], attempts: [], problem: null, listError: null };
    expect(windowEnd(location, new Date('2026-11-27T16:51:05.123Z'))).toEqual({ anchor: 'now', until: '2026-11-27T16:52:00.000Z' });
  });

  it('a token the admin audit refuses is a failure with Caracal’s code, not an empty window', async () => {
    const { client, calls, location } = await located('scope_removed');
    sim.setFault('api', /\/admin-audit$/, { status: 403, json: { error: 'zone_forbidden' } });
    const read = await readChangeWindow(client, calls, ZONE_B, windowEnd(location, new Date()), DAY);
    expect(read).toMatchObject({ ok: false, error: { kind: 'api', status: 403, code: 'zone_forbidden' } });
  });
});
