import { teamsOutcomeText } from '../../../adapters/teams/render/outcome';
import { verifyButton } from '../../../src/commands/button-token';
import { STEP_IDS } from '../../../src/triage/model';
import {
  AdaptiveCardSchema,
  LIMITS,
  buildBundleMessage,
  buildStatusCard,
  buildStepMessage,
  buildStepsMessage,
  cardBytes,
  fitOutside,
  outsideText,
  sentence,
  type AdaptiveCard,
} from '../../../adapters/teams/render';
import { HOSTILE, REQUEST_ID, diagnosedRecord, readinessRecord, worstCaseRecord } from './records';

const KEY = 'k'.repeat(48);
const NOW = new Date('2026-11-27T12:03:00.000Z');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Node = any;

/** Every TextBlock text and fact value, in document order. */
function texts(card: AdaptiveCard): string[] {
  const out: string[] = [];
  const walk = (n: Node): void => {
    if (n.type === 'TextBlock') out.push(n.text);
    if (n.type === 'FactSet') for (const f of n.facts) out.push(`${f.title}: ${f.value}`);
    if (n.type === 'CodeBlock') out.push(n.codeSnippet);
    for (const c of n.items ?? []) walk(c);
  };
  card.body.forEach(walk);
  return out;
}

function allActions(card: AdaptiveCard): Node[] {
  const out: Node[] = [...(card.actions ?? [])];
  const walk = (n: Node): void => {
    if (n.type === 'ActionSet') out.push(...n.actions);
    for (const c of n.items ?? []) walk(c);
  };
  card.body.forEach(walk);
  return out;
}

describe('Teams status card', () => {
  it('is a valid Adaptive Card 1.5 with the diagnosis first, the eight steps, history, elapsed and the five buttons', () => {
    const card = buildStatusCard(diagnosedRecord(), { signingKey: KEY, now: NOW });
    expect(AdaptiveCardSchema.safeParse(card).success).toBe(true);
    expect(card.version).toBe('1.5');
    const t = texts(card);
    expect(t[0]).toBe(`Caracal triage: ${REQUEST_ID}`);
    expect(t[1]).toMatch(/^🚨 \*\*Failing surface: Resource definition\*\*/);
    expect(t[2]).toMatch(/^\*\*Cause:\*\* scope_mismatch: /);
    const stepLines = t.filter((l) => /^\S+ \*\*\d\. /.test(l));
    expect(stepLines).toHaveLength(STEP_IDS.length);
    expect(stepLines[5]).toMatch(/^❌ \*\*6\. Requested scopes\*\* fail: /);
    expect(t).toContain('Elapsed: 3m 00s');
    expect(t.some((l) => l.includes('started'))).toBe(true);
    expect(card.actions?.map((a) => a.title)).toEqual(['Fixed, re-check', 'Next step', 'Skip', 'Escalate', 'Resolved']);
  });

  it('buttons are Action.Execute with an Action.Submit fallback carrying the same signed, versioned data', () => {
    const r = diagnosedRecord();
    const card = buildStatusCard(r, { signingKey: KEY, now: NOW });
    for (const a of card.actions ?? []) {
      expect(a.type).toBe('Action.Execute');
      if (a.type !== 'Action.Execute') continue;
      expect(a.fallback).toEqual({ type: 'Action.Submit', title: a.title, data: a.data, ...(a.style ? { style: a.style } : {}) });
      const v = verifyButton(a.data.value, KEY, NOW);
      expect(v.ok).toBe(true);
      if (v.ok) {
        expect(v.claim).toMatchObject({ triageId: r.id, version: r.version });
        expect(a.verb).toBe(`caracal.${v.claim.action}`);
      }
    }
    const recheck = card.actions?.[0];
    const claim = recheck && verifyButton(recheck.data.value, KEY, NOW);
    expect(claim && claim.ok && claim.claim.step).toBe('requested_scopes');
    // Another key's card does not verify: the data is bound to TRIAGE_SIGNING_KEY.
    expect(verifyButton(card.actions?.[1]?.data.value, 'x'.repeat(48), NOW).ok).toBe(false);
  });

  it('a readiness-first triage offers the seven symptoms in sets Teams shows in full', () => {
    const card = buildStatusCard(readinessRecord(), { signingKey: KEY, now: NOW });
    const sets = card.body.filter((b) => b.type === 'ActionSet') as Node[];
    expect(sets.map((s) => s.actions.length)).toEqual([4, 3]);
    const symptoms = sets.flatMap((s) => s.actions).map((a: Node) => verifyButton(a.data.value, KEY, NOW));
    expect(symptoms.map((v: Node) => v.ok && v.claim.symptom)).toEqual([
      'config_error',
      'unauthenticated',
      'token_exchange_denied',
      'resource_denied',
      'scope_insufficient_after_allow',
      'no_audit_event',
      'access_after_revocation',
    ]);
    expect(texts(card)[0]).toBe('Caracal triage: readiness first');
  });

  it('a resolved triage has no walking buttons, only Export', () => {
    const card = buildStatusCard(diagnosedRecord({ state: 'resolved' }), { signingKey: KEY, now: NOW });
    expect(allActions(card).map((a) => a.title)).toEqual(['Export']);
    expect(texts(card)[1]).toMatch(/^✅ \*\*Resolved\*\*/);
  });

  it('outside text cannot format the card: markdown, links, entities and date functions escaped, bidi and zero-width shown as U+XXXX', () => {
    const card = buildStatusCard(worstCaseRecord(), { signingKey: KEY, now: NOW });
    const json = JSON.stringify(card);
    expect(json).not.toContain('\u202E');
    expect(json).not.toContain('\u200B');
    // The shared rule shows them as [U+XXXX]; the brackets are then escaped for markdown.
    expect(texts(card)[2]).toContain('\\[U+202E\\]evil\\[U+200B\\]');
    const cause = texts(card)[2];
    // A summary is the bot's sentence: a paired-backtick span in it is drawn as code, which formats nothing.
    expect(cause).toContain('\\*\\*bold\\*\\* \\_it\\_ \\[click\\](https://evil.example) \\<https://evil.example\\> `tick` \\&amp; {\\{DATE(');
    expect(cause).not.toMatch(/(^|[^\\])\*\*bold/);
  });

  it('stays under the size limit for a worst-case triage (long Caracal strings everywhere)', () => {
    const r = worstCaseRecord();
    const card = buildStatusCard(r, { signingKey: KEY, now: NOW });
    expect(cardBytes(card)).toBeLessThan(LIMITS.cardBytes);
    for (const id of STEP_IDS) expect(cardBytes(buildStepMessage(r, id))).toBeLessThan(LIMITS.cardBytes);
    expect(cardBytes(buildBundleMessage(r))).toBeLessThan(LIMITS.cardBytes);
  });
});

