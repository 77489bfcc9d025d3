/**
 * Changes pass redaction like everything else: today's admin-audit rows hold field names, but an
 * admin token named after a secret, or an older or foreign row carrying values, must not carry
 * them into the report, the bundle or the diagnosis sentence.
 */
import { createTriageSession } from '../../../src/triage/session';
import { createRedactor } from '../../../src/redact/redact';
import { getScenario, SEEDED_ADMIN_TOKEN, SEEDED_JWT, SEEDED_SLACK_TOKEN, startSimulator, ZONE_B, type Scenario, type Simulator } from '../../../sim';
import { adminRow } from '../../../sim/admin-audit';
import { at } from '../../../sim/world';
import { closeSimClients, inputOf, simClient } from '../support/simulated';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await closeSimClients();
  await sim.close();
});

/** scope_removed, with the Console account and the field list carrying secrets, and a row from an older API with values in its payload. */
function leaky(): Scenario {
  const base = getScenario('scope_removed');
  const zones = base.zones.map((z) => ({ ...z, adminAudit: [...(z.adminAudit ?? [])] }));
  const b = zones[1]!;
  const rows = b.adminAudit.map((r) => (r.id === 'adm-scope-1' ? { ...r, payload_json: { ...(r.payload_json as object), operator: `acct ${SEEDED_SLACK_TOKEN}` } } : r));
  const old = adminRow({ id: 'adm-old-1', zoneId: ZONE_B, at: at(500), method: 'PATCH', rest: '/providers/p-9', actor: { id: 'x', name: `deploy ${SEEDED_ADMIN_TOKEN}` }, change: { kind: 'update', fields: [`token=${SEEDED_JWT}`] } });
  b.adminAudit = [...rows, { ...old, payload_json: { ...(old.payload_json as object), client_secret: 'plain-text-secret-value' } }];
  return { ...base, name: 'scope_removed_leaky', zones };
}

test('no secret from an admin-audit row reaches the report, and the redactions are counted', async () => {
  const s = leaky();
  sim.setScenario(s);
  const report = await createTriageSession(simClient(sim), inputOf(s), { redactor: createRedactor() }).run();
  const text = JSON.stringify(report);
  for (const secret of [SEEDED_SLACK_TOKEN, SEEDED_ADMIN_TOKEN, SEEDED_JWT, 'plain-text-secret-value']) expect(text).not.toContain(secret);
  expect(report.bundle.redactions).toBeGreaterThanOrEqual(3);
  // Still named, with the account redacted inside it.
  expect(report.diagnosis!.change).toMatchObject({ entityType: 'resources', requestId: 'req-admin-adm-scope-1' });
  expect(report.diagnosis!.summary).toMatch(/A change by Console account `acct \[redacted[^`]*` at 16:47 UTC/);
  expect(report.changes.find((c) => c.requestId === 'req-admin-adm-old-1')!.summary).toMatch(/^`deploy \[redacted/);
});
