import { verifyButton } from '../../../src/commands/button-token';
import {
  BlockLimitError,
  LIMITS,
  buildBundleMessage,
  buildStatusCard,
  buildStepMessage,
  buildStepsMessage,
  code,
  escFit,
  validateMessage,
  type SlackMessage,
} from '../../../adapters/slack/render';
import { openText } from '../../../adapters/slack/render/outcome';
import { STEP_IDS } from '../../../src/triage/model';
import { HOSTILE, REQUEST_ID, diagnosedRecord, hugeEvidenceRecord, readinessRecord } from './records';

const KEY = 'signing-key-'.repeat(4);
const NOW = new Date('2026-11-27T12:03:10Z');

/** Every mrkdwn/plain text in a message. */
function texts(m: SlackMessage): string[] {
  const out: string[] = [m.text];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ((o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(m.blocks);
  return out;
}

/** Our own date tokens (`<!date^unix^{format}|fallback>`): the reader's zone, never outside text. */
const DATE_TOKEN = /<!date\^\d+\^\{[a-z_]+\}(?: at \{time\})?\|\d{4}-\d\d-\d\d \d\d:\d\d UTC>/g;

/** No Slack control sequence except the mentions and date tokens we put there ourselves. */
function expectInert(m: SlackMessage, allowedMentions: string[] = []): void {
  for (const t of texts(m)) {
    let rest = t.replace(DATE_TOKEN, '');
    for (const a of allowedMentions) rest = rest.split(a).join('');
    expect(rest).not.toMatch(/[<>]/);
    expect(rest).not.toContain('<!channel>');
  }
}

function buttons(m: SlackMessage): Array<{ action_id: string; value?: string; text: { text: string } }> {
  return m.blocks.flatMap((b) => (b.type === 'actions' ? (b.elements as Array<{ action_id: string; value?: string; text: { text: string } }>) : []));
}

describe('status card', () => {
  it('puts the failing surface and cause first, escaped', () => {
    const card = buildStatusCard(diagnosedRecord(), { signingKey: KEY, now: NOW });
    expect(card.blocks[0].type).toBe('header');
    const summary = card.blocks[1] as { text: { text: string } };
    expect(summary.text.text).toMatch(/^:rotating_light: \*Failing surface: Resource definition\*/);
    expect(summary.text.text).toContain('`scope_mismatch`');
    expect(summary.text.text).toContain('&lt;!channel&gt;');
    expect(summary.text.text).toContain('&amp;amp;');
    expectInert(card);
    expect(card.text).toContain('failing surface resource_definition');
  });

  it('lists the eight steps, facts, history and elapsed time', () => {
    const card = buildStatusCard(diagnosedRecord(), { signingKey: KEY, now: NOW });
    const steps = card.blocks.find((b) => b.block_id === 'triage:steps') as { text: { text: string } };
    expect(steps.text.text.split('\n')).toHaveLength(8);
    expect(steps.text.text).toContain(':x: *6. Requested scopes*');
    const facts = JSON.stringify(card.blocks.find((b) => b.block_id === 'triage:facts'));
    expect(facts).toContain(REQUEST_ID);
    expect(facts).toContain('3m 10s');
    expect(JSON.stringify(card.blocks.find((b) => b.block_id === 'triage:history'))).toContain('started');
  });

  it('signs the five walking buttons with the current version', () => {
    const r = diagnosedRecord({ state: 'walking', current: 'requested_scopes', version: 9 });
    const bs = buttons(buildStatusCard(r, { signingKey: KEY, now: NOW }));
    expect(bs.map((b) => b.text.text)).toEqual(['Fixed, re-check', 'Next step', 'Skip', 'Escalate', 'Resolved']);
    for (const b of bs) {
      expect(b.value!.length).toBeLessThanOrEqual(LIMITS.buttonValue);
      const v = verifyButton(b.value, KEY, NOW);
      expect(v.ok).toBe(true);
      if (v.ok) expect(v.claim).toMatchObject({ triageId: r.id, version: 9 });
    }
    const recheck = verifyButton(bs[0].value, KEY, NOW);
    expect(recheck.ok && recheck.claim.step).toBe('requested_scopes');
  });

  it('offers only escalate/resolve while collecting, only Export once resolved, and nothing once abandoned', () => {
    const locating = diagnosedRecord({ state: 'locating', diagnosis: null, pending: ['grant_policy'] });
    expect(buttons(buildStatusCard(locating, { signingKey: KEY, now: NOW })).map((b) => b.text.text)).toEqual(['Escalate', 'Resolved']);
    expect(buttons(buildStatusCard(diagnosedRecord({ state: 'resolved' }), { signingKey: KEY, now: NOW })).map((b) => b.text.text)).toEqual(['Export']);
    expect(buttons(buildStatusCard(diagnosedRecord({ state: 'abandoned' }), { signingKey: KEY, now: NOW }))).toHaveLength(0);
    const escalated = buildStatusCard(diagnosedRecord({ state: 'escalated' }), { signingKey: KEY, now: NOW });
    expect(buttons(escalated).map((b) => b.text.text)).not.toContain('Escalate');
    expect(buttons(escalated).map((b) => b.text.text)).toContain('Export');
  });

  it('asks for the symptom when there is no request ID', () => {
    const card = buildStatusCard(readinessRecord(), { signingKey: KEY, now: NOW });
    const symptoms = buttons(card).filter((b) => b.action_id.startsWith('triage:symptom:'));
    expect(symptoms.map((b) => b.text.text)).toEqual([
      'Config / startup error',
      '401 Unauthenticated',
      '403 at token exchange',
      '403 at the resource',
      'scope_insufficient after allow',
      'No audit event',
      'Access after revocation',
    ]);
    const claim = verifyButton(symptoms[1].value, KEY, NOW);
    expect(claim.ok && claim.claim).toMatchObject({ action: 'symptom', symptom: 'unauthenticated' });
    expect((card.blocks[1] as { text: { text: string } }).text.text).toContain('Pick the symptom');
  });

  it('stays inside Block Kit limits with huge, hostile values', () => {
    const r = hugeEvidenceRecord();
    const card = buildStatusCard(r, { signingKey: KEY, now: NOW });
    expect(JSON.stringify(card.blocks).length).toBeLessThanOrEqual(LIMITS.messageChars);
    expectInert(card, ['<@U12345>']);
  });
});

describe('step and bundle messages', () => {
  it('cuts huge evidence and attaches the whole of it when files are allowed', () => {
    const r = hugeEvidenceRecord();
    const m = buildStepMessage(r, 'request_trace', { files: true });
    expect(m.blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
    expect(JSON.stringify(m.blocks).length).toBeLessThanOrEqual(LIMITS.messageChars);
    expect(m.file?.filename).toBe(`triage-${r.id}-step-3-request_trace.json`);
    expect(JSON.parse(m.file!.content).evidence.rows).toHaveLength(2000);
    expect(JSON.stringify(m.blocks)).toContain('Evidence cut');
    expectInert(m);
    const noFiles = buildStepMessage(r, 'request_trace', { files: false });
    expect(noFiles.file).toBeUndefined();
    expect(JSON.stringify(noFiles.blocks)).toContain(`caracal-triage triage ${REQUEST_ID} --json`);
  });

  it('shows small evidence whole, escaped, without a file', () => {
    const m = buildStepMessage(diagnosedRecord(), 'requested_scopes', { files: true });
    expect(m.file).toBeUndefined();
    const all = JSON.stringify(m.blocks);
    expect(all).toContain('```');
    expect(all).toContain('&lt;@U0ADMIN&gt;');
    const evidence = JSON.stringify(m.blocks.slice(1));
    expect(evidence).not.toContain('`tick`');
    expect(evidence).toContain('ˋtickˋ');
    expectInert(m);
  });

  it('renders the bundle with a file, or cut evidence without one', () => {
    const r = hugeEvidenceRecord();
    const withFile = buildBundleMessage(r, { files: true });
    expect(withFile.file?.filename).toBe(`caracal-bundle-${r.id}.json`);
    expect(JSON.parse(withFile.file!.content).bundle.items).toHaveLength(6);
    expect(JSON.stringify(withFile.blocks)).toContain('4 secret values redacted');
    expectInert(withFile);
    const without = buildBundleMessage(r, { files: false });
    expect(JSON.stringify(without.blocks).length).toBeLessThanOrEqual(LIMITS.messageChars);
    expect(JSON.stringify(without.blocks)).toContain('caracal-triage bundle --zone zone-prod --json');
    expectInert(without);
  });
});

describe('folded steps (a busy channel)', () => {
  it('keeps every step, in order, with its verdict, inside Block Kit limits, and attaches all the evidence it had to cut', () => {
    const r = hugeEvidenceRecord();
    const m = buildStepsMessage(r, [...STEP_IDS], { files: true });
    expect(m.blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
    expect(JSON.stringify(m.blocks).length).toBeLessThanOrEqual(LIMITS.messageChars);
    const ids = m.blocks.flatMap((b) => (b.block_id?.startsWith('step:') ? [b.block_id.slice(5)] : []));
    expect(ids).toEqual([...STEP_IDS]);
    const failing = m.blocks.find((b) => b.block_id === 'step:requested_scopes') as { text: { text: string } };
    expect(failing.text.text).toContain('*fail*');
    expect(failing.text.text).toContain('`scope_mismatch`');
    expect(m.file?.filename).toBe(`triage-${r.id}-steps-1-8.json`);
    const attached = JSON.parse(m.file!.content) as { steps: Array<{ id: string; evidence: { rows?: unknown[] } }> };
    expect(attached.steps.map((s) => s.id)).toEqual([...STEP_IDS]);
    expect(attached.steps.find((s) => s.id === 'request_trace')!.evidence.rows).toHaveLength(2000);
    expectInert(m);
    const noFiles = buildStepsMessage(r, [...STEP_IDS], { files: false });
    expect(noFiles.file).toBeUndefined();
    expect(JSON.stringify(noFiles.blocks)).toContain(`caracal-triage triage ${REQUEST_ID} --json`);
  });

  it('shows small evidence whole and attaches nothing', () => {
    const m = buildStepsMessage(diagnosedRecord(), ['grant_policy', 'policy_set_activation', 'requested_scopes'], { files: true });
    expect(m.file).toBeUndefined();
    expect(JSON.stringify(m.blocks)).toContain('Steps 4–6 of 8');
    expect(JSON.stringify(m.blocks)).toContain('&lt;@U0ADMIN&gt;');
    expect(m.text).toBe('Steps 4-6: 4 pass, 5 pass, 6 fail');
  });
});

describe('escalated card and repeated commands', () => {
  it('links the bundle from an escalated card, and only a safe link', () => {
    const r = diagnosedRecord({ state: 'escalated', history: [{ at: '2026-11-27T12:01:00.000Z', actor: { kind: 'user', id: 'U0ONCALL' }, action: 'escalate' }] });
    const link = 'https://acme.slack.com/archives/C1/p1796000000000200?thread_ts=1796000000.000100&cid=C1';
    const summary = (m: SlackMessage) => (m.blocks[1] as { text: { text: string } }).text.text;
    expect(summary(buildStatusCard(r, { signingKey: KEY, now: NOW, bundleLink: link }))).toContain(`<${link}|open it in the thread>`);
    expect(summary(buildStatusCard(r, { signingKey: KEY, now: NOW }))).toContain('will close the thread below');
    expect(summary(buildStatusCard(r, { signingKey: KEY, now: NOW, bundleLink: 'https://x|<!channel>' }))).not.toContain('<https://x');
    expect(summary(buildStatusCard(diagnosedRecord(), { signingKey: KEY, now: NOW, bundleLink: link }))).not.toContain('bundle');
  });

  it('answers a repeated command with a link to the open card', () => {
    const ref = { platform: 'slack' as const, channel: 'C1', ts: '1796000000.000100' };
    expect(openText('tri-1', ref, 'https://acme.slack.com/archives/C1/p1796000000000100')).toContain('<https://acme.slack.com/archives/C1/p1796000000000100|its card>');
    expect(openText('tri-1', ref, null)).toContain('its card, above in this channel');
    expect(openText('tri-1', null, null)).toContain('about to appear');
    expect(openText('tri-1', ref, 'javascript:alert(1)')).not.toContain('<javascript');
    expect(openText('tri-1', ref, null)).toContain('*Fixed, re-check*');
    // Asked again for a triage that had stopped: it says it starts again, not "still open".
    expect(openText('tri-1', ref, null, true)).toMatch(/^:repeat: This request's triage had stopped \(a job failed, or was lost\): it starts again now, on its card, above in this channel/);
  });
});

describe('limits and escaping', () => {
  it('rejects messages over the limits', () => {
    const section = (text: string) => ({ type: 'section' as const, text: { type: 'mrkdwn' as const, text } });
    expect(() => validateMessage({ text: 'x', blocks: Array.from({ length: 51 }, () => section('a')) })).toThrow(BlockLimitError);
    expect(() => validateMessage({ text: 'x', blocks: [section('a'.repeat(3001))] })).toThrow(/3000|too_big|Too big/i);
    expect(() => validateMessage({ text: 'x', blocks: [section('a'.repeat(2999)), section('a'.repeat(2999)), section('a'.repeat(2999)), section('a'.repeat(2999))] })).toThrow(/11000/);
  });

  it('never splits an entity when cutting, and neutralises backticks in code spans', () => {
    for (let max = 1; max < 30; max++) {
      const out = escFit('a&b<c>d&e'.repeat(5), max);
      expect(out.length).toBeLessThanOrEqual(max);
      expect(out).not.toMatch(/&(?!amp;|lt;|gt;)/);
    }
    expect(code('a`b``c')).toBe('`aˋbˋˋc`');
    expect(code(HOSTILE)).not.toMatch(/[<>]/);
  });
});
