/**
 * Who counts as an approver or fixer in Slack (adapters/slack/authz.ts `isListed`): a listed user
 * ID, or a member of a listed user group, whose members come from usergroups.users.list and
 * need the `usergroups:read` scope (the fake Slack Web API refuses the call without it, as Slack
 * does). Groups are loaded once at start, from the act lists as well as the allow-list.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { SlackAuthorizer } from '../../../adapters/slack/authz';
import { createSlackWebClient } from '../../../adapters/slack/client';
import { type FakeSlackApi, startFakeSlackApi } from '../../support/fake-slack-api';

let slack: FakeSlackApi;
beforeAll(async () => {
  slack = await startFakeSlackApi();
  slack.usergroups.set('S0APPROVERS', ['U0MEMBER']);
});
afterAll(() => slack.close());

const open = { allowedUsers: [], allowedUsergroups: [], allowedChannels: [] };
const LISTED = ['U0ANA', 'S0APPROVERS'];

test('a listed user, or a member of a listed group, is listed; anyone else is not', async () => {
  const authz = new SlackAuthorizer(open, createSlackWebClient('xoxb-test-token', { apiUrl: slack.url }), pino({ level: 'silent' }), LISTED);
  await authz.start();
  authz.stop();
  expect(authz.isListed('U0ANA', LISTED)).toBe(true);
  expect(authz.isListed('U0MEMBER', LISTED)).toBe(true);
  expect(authz.isListed('U0STRANGER', LISTED)).toBe(false);
  expect(authz.isListed('U0MEMBER', ['U0ANA'])).toBe(false);
  expect(slack.callsTo('usergroups.users.list').map((c) => c.body.usergroup)).toContain('S0APPROVERS');
});

test('without usergroups:read the group cannot be read: its members are not listed, and the log says why', async () => {
  slack.scopes = new Set(['chat:write', 'commands']);
  try {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
    const authz = new SlackAuthorizer(open, createSlackWebClient('xoxb-test-token', { apiUrl: slack.url }), logger, LISTED);
    await authz.start();
    authz.stop();
    expect(authz.isListed('U0MEMBER', LISTED)).toBe(false);
    expect(authz.isListed('U0ANA', LISTED)).toBe(true);
    expect(lines.join('')).toContain('missing_scope');
  } finally {
    slack.scopes = null;
  }
});
