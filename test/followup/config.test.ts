/**
 * The follow-up settings as an operator meets them: the defaults (remind after 2 h, abandon after
 * 24 h, PagerDuty's own enqueue URL), `off` for reminders, and one line per mistake: a reminder
 * that would come after the abandon, half of the PagerDuty note settings, a TRIAGE_ESCALATE the
 * bot cannot read, and a worker asked to page PagerDuty without the routing key (the web, which
 * never calls PagerDuty, does not need it). The key is redacted like every other secret.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { knownSecrets, loadWebConfig, loadWorkerConfig } from '../../src/app/config';
import { CHAT_PLATFORMS } from '../../src/app/platforms';
import { ConfigError } from '../../src/config/problems';
import { parseFollowUpConfig } from '../../src/followup/config';

const RUNTIME = { REDIS_URL: 'redis://127.0.0.1:6379', TRIAGE_SIGNING_KEY: 'k'.repeat(40) };
const WORKER = { ...RUNTIME, CARACAL_API_URL: 'http://127.0.0.1:1', CARACAL_ADMIN_TOKEN: `cat_${'A'.repeat(43)}`, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's'.repeat(20) };
const KEY = 'R0UTINGKEY0123456789abcdefABCDEF';

function problems(load: () => unknown): string[] {
  try {
    load();
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split('\n');
    throw e;
  }
  return [];
}

const parse = (env: Record<string, string>) => parseFollowUpConfig(env, CHAT_PLATFORMS);

describe('follow-up settings', () => {
  it('default to a reminder after 2 h, abandonment after 24 h, no one to escalate to and no PagerDuty', () => {
    expect(parse({})).toEqual({ ok: true, value: { escalateDefault: null, remindAfterMs: 7_200_000, abandonAfterMs: 86_400_000, pagerduty: null, notes: null, notesMissing: null } });
  });

  it('take durations in seconds for tests, `off` for no reminders, and the full enqueue URL given', () => {
    const r = parse({ TRIAGE_REMIND_AFTER: '2s', TRIAGE_ABANDON_AFTER: '5s', PAGERDUTY_ROUTING_KEY: KEY, PAGERDUTY_EVENTS_URL: 'http://127.0.0.1:9/proxy/v2/enqueue' });
    expect(r.ok && r.value).toMatchObject({ remindAfterMs: 2000, abandonAfterMs: 5000, pagerduty: { routingKey: KEY, eventsUrl: 'http://127.0.0.1:9/proxy/v2/enqueue' } });
    const off = parse({ TRIAGE_REMIND_AFTER: 'off' });
    expect(off.ok && off.value.remindAfterMs).toBeNull();
    const notes = parse({ PAGERDUTY_API_TOKEN: 'u+token-of-the-test-0123', PAGERDUTY_FROM_EMAIL: 'bot@example.com' });
    expect(notes.ok && notes.value.notes).toEqual({ apiUrl: 'https://api.pagerduty.com', token: 'u+token-of-the-test-0123', from: 'bot@example.com' });
  });

  it.each([
    [{ TRIAGE_REMIND_AFTER: '24h' }, 'TRIAGE_REMIND_AFTER: must be shorter than TRIAGE_ABANDON_AFTER (24 h), or the triage is abandoned before anyone is reminded (got 24 h; `off` turns reminders off)'],
    [{ TRIAGE_ABANDON_AFTER: '1 day' }, 'TRIAGE_ABANDON_AFTER: must be a duration such as 90m or 24h'],
    [{ PAGERDUTY_FROM_EMAIL: 'not an email' }, 'PAGERDUTY_FROM_EMAIL: must be the email address of a PagerDuty user'],
    [{ PAGERDUTY_EVENTS_URL: 'events.pagerduty.com' }, 'PAGERDUTY_EVENTS_URL: must be a URL starting with https:// or http://'],
    [{ TRIAGE_ESCALATE: 'slack=#oncall' }, 'TRIAGE_ESCALATE: slack: "#oncall" is not a Slack user group ID (S…) or user ID'],
  ])('%j is refused in one line naming the variable', (env, line) => {
    const r = parse(env);
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.problems.map((p) => `${p.variable}: ${p.message}`)).toEqual([expect.stringContaining(line)]);
  });
});

describe('whoever asks for PagerDuty', () => {
  it('needs PAGERDUTY_ROUTING_KEY where the worker runs; the web starts without it', () => {
    const env = { ...WORKER, TRIAGE_ESCALATE: 'slack=S0ONCALL1,pagerduty' };
    expect(problems(() => loadWebConfig(env))).toEqual([]);
    expect(problems(() => loadWorkerConfig(env))).toEqual([
      'PAGERDUTY_ROUTING_KEY: is required by the worker: TRIAGE_ESCALATE asks for PagerDuty (the Events API v2 integration key of the service to page)',
    ]);
    expect(problems(() => loadWorkerConfig({ ...env, PAGERDUTY_ROUTING_KEY: KEY }))).toEqual([]);
  });

  it('wants both note settings or neither where the worker runs; the web, given the email alone, starts', () => {
    const env = { ...WORKER, PAGERDUTY_FROM_EMAIL: 'bot@example.com' };
    expect(problems(() => loadWebConfig(env))).toEqual([]);
    expect(problems(() => loadWorkerConfig(env))).toEqual([
      'PAGERDUTY_API_TOKEN: is required with PAGERDUTY_FROM_EMAIL: a note on a PagerDuty incident needs a REST API token and the email of the PagerDuty user it is written as',
    ]);
  });

  it("names the route of the routes file that asks, and redacts the key once it is set", () => {
    const dir = mkdtempSync(join(tmpdir(), 'followup-routes-'));
    try {
      const file = join(dir, 'routes.yaml');
      writeFileSync(file, 'routes:\n  - name: security\n    to: slack:C0SECURITY01\n    escalate: { slack: S0SECURITY1, pagerduty: true }\n');
      const env = { ...WORKER, TRIAGE_ROUTES_FILE: file };
      expect(problems(() => loadWorkerConfig(env))).toEqual([expect.stringContaining('PAGERDUTY_ROUTING_KEY: is required by the worker: routes[0] "security" of TRIAGE_ROUTES_FILE asks for PagerDuty')]);
      const config = loadWorkerConfig({ ...env, PAGERDUTY_ROUTING_KEY: KEY, PAGERDUTY_API_TOKEN: 'u+token-of-the-test-0123', PAGERDUTY_FROM_EMAIL: 'bot@example.com' });
      expect(config.incidents?.routing.routes[0]!.escalate).toEqual({ mentions: [{ platform: 'slack', id: 'S0SECURITY1' }], pagerduty: true });
      expect(config.secrets).toEqual(expect.arrayContaining([KEY, 'u+token-of-the-test-0123']));
      expect(knownSecrets({ PAGERDUTY_ROUTING_KEY: KEY })).toEqual([KEY]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
