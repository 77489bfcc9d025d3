/**
 * A real Alertmanager (prometheus-alertmanager on loopback) pointed at the bot's
 * /hooks/alertmanager, the bot posting to the fake Slack: alerts posted to Alertmanager's API
 * make exactly one card per group, a new alert in a group updates that card, and resolving the
 * alerts marks it resolved.
 */
import { startAlertmanager, type PostableAlert, type TestAlertmanager } from '../support/alertmanager';
import { type SlackStack, startSlackStack } from '../adapters/slack/stack';
import { readThreads } from '../adapters/slack/threads';

const TOKEN = 'am-e2e-token-0123456789abcdef';
const REVOCATION = { alertname: 'CaracalGatewayRevocationSnapshotStale', severity: 'critical', component: 'gateway' };
const DLQ = { alertname: 'CaracalAuditDLQGrowth', severity: 'critical', component: 'audit' };

let stack: SlackStack;
let am: TestAlertmanager;
beforeAll(async () => {
  stack = await startSlackStack({ scenario: 'revocation_stale', incidentEnv: { ALERTMANAGER_TOKEN: TOKEN, TRIAGE_DEFAULT_CHANNEL: 'slack:C0ALERTS' } });
  am = await startAlertmanager({ webhookUrl: `${stack.base}/hooks/alertmanager`, bearerToken: TOKEN });
}, 40_000);
afterAll(async () => {
  await am?.stop();
  await stack?.close();
});

const cards = () => readThreads(stack.slack, 'C0ALERTS');
const cardFor = (alertname: string) => cards().find((c) => String(c.card.blocks).includes(alertname));
const alert = (labels: Record<string, string>, summary: string, startsAt: string, endsAt?: string): PostableAlert => ({ labels, annotations: { summary }, startsAt, ...(endsAt ? { endsAt } : {}) });

test('one card per group; a new alert updates it; resolving marks it resolved', async () => {
  const t0 = new Date(Date.now() - 60_000).toISOString();
  await am.postAlerts([alert({ ...REVOCATION, pod: 'gw-0' }, 'Gateway revocation snapshot is stale', t0), alert({ ...DLQ, pod: 'audit-0' }, 'Audit DLQ is growing', t0)]);
  await stack.slack.waitFor(() => cardFor(REVOCATION.alertname) && cardFor(DLQ.alertname), 20_000);
  expect(cards()).toHaveLength(2);

  // A second pod joins the revocation group: the same card changes, no third card.
  await am.postAlerts([alert({ ...REVOCATION, pod: 'gw-1' }, 'Gateway revocation snapshot is stale', t0)]);
  await stack.slack.waitFor(() => (String(cardFor(REVOCATION.alertname)?.card.blocks).match(/CaracalGatewayRevocationSnapshotStale/g) ?? []).length >= 3, 20_000);
  expect(cards()).toHaveLength(2);

  // Both revocation alerts end: the card says resolved; the DLQ group is untouched.
  const now = new Date().toISOString();
  await am.postAlerts([alert({ ...REVOCATION, pod: 'gw-0' }, 'Gateway revocation snapshot is stale', t0, now), alert({ ...REVOCATION, pod: 'gw-1' }, 'Gateway revocation snapshot is stale', t0, now)]);
  await stack.slack.waitFor(() => String(cardFor(REVOCATION.alertname)?.card.blocks).includes('(resolved)'), 20_000);
  const revocation = cardFor(REVOCATION.alertname)!;
  expect((await stack.service.get(revocation.triageId))?.state).toBe('resolved');
  expect((await stack.service.get(cardFor(DLQ.alertname)!.triageId))?.state).not.toBe('resolved');
  expect(cards()).toHaveLength(2);
}, 60_000);
