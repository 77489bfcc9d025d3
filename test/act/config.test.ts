/**
 * The act settings (src/act/config.ts) as the processes read them: everything off by default,
 * tokens inline or from a file, one line per bad value, the sink refused without somewhere to
 * post; and the tokens and sink secret redacted wherever the process writes (logs, what it
 * posts), whichever way they were given.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseActConfig } from '../../src/act/config';
import { loadWebConfig, loadWorkerConfig } from '../../src/app/config';
import { ConfigError } from '../../src/config/problems';
import { createLogger } from '../../src/log';
import { createRedactor } from '../../src/redact/redact';

const dir = mkdtempSync(join(tmpdir(), 'act-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const APPROVE = `cat_${'A'.repeat(43)}`;
const FIX = `cat_${'F'.repeat(43)}`;
const SINK = 'nsk_sink-secret-value-0123456789abcdef';
const BASE = { REDIS_URL: 'redis://127.0.0.1:6379', TRIAGE_SIGNING_KEY: 'k'.repeat(40), SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'slack-signing-secret-0123' };

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.variable}: ${p.message}`);
    throw e;
  }
  return [];
}

test('nothing set: no sink, no tokens, nobody listed; confirm after 2 min, proposals lapse after 15 min', () => {
  expect(parseActConfig({})).toEqual({ ok: true, value: { sinkSecrets: [], approveToken: null, fixToken: null, approvers: [], fixers: [], fixConfirmTimeoutMs: 120_000, proposalTtlMs: 900_000 } });
});

test('tokens from files, lists and durations as written', () => {
  const fixFile = join(dir, 'fix-token');
  writeFileSync(fixFile, `${FIX}\n`);
  const r = parseActConfig({ CARACAL_APPROVE_TOKEN: APPROVE, CARACAL_FIX_TOKEN_FILE: fixFile, TRIAGE_APPROVERS: 'U0A, S0GROUP', TRIAGE_FIXERS: '6f1c2a4e-0000-4000-8000-00000000ada1', TRIAGE_FIX_CONFIRM_TIMEOUT: '90s', TRIAGE_FIX_PROPOSAL_TTL: '1h', CARACAL_SINK_SECRET: `${SINK},nsk_next-secret-0123456789` });
  expect(r).toMatchObject({ ok: true, value: { approveToken: APPROVE, fixToken: FIX, approvers: ['U0A', 'S0GROUP'], fixers: ['6f1c2a4e-0000-4000-8000-00000000ada1'], fixConfirmTimeoutMs: 90_000, proposalTtlMs: 3_600_000, sinkSecrets: [SINK, 'nsk_next-secret-0123456789'] } });
});

test('every bad value is one line naming its variable', () => {
  const lines = problems(() => loadWorkerConfig({ ...BASE, CARACAL_API_URL: 'https://caracal.example.com', CARACAL_ADMIN_TOKEN: 'cat_x', CARACAL_FIX_TOKEN_FILE: join(dir, 'missing'), TRIAGE_APPROVERS: 'U0A,<@U0B>', TRIAGE_FIX_PROPOSAL_TTL: '15', CARACAL_SINK_SECRET: 'short' }));
  expect(lines).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^CARACAL_SINK_SECRET: must be at least 16 characters/),
      expect.stringMatching(/^TRIAGE_APPROVERS: must be a comma-separated list of Slack user or user-group IDs or Teams object IDs.*"<@U0B>" is not one/),
      expect.stringMatching(/^TRIAGE_FIX_PROPOSAL_TTL: must be a duration such as 90m/),
      expect.stringMatching(/^CARACAL_FIX_TOKEN_FILE: cannot be read \(ENOENT/),
    ]),
  );
});

test('the sink needs somewhere to post its cards: a routes file or TRIAGE_DEFAULT_CHANNEL, and a chat platform', () => {
  expect(problems(() => loadWebConfig({ ...BASE, CARACAL_SINK_SECRET: SINK }))).toEqual([expect.stringMatching(/^TRIAGE_DEFAULT_CHANNEL: is required with CARACAL_SINK_SECRET/)]);
  expect(problems(() => loadWebConfig({ REDIS_URL: BASE.REDIS_URL, TRIAGE_SIGNING_KEY: BASE.TRIAGE_SIGNING_KEY, CARACAL_SINK_SECRET: SINK }))).toEqual([expect.stringMatching(/^CARACAL_SINK_SECRET: is set, so approval cards are posted, but no chat platform is configured/)]);
  expect(loadWebConfig({ ...BASE, CARACAL_SINK_SECRET: SINK, TRIAGE_DEFAULT_CHANNEL: 'slack:C0APPROVALS' }).acts.sinkSecrets).toEqual([SINK]);
});

test('the tokens and the sink secret are redacted in logs and in what the bot posts, inline or from a file', () => {
  // Values not shaped like anything the built-in rules catch (`cat_…`, `nsk_…`): only knowing the configured values redacts them.
  const approve = 'approve-token-from-a-file-0123456789';
  const fix = 'fix-token-given-inline-0123456789';
  const sink = 'sink-secret-without-its-prefix-0123456789';
  const approveFile = join(dir, 'approve-token');
  writeFileSync(approveFile, approve);
  const config = loadWorkerConfig({ ...BASE, CARACAL_API_URL: 'https://caracal.example.com', CARACAL_ADMIN_TOKEN: `cat_${'R'.repeat(43)}`, CARACAL_APPROVE_TOKEN_FILE: approveFile, CARACAL_FIX_TOKEN: fix, CARACAL_SINK_SECRET: sink, TRIAGE_DEFAULT_CHANNEL: 'slack:C0APPROVALS' });
  for (const s of [approve, fix, sink]) expect(config.secrets).toContain(s);
  const chunks: string[] = [];
  const log = createLogger('test', { level: 'info', secrets: config.secrets }, new Writable({ write: (c, _e, cb) => (chunks.push(String(c)), cb()) }));
  log.warn({ sink, detail: `token ${fix}` }, `approve with ${approve}`);
  const out = chunks.join('');
  for (const s of [approve, fix, sink]) expect(out).not.toContain(s);
  expect(out).toContain('[redacted]');
  // A hold whose metadata carries a token (a careless agent) shows it redacted on the card.
  const redactor = createRedactor(config.secrets);
  const hold = redactor.redact({ metadata_json: { note: `use ${fix} please`, purpose: 'refund' } }).value;
  expect(JSON.stringify(hold)).not.toContain(fix);
  expect(hold.metadata_json.purpose).toBe('refund');
});