describe('Teams folded step replies', () => {
  it('carry several steps in step order, each with its verdict, within the size limit even at worst', () => {
    const r = worstCaseRecord();
    const steps = STEP_IDS.slice(2, 6);
    const msg = buildStepsMessage(r, [...steps]);
    expect(cardBytes(msg)).toBeLessThan(LIMITS.cardBytes);
    const headings = texts(msg).filter((t) => /\*\*Step \d\/8 · /.test(t));
    expect(headings.map((h) => /Step (\d)\/8/.exec(h)![1])).toEqual(['3', '4', '5', '6']);
    expect(AdaptiveCardSchema.safeParse(msg).success).toBe(true);
  });
});

describe('Teams step and bundle messages', () => {
  it('a step reply leads with verdict and summary, shows evidence verbatim, and ends a cut with the CLI command', () => {
    const r = worstCaseRecord();
    const msg = buildStepMessage(r, 'request_trace');
    const t = texts(msg);
    expect(t[0]).toBe('❌ **Step 3/8 · Request trace**: **fail**');
    const code = msg.body.filter((b) => b.type === 'CodeBlock') as Node[];
    expect(code[0].language).toBe('Json');
    expect(code[0].codeSnippet.startsWith('{\n  "rows": [')).toBe(true);
    expect(t.some((l) => /^Evidence cut: [\d,]+ of [\d,]+ characters shown\. For all of it run:$/.test(l))).toBe(true);
    expect(code[code.length - 1]).toEqual({ type: 'CodeBlock', language: 'PlainText', codeSnippet: `caracal-triage triage ${r.input.requestId} --zone ${r.zoneId} --verbose` });
  });

  it('short evidence is not cut and has no CLI note', () => {
    const msg = buildStepMessage(diagnosedRecord(), 'requested_scopes');
    expect(texts(msg).some((l) => l.startsWith('Evidence cut'))).toBe(false);
    const code = msg.body.find((b) => b.type === 'CodeBlock') as Node;
    expect(JSON.parse(code.codeSnippet.replace(/\[U\+202E\]/g, '\u202E').replace(/\[U\+200B\]/g, '\u200B'))).toEqual({ resource: HOSTILE, requested: ['read', HOSTILE] });
  });

  it('the bundle is one line per item, then evidence with the CLI command for the rest', () => {
    const r = worstCaseRecord();
    const t = texts(buildBundleMessage(r));
    expect(t[0]).toBe(`📦 **Diagnostic bundle** for request ${r.input.requestId}: 6 warning. 4 secret values redacted.`);
    expect(t.slice(1, 7).map((l) => l.split(' **')[1]?.split('**')[0])).toEqual([
      'Configuration summary',
      'Service readiness',
      'Zones',
      'Provider preflight',
      'Provider binding',
      'Request trace',
    ]);
    expect(t[t.length - 1]).toBe(`caracal-triage bundle --zone ${r.zoneId} --verbose`);
  });

  it('a request ID that a shell would interpret is quoted in the CLI command', () => {
    const r = worstCaseRecord();
    r.input.requestId = "a;rm-x'$(id)";
    const code = buildStepMessage(r, 'readiness').body.filter((b) => b.type === 'CodeBlock') as Node[];
    expect(code[code.length - 1].codeSnippet).toBe(`caracal-triage triage 'a;rm-x'\\''$(id)' --zone ${r.zoneId} --verbose`);
  });
});

