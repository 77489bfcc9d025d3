import { eventFromClaim } from '../../src/commands/button-event';
import { signButton, verifyButton, type ButtonClaim } from '../../src/commands/button-token';

const KEY = 'k'.repeat(40);
const NOW = new Date('2026-11-27T12:00:00Z');
const claim: ButtonClaim = {
  triageId: 'tr_01JDXYZ0123456789ABCDEFGHJ',
  action: 'recheck',
  step: 'grant_policy',
  version: 7,
  expiresAt: Math.floor(NOW.getTime() / 1000) + 3600,
};

describe('button tokens', () => {
  it('round-trips and stays compact', () => {
    const v = signButton(claim, KEY);
    expect(v.length).toBeLessThan(300);
    expect(verifyButton(v, KEY, NOW)).toEqual({ ok: true, claim });
    const sym = signButton({ ...claim, action: 'symptom', step: undefined, symptom: 'unauthenticated' }, KEY);
    const r = verifyButton(sym, KEY, NOW);
    expect(r.ok && r.claim.symptom).toBe('unauthenticated');
  });

  it('refuses an altered payload, a foreign key and garbage', () => {
    const v = signButton(claim, KEY);
    const [, payload, sig] = v.split('.');
    const wire = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...wire, v: 8 })).toString('base64url');
    expect(verifyButton(`v1.${forged}.${sig}`, KEY, NOW)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verifyButton(v, 'x'.repeat(40), NOW)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verifyButton(`${v}x`, KEY, NOW)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verifyButton('recheck', KEY, NOW)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verifyButton(undefined, KEY, NOW)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('refuses an expired click', () => {
    const v = signButton({ ...claim, expiresAt: Math.floor(NOW.getTime() / 1000) - 1 }, KEY);
    expect(verifyButton(v, KEY, NOW)).toMatchObject({ ok: false, reason: 'expired', message: expect.stringContaining('expired') });
  });

  it('maps claims to machine events with the expected version', () => {
    const actor = { kind: 'user' as const, id: 'U1' };
    expect(eventFromClaim(claim, actor)).toEqual({ type: 'recheck', actor, step: 'grant_policy', expectedVersion: 7 });
    expect(eventFromClaim({ ...claim, action: 'resolve' }, actor)).toEqual({ type: 'resolve', actor, expectedVersion: 7 });
    expect(eventFromClaim({ ...claim, action: 'symptom', symptom: 'no_audit_event' }, actor)).toEqual({
      type: 'symptom_chosen',
      actor,
      symptom: 'no_audit_event',
      expectedVersion: 7,
    });
    expect(eventFromClaim({ ...claim, action: 'symptom' }, actor)).toBeNull();
  });
});
