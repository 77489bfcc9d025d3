/**
 * The platform-free pieces every surface shows a triage with: where it stands in words, the
 * signed page link, the Console links, and the postmortem export (its sections, its timeline
 * with people and times, the audit chain's verdict, and outside text that cannot inject
 * Markdown).
 */
import { consoleLinks } from '../../src/report/console-links';
import { checkPageLink, pageLink } from '../../src/report/page-link';
import { exportFileName, postmortemMarkdown } from '../../src/report/markdown';
import { stateText, stateWords } from '../../src/report/state-words';
import { triageLinks } from '../../src/report/links';
import type { FoundTriage } from '../../src/report/found';
import { NO_LINKS } from '../../src/report/config';
import type { TriageRecord } from '../../src/triage/record';
import { diagnosedRecord, readinessRecord, triageRecord } from '../support/triage-records';

const KEY = 'k'.repeat(40);
const NOW = new Date('2026-12-06T14:00:00Z');
const HOSTILE = '[click](https://evil.example) <img src=x onerror=alert(1)> **bold** `tick` # heading';

const found = (record: TriageRecord, over: Partial<FoundTriage> = {}): FoundTriage => ({
  record,
  destination: { platform: 'slack', channel: 'C0TEST001' },
  place: 'slack:C0TEST001',
  card: { platform: 'slack', channel: 'C0TEST001', ts: '1700000000.000001' },
  cardLink: 'https://test.slack.com/archives/C0TEST001/p1700000000000001',
  startedBy: { kind: 'user', id: 'U0ADA001', name: 'ada' },
  source: 'slack_command',
  ...over,
});

describe('where a triage stands, in words', () => {
  it('says collecting, needs you with the step, resolved by whom', () => {
    expect(stateText(triageRecord({ state: 'locating', pending: ['audit_trace', 'gateway_verifier'] }))).toBe('Collecting evidence (6 of 8 steps checked)');
    expect(stateText(diagnosedRecord('x', { state: 'routed' }))).toBe('Needs you: step 6 of 8 (Requested scopes)');
    expect(stateText(diagnosedRecord('x', { state: 'walking', current: 'grant_policy' }))).toBe('Needs you: step 4 of 8 (Grant and policy)');
    expect(stateText(readinessRecord({ state: 'routed' }))).toBe('Needs you: pick the symptom the caller saw');
    const resolved = diagnosedRecord('x', { state: 'resolved', history: [{ at: '2026-12-06T13:00:00Z', actor: { kind: 'user', id: 'U0BOB0001', name: 'bob' }, action: 'resolve' }] });
    expect(stateWords(resolved)).toEqual({ phrase: 'Resolved', by: { kind: 'user', id: 'U0BOB0001', name: 'bob' }, needsYou: false });
    expect(stateText(resolved)).toBe('Resolved by bob');
    expect(stateText(triageRecord({ state: 'abandoned' }))).toMatch(/^Abandoned/);
    const stopped = triageRecord({ state: 'failed', failure: { stage: 'collect', job: 'collect', reason: 'READONLY', at: '2026-12-06T13:00:00Z', from: 'locating' } });
    expect(stateWords(stopped)).toEqual({ phrase: 'Needs you: stopped, collecting evidence failed; Retry starts it again', by: null, needsYou: true });
    expect(stateText({ ...stopped, failure: { ...stopped.failure!, stage: 'post', job: 'post_card' } })).toBe('Needs you: stopped, posting to chat failed; Retry starts it again');
    // Never the machine's words or its counter.
    for (const r of [triageRecord(), resolved, stopped]) expect(stateText(r)).not.toMatch(/version|routed|walking|locating/i);
  });
});

