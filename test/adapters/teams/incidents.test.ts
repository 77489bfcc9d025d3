/**
 * Incidents in Teams: a `teams:<conversation id>` destination works wherever `slack:<channel>`
 * does (the card becomes a new post in the channel, its steps threaded under it), and a channel
 * created in a team whose name matches the incident pattern gets the readiness-first bundle,
 * once however often Teams says so.
 */
import { signGenericHook } from '../../../src/incidents/auth/generic';
import { STEP_IDS } from '../../../src/triage/model';
import { channelCreated } from './fixtures';
import { type TeamsStack, startTeamsStack } from './stack';

const HOOK_SECRET = 'hook-secret-0123456789abcdef0123';
const CHANNEL = '19:incidentsChannel0000000000000000@thread.tacv2';
let stack: TeamsStack;
beforeAll(async () => {
  stack = await startTeamsStack({ scenario: 'revocation_stale', incidentEnv: { INCIDENT_WEBHOOK_SECRET: HOOK_SECRET } });
}, 30_000);
afterAll(() => stack.close());

const isCard = (summary: unknown) => typeof summary === 'string' && summary.startsWith('Caracal triage ');

test('a generic incident routed to teams:<channel id> posts its card as a new channel post and threads the steps under it', async () => {
  const body = JSON.stringify({ incident_id: 'INC-T1', title: 'Payments agent keeps access after revocation', channel: `teams:${CHANNEL}`, request_id: 'req-revoked-1' });
  const res = await fetch(`${stack.base}/hooks/incident`, { method: 'POST', headers: { 'content-type': 'application/json', ...signGenericHook(body, HOOK_SECRET, Math.floor(Date.now() / 1000)) }, body });
  expect(res.status).toBe(200);
  const created = await stack.connector.waitFor(() => stack.connector.calls.find((c) => c.kind === 'create_conversation' && c.status < 300), 20_000);
  expect(created.body.channelData?.channel?.id ?? created.body.channelData?.teamsChannelId).toBe(CHANNEL);
  expect(isCard(created.body.activity?.summary)).toBe(true);
  expect(JSON.stringify(created.body.activity)).toContain('Incident from an incident webhook');
  const thread = `${CHANNEL};messageid=${created.createdId}`;
  const replies = await stack.connector.waitFor(() => {
    const r = stack.connector.posted(thread);
    return r.length >= STEP_IDS.length + 1 && r;
  }, 30_000);
  expect(JSON.stringify(replies.at(-1)!.body)).toContain('diagnostic bundle');
  expect(created.authorization).toBe(`Bearer ${stack.login.token}`);
}, 40_000);

test('a new channel named like an incident gets one readiness-first triage with its bundle', async () => {
  const before = stack.connector.calls.filter((c) => c.kind === 'create_conversation').length;
  const activity = channelCreated(stack.connector.url, 'INC-4711 payments denials');
  expect((await stack.send(activity)).status).toBe(200);
  expect((await stack.send(activity)).status).toBe(200);
  await stack.connector.waitFor(() => stack.connector.calls.filter((c) => c.kind === 'create_conversation' && c.status < 300).length === before + 1, 20_000);
  expect((await stack.send(channelCreated(stack.connector.url, 'random chatter'))).status).toBe(200);
  await new Promise((r) => setTimeout(r, 500));
  expect(stack.connector.calls.filter((c) => c.kind === 'create_conversation').length).toBe(before + 1);
}, 30_000);
