/**
 * The Caracal alert catalogue against Caracal's own rule list (the 21 rules of
 * infra/helm/caracal/templates/prometheusrule.yaml, written out here independently): every
 * rule is present with its component and severity, points at a real surface, has a first
 * action and steps/items the triage knows; anything else gets the readiness-first guide.
 */
import { CARACAL_ALERT_NAMES, caracalAlertsIn, guideForAlert, isCaracalAlert, runbookUrlFor } from '../../src/incidents/catalogue';
import { BUNDLE_ITEM_IDS, STEP_IDS, SURFACES } from '../../src/triage/model';

/** Caracal's rules: name → [component, severity]. */
const RULES: Record<string, [string, string]> = {
  CaracalSTSOPACompileErrors: ['sts', 'warning'],
  CaracalSTSPolicyBundleStale: ['sts', 'warning'],
  CaracalSTSProviderRefreshErrors: ['sts', 'warning'],
  CaracalSTSProviderCircuitOpen: ['sts', 'warning'],
  CaracalSTSAuditReplayBacklogOld: ['sts', 'warning'],
  CaracalSTSAuditEvidenceLost: ['sts', 'critical'],
  CaracalAuditDLQNonEmpty: ['audit', 'warning'],
  CaracalAuditDLQGrowth: ['audit', 'critical'],
  CaracalAuditConsumerLagHigh: ['audit', 'warning'],
  CaracalAuditTamperDetected: ['audit', 'critical'],
  CaracalGatewayAuditReplayBacklogOld: ['gateway', 'warning'],
  CaracalGatewayAuditEvidenceLost: ['gateway', 'critical'],
  CaracalGatewaySTSExchangeErrors: ['gateway', 'warning'],
  CaracalGatewaySTSCircuitOpen: ['gateway', 'critical'],
  CaracalGatewayRevocationSnapshotStale: ['gateway', 'critical'],
  CaracalGatewayRevocationPropagationLag: ['gateway', 'critical'],
  CaracalGatewayRevocationReloadErrors: ['gateway', 'critical'],
  CaracalAPIOutboxDeadMessages: ['api', 'critical'],
  CaracalAPIOutboxPendingOldest: ['api', 'warning'],
  CaracalPostgresPoolSaturation: ['database', 'warning'],
  CaracalReadinessFlapping: ['platform', 'warning'],
};

describe('Caracal alert catalogue', () => {
  it('holds exactly the 21 rules Caracal ships', () => {
    expect(Object.keys(RULES)).toHaveLength(21);
    expect([...CARACAL_ALERT_NAMES].sort()).toEqual(Object.keys(RULES).sort());
  });

  it.each(Object.entries(RULES))('%s: component, severity, surface, first action, steps and items', (name, [component, severity]) => {
    const g = guideForAlert(name);
    expect(g.alertname).toBe(name);
    expect(g.component).toBe(component);
    expect(g.severity).toBe(severity);
    expect(SURFACES).toContain(g.surface);
    expect(g.surface).not.toBe('unknown');
    expect(g.firstAction).toMatch(/^[A-Z].{30,240}\.$/);
    expect(g.summary.length).toBeGreaterThan(10);
    expect(g.steps.length).toBeGreaterThan(0);
    for (const s of g.steps) expect(STEP_IDS).toContain(s);
    expect(new Set(g.steps).size).toBe(g.steps.length);
    expect(g.bundleItems.length).toBeGreaterThan(0);
    for (const i of g.bundleItems) expect(BUNDLE_ITEM_IDS).toContain(i);
    expect(g.runbookUrl).toBe(`https://docs.caracal.run/operations/alerts/#${name.toLowerCase()}`);
  });

  it('routes the families to the surfaces Caracal\'s alert guide names', () => {
    for (const n of ['CaracalGatewayRevocationSnapshotStale', 'CaracalGatewayRevocationPropagationLag', 'CaracalGatewayRevocationReloadErrors']) {
      expect(guideForAlert(n)).toMatchObject({ surface: 'revocation', steps: ['readiness', 'gateway_verifier'], bundleItems: ['readiness'] });
      expect(guideForAlert(n).firstAction).toMatch(/^Treat this as an access-safety incident: .*(out of|from) traffic/);
    }
    for (const n of ['CaracalAuditTamperDetected', 'CaracalSTSAuditEvidenceLost', 'CaracalGatewayAuditEvidenceLost']) {
      expect(guideForAlert(n).surface).toBe('audit_pipeline');
      expect(guideForAlert(n).firstAction).toMatch(/^Treat this as a security incident: .*preserve/);
    }
    expect(guideForAlert('CaracalSTSOPACompileErrors')).toMatchObject({ surface: 'sts_policy', steps: expect.arrayContaining(['policy_set_activation']) });
    expect(guideForAlert('CaracalSTSProviderCircuitOpen').bundleItems).toContain('provider_binding');
    expect(guideForAlert('CaracalAuditConsumerLagHigh').steps).toContain('audit_trace');
    expect(guideForAlert('CaracalReadinessFlapping')).toMatchObject({ surface: 'infrastructure', steps: ['readiness'] });
  });

  it('gives every unknown or missing alert name the readiness-first guide', () => {
    for (const n of ['NodeDiskFull', 'CaracalSomethingNew', 'caracalauditdlqgrowth', '', null, undefined]) {
      const g = guideForAlert(n);
      expect(g).toMatchObject({ surface: 'unknown', component: null, severity: null, runbookUrl: null });
      expect(g.steps[0]).toBe('readiness');
      expect(g.bundleItems[0]).toBe('readiness');
      expect(g.firstAction).toMatch(/readiness/);
    }
    expect(isCaracalAlert('toString')).toBe(false);
    expect(isCaracalAlert('constructor')).toBe(false);
  });

  it('finds Caracal alert names in free text, once each, and nothing else', () => {
    expect(caracalAlertsIn('[FIRING:2] CaracalAuditDLQGrowth (audit critical), CaracalAuditDLQGrowth again, CaracalAuditTamperDetected')).toEqual([
      'CaracalAuditDLQGrowth',
      'CaracalAuditTamperDetected',
    ]);
    expect(caracalAlertsIn('CaracalAuditDLQGrowthRate is not a rule; neither is xCaracalAuditDLQGrowth')).toEqual([]);
    expect(runbookUrlFor('CaracalPostgresPoolSaturation')).toBe('https://docs.caracal.run/operations/alerts/#caracalpostgrespoolsaturation');
  });
});