describe('the page link', () => {
  const o = { publicUrl: 'https://triage.example.com/', signingKey: KEY, ttlMs: 7 * 86_400_000 };
  const target = (url: string) => url.replace('https://triage.example.com', '');

  it('signs the triage and an expiry; checks both', () => {
    const url = pageLink(o, 'tri-01abc', NOW);
    expect(url).toMatch(/^https:\/\/triage\.example\.com\/triage\/tri-01abc\?exp=\d+&sig=[A-Za-z0-9_-]{43}$/);
    expect(checkPageLink(target(url), KEY, NOW)).toEqual({ ok: true, triageId: 'tri-01abc', format: 'html', expiresAt: new Date(NOW.getTime() + o.ttlMs) });
    expect(checkPageLink(target(pageLink(o, 'tri-01abc', NOW, 'md')), KEY, NOW)).toMatchObject({ ok: true, format: 'md' });
  });

  it('refuses no signature (401), another triage, another expiry, another key, and an expired link (403)', () => {
    const url = target(pageLink(o, 'tri-01abc', NOW));
    expect(checkPageLink('/triage/tri-01abc', KEY, NOW)).toMatchObject({ ok: false, status: 401 });
    expect(checkPageLink(url.replace('tri-01abc', 'tri-01abd'), KEY, NOW)).toMatchObject({ ok: false, status: 403, reason: 'bad_signature' });
    expect(checkPageLink(url.replace(/exp=(\d+)/, (_m, e: string) => `exp=${Number(e) + 86_400}`), KEY, NOW)).toMatchObject({ ok: false, status: 403, reason: 'bad_signature' });
    expect(checkPageLink(url, 'z'.repeat(40), NOW)).toMatchObject({ ok: false, status: 403, reason: 'bad_signature' });
    expect(checkPageLink(url, KEY, new Date(NOW.getTime() + o.ttlMs + 1000))).toMatchObject({ ok: false, status: 403, reason: 'expired' });
    expect(checkPageLink('/triage/..%2f..%2fetc?exp=1&sig=' + 'a'.repeat(43), KEY, NOW)).toMatchObject({ ok: false, status: 403 });
  });
});

describe('Console links', () => {
  it('are built in one place, every outside part percent-encoded', () => {
    // The Console's own routes: /<account>/<org>/<zone>/app/…, the account and org in the base.
    const c = consoleLinks('https://console.example.com/acct_1/org_1/');
    expect(c.requestTrace('zone 1', 'req/../x?y#z')).toBe('https://console.example.com/acct_1/org_1/zone%201/app/audit?request=req%2F..%2Fx%3Fy%23z');
    expect(c.policySet('z1', 'ps-1')).toBe('https://console.example.com/acct_1/org_1/z1/app/policies?tab=sets&focus=ps-1');
    expect(c.resource('z1', 'res-1')).toBe('https://console.example.com/acct_1/org_1/z1/app/resources?focus=res-1');
    expect(c.approvals('z1')).toBe('https://console.example.com/acct_1/org_1/z1/app/approvals');
  });

  it('appear for a triage only with CARACAL_CONSOLE_URL; the runbook always names the cause', () => {
    const r = diagnosedRecord('x', { zoneId: 'z1' });
    expect(triageLinks(r, { config: NO_LINKS, signingKey: KEY, now: NOW })).toMatchObject({ page: null, requestTrace: null, runbook: { anchor: 'scope_mismatch', url: null, pointer: 'docs/runbooks.md#scope_mismatch' } });
    const withConsole = triageLinks(r, { config: { ...NO_LINKS, consoleUrl: 'https://console.example.com' }, signingKey: KEY, now: NOW });
    expect(withConsole.requestTrace).toBe(`https://console.example.com/z1/app/audit?request=${r.input.requestId}`);
  });
});

