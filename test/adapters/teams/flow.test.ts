/**
 * The pieces the lead wires, end to end over real HTTP with authentication on: an @mention
 * reaches the ingress, the turn answers at once, the event's conversation reference is stored
 * as opaque JSON (as Redis would hold it) and a worker's own port, with no inbound server,
 * posts the card into the thread, the eight steps in order, the bundle, and updates the card.
 */
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTeamsAdapter } from '../../../adapters/teams/adapter';
import { parseTeamsConfig } from '../../../adapters/teams/config';
import { type TeamsEvent, createTeamsIngress } from '../../../adapters/teams/ingress';
import { TeamsChatPort } from '../../../adapters/teams/port';
import type { MessageRef } from '../../../src/chat/port';
import { STEP_IDS } from '../../../src/triage/model';
import { type FakeBotConnector, startFakeBotConnector } from '../../support/fake-bot-connector';
import { type MicrosoftLogin, type OpenIdServer, interceptMicrosoftLogin, makeSigningKey, signChannelToken, startOpenIdServer } from '../../support/teams-auth';
import { APP_ID, CHANNEL, TENANT_ID, channelMessage } from './fixtures';
import { diagnosedRecord } from './records';

const key = makeSigningKey('flow-key');
let connector: FakeBotConnector;
let openId: OpenIdServer;
let login: MicrosoftLogin;
let server: Server;

afterAll(async () => {
  await new Promise<void>((r) => {
    server.close(() => r());
    server.closeAllConnections();
  });
  await connector.close();
  await openId.close();
  login.done();
});

it('a channel triage: immediate reply, then the card, the steps in order and the bundle in its thread, from a worker', async () => {
  connector = await startFakeBotConnector();
  openId = await startOpenIdServer([key]);
  login = interceptMicrosoftLogin(TENANT_ID);
  const env = { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'client-secret-value', MICROSOFT_APP_TENANT_ID: TENANT_ID, MICROSOFT_OPENID_METADATA_URL: openId.metadataUrl };
  const parsed = parseTeamsConfig(env);
  if (!parsed.ok || !parsed.config) throw new Error('config did not parse');
  const config = parsed.config;

  // Web host: the ingress stores the destination as JSON and answers at once.
  const stored: string[] = [];
  const handle = createTeamsIngress({ adapter: createTeamsAdapter(config), config });
  const app = express();
  app.post('/api/messages', express.json(), async (req, res) => {
    const a = await handle({ method: req.method, headers: req.headers, body: req.body }, async (e: TeamsEvent, turn) => {
      if (e.kind !== 'command') return;
      stored.push(JSON.stringify({ platform: 'teams', conversationRef: e.conversationReference }));
      await turn.replyText('Triage started: the card follows in this thread.');
    });
    res.status(a.status).json(a.body ?? {});
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${signChannelToken(key, { aud: APP_ID, serviceurl: connector.url })}` },
    body: JSON.stringify(channelMessage(connector.url, 'triage 0190a1b2-7c3d')),
  });
  expect(res.status).toBe(200);

  // Worker: its own port and adapter, the destination read back from storage.
  const port = new TeamsChatPort({ config, signingKey: 'k'.repeat(48) });
  const r = diagnosedRecord();
  const ref = await port.postCard(JSON.parse(stored[0]), r);
  const kept: MessageRef = JSON.parse(JSON.stringify(ref));
  for (const s of STEP_IDS) await port.postStep(kept, r, s);
  await port.postBundle(kept, r);
  await port.updateCard(kept, { ...r, version: 9, state: 'resolved' });

  const thread = `${CHANNEL};messageid=1700000000123`;
  const posted = connector.posted(thread);
  expect(posted[0].body.text).toBe('Triage started: the card follows in this thread.');
  const card = posted[1];
  expect(card.body.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
  const replies = posted.slice(2).map((c) => (c.body.attachments[0].content.body[0] as { text: string }).text);
  expect(replies.map((t) => /^\S+ \*\*Step (\d)\/8/.exec(t)?.[1] ?? (t.startsWith('📦') ? 'bundle' : t))).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', 'bundle']);
  expect(posted.slice(2).every((c) => c.activityId === card.createdId)).toBe(true);
  expect(connector.updates(card.createdId ?? '')).toHaveLength(1);
  expect(connector.calls.every((c) => c.authorization === `Bearer ${login.token}`)).toBe(true);
});
