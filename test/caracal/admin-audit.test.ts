/**
 * The admin-audit read over real HTTP: one page as Caracal answers it (newest first, `chain_seq`
 * a string, `payload_json` field names), the window passed as since/until, and the worker's
 * shared cache sharing a page between triages of the same window, never across windows.
 */
import { createSharedReadCache } from '../../src/caracal/shared-cache';
import { startSimulator, ZONE_B, type Simulator } from '../../sim';
import { clientFor, closeClients } from './support';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ scenario: 'scope_removed' });
});
afterEach(async () => {
  await closeClients();
  sim.clearRequests();
});
afterAll(() => sim.close());

const WINDOW = { since: '2026-11-26T16:50:00.000Z', until: '2026-11-27T16:50:00.000Z', limit: 1000 };
const pages = () => sim.requests.filter((r) => r.path.endsWith('/admin-audit'));

test('one page: newest first, the rows as Caracal writes them, the window in the query', async () => {
  const page = await clientFor(sim).listAdminAudit(ZONE_B, WINDOW);
  expect(page.next_cursor).toBeNull();
  expect(page.items.map((r) => [r.occurred_at, r.status_code])).toEqual([
    ['2026-11-27T16:49:00.000Z', 200],
    ['2026-11-27T16:48:00.000Z', 400],
    ['2026-11-27T16:47:00.000Z', 200],
    ['2026-11-27T15:50:00.000Z', 404],
  ]);
  expect(page.items[2]).toMatchObject({
    actor_name: 'console-write',
    action: `PATCH /v1/zones/${ZONE_B}/resources/01a21de6-cb89-71b9-8a9e-b23cef40ae8a`,
    entity_type: 'resources',
    chain_seq: '41',
    payload_json: { operator: 'acct_7Hq2LmN9vXc4', change_kind: 'update', changed_fields: ['operations', 'scopes'] },
  });
  expect(Object.fromEntries(new URLSearchParams(pages()[0]!.query))).toEqual({ since: WINDOW.since, until: WINDOW.until, limit: '1000' });
});

test('the shared cache gives triages of the same window one call; another window, or a re-check, calls again', async () => {
  const cache = createSharedReadCache(clientFor(sim));
  await Promise.all([cache.listAdminAudit(ZONE_B, WINDOW), cache.listAdminAudit(ZONE_B, { ...WINDOW })]);
  expect(pages()).toHaveLength(1);
  await cache.listAdminAudit(ZONE_B, { ...WINDOW, until: '2026-11-27T16:49:00.000Z' });
  expect(pages()).toHaveLength(2);
  await cache.fresh.listAdminAudit(ZONE_B, WINDOW);
  expect(pages()).toHaveLength(3);
});