describe('the postmortem export', () => {
  const record = diagnosedRecord(HOSTILE, {
    state: 'resolved',
    zoneId: '01a21de5-0000-4000-8000-000000000001',
    names: { zones: { '01a21de5-0000-4000-8000-000000000001': 'Payments' }, applications: {}, resources: {}, policySets: {} },
    steps: diagnosedRecord(HOSTILE).steps.map((s) => ({ ...s, at: '2026-12-06T13:01:00Z' })),
    history: [
      { at: '2026-12-06T13:00:00Z', actor: { kind: 'system', id: 'caracal-triage' }, action: 'started' },
      { at: '2026-12-06T13:05:00Z', actor: { kind: 'user', id: 'U0BOB0001', name: HOSTILE }, action: 'fixed, re-check', step: 'requested_scopes' },
      { at: '2026-12-06T13:09:00Z', actor: { kind: 'user', id: 'U0BOB0001', name: 'bob' }, action: 'resolve' },
    ],
    bundle: { items: [{ id: 'readiness', status: 'ok', summary: 'All ready', evidence: { token: '[redacted]' } }], redactions: 2 },
    createdAt: '2026-12-06T13:00:00Z',
    updatedAt: '2026-12-06T13:09:00Z',
  });
  const trail = {
    entries: [
      { at: '2026-12-06T13:00:00.100Z', actor: { kind: 'user' as const, id: 'U0ADA001', name: 'ada' }, action: 'start', source: 'slack_command', from: null, to: 'locating' },
      { at: '2026-12-06T13:07:00Z', actor: { kind: 'user' as const, id: 'U0CARL01', name: 'carl' }, action: 'fix_applied', source: 'slack_button', from: 'walking', to: 'walking' },
    ],
    chain: { ok: true, entries: 12 },
  };
  const md = postmortemMarkdown({ found: found(record), trail, links: { config: NO_LINKS, signingKey: KEY, now: NOW } });

  it('has every section, in order', () => {
    const heads = [...md.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(heads).toEqual(['Diagnosis', 'Timeline', 'Steps', 'Changed before this denial', 'Diagnostic bundle (redacted: 2 values)', "The bot's audit log"]);
    expect(md).toMatch(/^# Caracal triage `tri-/);
    expect(md).toContain('- **Status:** Resolved by bob');
    expect(md).toContain('- **Zone:** Payments (`01a21de5-0000-4000-8000-000000000001`)');
    expect(md).toContain('Runbook: `docs/runbooks.md#scope_mismatch`');
    expect(md).toContain('The audit chain verifies: 12 entries');
    expect(exportFileName(record.id)).toBe(`caracal-triage-${record.id}.md`);
  });

  it('tells the timeline with people and UTC times: the command, steps with verdicts, clicks, what the audit log adds, the resolution', () => {
    const rows = md.split('\n').filter((l) => l.startsWith('| 2026'));
    expect(rows[0]).toMatch(/^\| 2026-12-06 13:00:00 \| ada \| started: triage 0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b \(from slack\\_command\) \|$/);
    expect(rows.some((r) => /13:01:00 \| the bot \| step 6 Requested scopes: fail \(scope\\_mismatch\)/.test(r))).toBe(true);
    expect(rows.some((r) => /13:05:00 \| .+ \| said it is fixed and asked for a re-check \(step 6, Requested scopes\) \|$/.test(r))).toBe(true);
    expect(rows.some((r) => /13:07:00 \| carl \| fix applied \(from slack\\_button\)/.test(r))).toBe(true);
    expect(rows[rows.length - 1]).toMatch(/13:09:00 \| bob \| resolved the triage \|$/);
  });

  it('makes outside text inert: no link, image, HTML, heading or table break from Caracal or a name', () => {
    // Evidence sits in fenced blocks, where Markdown formats nothing; everything else is prose.
    const fences = md.match(/^(`{3,})json\n[\s\S]*?\n\1$/gm) ?? [];
    expect(fences.length).toBeGreaterThan(0);
    const prose = fences.reduce((text, f) => text.replace(f, ''), md);
    expect(prose).not.toContain('[click](https://evil.example)');
    expect(prose).not.toContain('<img');
    expect(prose).toContain('\\[click\\]');
    expect(prose).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(prose).not.toMatch(/^# heading/m);
    // Every timeline row keeps its three cells: a `|` in a name cannot split one.
    const piped = postmortemMarkdown({ found: found(record, { startedBy: { kind: 'user', id: 'U1', name: 'a | b' } }), trail: { entries: [], chain: null }, links: { config: NO_LINKS, signingKey: KEY, now: NOW } });
    expect(piped).toContain('a \\| b');
    expect(piped).toContain('The audit chain was not checked');
  });

  it('says so loudly when the chain does not verify', () => {
    const broken = postmortemMarkdown({ found: found(record), trail: { entries: [], chain: { ok: false, entries: 9, reason: 'seq 4 missing: 1 entry was deleted' } }, links: { config: NO_LINKS, signingKey: KEY, now: NOW } });
    expect(broken).toContain('**The audit chain does NOT verify** (9 entries read): seq 4 missing: 1 entry was deleted');
  });

  it('a fence holds evidence whatever backticks it contains', () => {
    const r = diagnosedRecord('``` ```` x', { state: 'resolved' });
    const out = postmortemMarkdown({ found: found(r), trail: { entries: [], chain: null }, links: { config: NO_LINKS, signingKey: KEY, now: NOW } });
    expect(out).toMatch(/^`{5}json$/m);
  });
});