describe('outside text rule', () => {
  it('keeps identifiers readable and never fits to nothing', () => {
    expect(outsideText('scope_mismatch zone-prod 0190a1b2-7c3d')).toBe('scope_mismatch zone-prod 0190a1b2-7c3d');
    expect(outsideText('- item\n1. two\n# head')).toBe('\\- item\n1\\. two\n\\# head');
    expect(fitOutside('*'.repeat(50), 5)).toMatch(/^(\\\*)+…$|^\\\*…$/);
    expect(fitOutside('*'.repeat(50), 5).length).toBeGreaterThan(1);
  });
});

describe("the bot's own sentences keep their code spans (fails on the old code: backticks escaped as \\`)", () => {
  it('a summary reads its code as code; the prose around it is still escaped', () => {
    expect(sentence('STS denied it with evaluation_status `complete` (role_scope_mismatch).')).toBe('STS denied it with evaluation_status `complete` (role_scope_mismatch).');
    expect(sentence('*bold* [x](https://evil.example) `code` stray ` tick')).toBe('\\*bold\\* \\[x\\](https://evil.example) `code` stray \\` tick');
  });

  it('inside a span nothing is backslash-escaped (CommonMark shows backslashes there), but a template or a bidi control cannot act', () => {
    expect(sentence('`*a*_b_` and `{{DATE(2017-02-14T06:00:00Z)}}` and `x\u202Ey`')).toBe('`*a*_b_` and `{ {DATE(2017-02-14T06:00:00Z)}}` and `x[U+202E]y`');
  });

  it('a status card shows the step summaries’ code spans as code', () => {
    const record = diagnosedRecord();
    record.steps[2] = { ...record.steps[2]!, summary: 'Found 2 events; STS denied it with evaluation_status `complete`.' };
    const all = texts(buildStatusCard(record, { signingKey: KEY, now: NOW })).join('\n');
    expect(all).toContain('evaluation_status `complete`');
    expect(all).not.toContain('\\`complete\\`');
  });
});

describe('status in Teams', () => {
  it('says Caracal was not checked here and what checks it (fails on the old code)', () => {
    const text = teamsOutcomeText({ kind: 'status', readiness: { ready: true, checks: [{ name: 'redis', ok: true }] } }, { access: 'anyone', incidentChannelPattern: /^inc-/ } as Parameters<typeof teamsOutcomeText>[1]);
    expect(text).toContain('Caracal: not checked here');
    expect(text).toContain('caracal-triage bundle');
  });
});
