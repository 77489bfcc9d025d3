/**
 * Authentication of the three incident sources, as a sender (or an attacker) would exercise
 * it: the right credentials pass, wrong, missing and malformed ones are refused with the
 * status the route answers, rotated PagerDuty secrets work with one match, the generic
 * hook's five-minute window holds in both directions, and the header-only precheck refuses
 * before a body is seen.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { precheckAlertmanager, verifyAlertmanager } from '../../src/incidents/auth/alertmanager';
import { precheckGenericHook, signGenericHook, verifyGenericHook } from '../../src/incidents/auth/generic';
import { precheckPagerDuty, signPagerDuty, verifyPagerDuty } from '../../src/incidents/auth/pagerduty';

const FIX = join(__dirname, '..', 'fixtures', 'incidents');
const TOKEN = 'am-token-0123456789abcdef';
const PD_SECRET = 'pd-secret-aaaaaaaaaaaaaaaaaaaaaaaa';
const PD_OLD_SECRET = 'pd-secret-bbbbbbbbbbbbbbbbbbbbbbbb';
const HOOK_SECRET = 'hook-secret-cccccccccccccccccccccc';
const NOW = new Date('2026-12-01T12:00:00Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);

const amBody = readFileSync(join(FIX, 'alertmanager-0.25', 'firing.json'));
const amHeaders = JSON.parse(readFileSync(join(FIX, 'alertmanager-0.25', 'firing.headers.json'), 'utf8')) as Record<string, string>;
const pdBody = readFileSync(join(FIX, 'pagerduty-v3', 'incident.triggered.json'));
const hookBody = readFileSync(join(FIX, 'generic', 'request.json'));

const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('Alertmanager: bearer token or basic auth', () => {
  it('accepts the headers Alertmanager 0.25 really sent with the token', () => {
    expect(amHeaders.authorization).toBe(`Bearer ${TOKEN}`);
    expect(verifyAlertmanager(amBody, amHeaders, TOKEN)).toEqual({ ok: true });
  });

  it('accepts basic auth whose password is the token, whatever the username', () => {
    expect(verifyAlertmanager(amBody, { authorization: basic('caracal-triage', TOKEN) }, TOKEN)).toEqual({ ok: true });
    expect(verifyAlertmanager(amBody, { authorization: basic('', TOKEN) }, TOKEN)).toEqual({ ok: true });
  });

  it('accepts the scheme in any case and either of two tokens during a rotation', () => {
    expect(verifyAlertmanager(amBody, { Authorization: `bearer ${TOKEN}` }, TOKEN)).toEqual({ ok: true });
    expect(verifyAlertmanager(amBody, { authorization: `Bearer ${TOKEN}` }, ['next-token-xxxxxxxx', TOKEN])).toEqual({ ok: true });
  });

  it.each([
    ['no Authorization header', {}, 'missing_credentials'],
    ['an empty one', { authorization: '' }, 'missing_credentials'],
    ['another scheme', { authorization: `Token ${TOKEN}` }, 'malformed_credentials'],
    ['Bearer without a token', { authorization: 'Bearer' }, 'malformed_credentials'],
    ['basic auth without a colon', { authorization: `Basic ${Buffer.from(TOKEN).toString('base64')}` }, 'malformed_credentials'],
    ['a wrong token', { authorization: 'Bearer am-token-0123456789abcdeX' }, 'wrong_credentials'],
    ['a prefix of the token', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }, 'wrong_credentials'],
    ['the token as basic-auth username', { authorization: basic(TOKEN, 'x') }, 'wrong_credentials'],
  ])('refuses %s with 401', (_what, headers, reason) => {
    const r = precheckAlertmanager(headers, TOKEN);
    expect(r).toMatchObject({ ok: false, status: 401, reason });
    if (!r.ok) expect(r.message).not.toContain(TOKEN);
  });

  it('will not run without a token configured', () => {
    expect(() => precheckAlertmanager({ authorization: 'Bearer x' }, '')).toThrow(/ALERTMANAGER_TOKEN/);
  });
});

describe('PagerDuty: X-PagerDuty-Signature over the raw body', () => {
  const hex = (secret: string, body: Buffer | string): string => createHmac('sha256', secret).update(body).digest('hex');

  it('accepts the signature of the exact bytes', () => {
    expect(verifyPagerDuty(pdBody, { 'x-pagerduty-signature': `v1=${hex(PD_SECRET, pdBody)}` }, PD_SECRET)).toEqual({ ok: true });
  });

  it('accepts one matching signature among several while secrets rotate, in either position', () => {
    const both = signPagerDuty(pdBody, [PD_OLD_SECRET, PD_SECRET]);
    expect(both.split(',')).toHaveLength(2);
    expect(verifyPagerDuty(pdBody, { 'X-PagerDuty-Signature': both }, PD_SECRET)).toEqual({ ok: true });
    expect(verifyPagerDuty(pdBody, { 'x-pagerduty-signature': signPagerDuty(pdBody, [PD_SECRET, PD_OLD_SECRET]) }, PD_SECRET)).toEqual({ ok: true });
    // Node joins a repeated header with ", ".
    const joined = `v1=${hex(PD_OLD_SECRET, pdBody)}, v1=${hex(PD_SECRET, pdBody)}`;
    expect(verifyPagerDuty(pdBody, { 'x-pagerduty-signature': joined }, PD_SECRET)).toEqual({ ok: true });
  });

  it('skips signature versions it does not know', () => {
    const h = `v2=${'0'.repeat(64)},v1=${hex(PD_SECRET, pdBody)}`;
    expect(verifyPagerDuty(pdBody, { 'x-pagerduty-signature': h }, PD_SECRET)).toEqual({ ok: true });
  });

  it('refuses a body changed by one byte, or re-serialised, with 403', () => {
    const sig = { 'x-pagerduty-signature': `v1=${hex(PD_SECRET, pdBody)}` };
    const changed = Buffer.from(pdBody);
    changed[changed.length - 3] ^= 1;
    expect(verifyPagerDuty(changed, sig, PD_SECRET)).toMatchObject({ ok: false, status: 403, reason: 'bad_signature' });
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(pdBody.toString('utf8'))));
    expect(verifyPagerDuty(reserialised, sig, PD_SECRET)).toMatchObject({ ok: false, status: 403 });
  });

  it('refuses signatures made with only old secrets (403), missing or malformed headers (401)', () => {
    expect(verifyPagerDuty(pdBody, { 'x-pagerduty-signature': signPagerDuty(pdBody, [PD_OLD_SECRET]) }, PD_SECRET)).toMatchObject({ status: 403 });
    expect(precheckPagerDuty({}, PD_SECRET)).toMatchObject({ ok: false, status: 401, reason: 'missing_signature' });
    expect(precheckPagerDuty({ 'x-pagerduty-signature': hex(PD_SECRET, pdBody) }, PD_SECRET)).toMatchObject({ status: 401, reason: 'malformed_signature' });
    expect(precheckPagerDuty({ 'x-pagerduty-signature': 'v1=abc' }, PD_SECRET)).toMatchObject({ status: 401, reason: 'malformed_signature' });
  });

  it('checks a body streamed in chunks the same as whole', () => {
    const pre = precheckPagerDuty({ 'x-pagerduty-signature': `v1=${hex(PD_SECRET, pdBody)}` }, PD_SECRET);
    if (!pre.ok) throw new Error('precheck failed');
    for (let i = 0; i < pdBody.length; i += 97) pre.body.update(pdBody.subarray(i, i + 97));
    expect(pre.body.finish()).toEqual({ ok: true });
    expect(pre.body.finish()).toEqual({ ok: true });
  });
});

describe('generic hook: X-Signature over "<timestamp>.<raw body>", ±5 minutes', () => {
  const at = (ts: number): Record<string, string> => signGenericHook(hookBody, HOOK_SECRET, ts);

  it('accepts a fresh signature, and the openssl form of it', () => {
    expect(verifyGenericHook(hookBody, at(NOW_S), NOW, HOOK_SECRET)).toEqual({ ok: true });
    const mac = createHmac('sha256', HOOK_SECRET).update(`${NOW_S}.${hookBody.toString('utf8')}`).digest('hex');
    expect(verifyGenericHook(hookBody, { 'x-signature-timestamp': String(NOW_S), 'x-signature': `v1=${mac}` }, NOW, HOOK_SECRET)).toEqual({ ok: true });
  });

  it('accepts exactly five minutes either way and refuses one second more', () => {
    expect(verifyGenericHook(hookBody, at(NOW_S - 300), NOW, HOOK_SECRET)).toEqual({ ok: true });
    expect(verifyGenericHook(hookBody, at(NOW_S + 300), NOW, HOOK_SECRET)).toEqual({ ok: true });
    expect(precheckGenericHook(at(NOW_S - 301), NOW, HOOK_SECRET)).toMatchObject({ ok: false, status: 401, reason: 'stale_timestamp' });
    expect(precheckGenericHook(at(NOW_S + 301), NOW, HOOK_SECRET)).toMatchObject({ ok: false, status: 401, reason: 'future_timestamp' });
    expect(precheckGenericHook(at(NOW_S + 30 * 86400), NOW, HOOK_SECRET)).toMatchObject({ reason: 'future_timestamp' });
  });

  it('refuses a replayed signature with a new timestamp (the timestamp is signed)', () => {
    const old = at(NOW_S - 600);
    const replay = { 'x-signature-timestamp': String(NOW_S), 'x-signature': old['X-Signature'] };
    expect(verifyGenericHook(hookBody, replay, NOW, HOOK_SECRET)).toMatchObject({ ok: false, status: 401, reason: 'bad_signature' });
  });

  it('refuses the wrong secret, a changed body, and a signature of the body alone', () => {
    expect(verifyGenericHook(hookBody, signGenericHook(hookBody, 'another-secret', NOW_S), NOW, HOOK_SECRET)).toMatchObject({ reason: 'bad_signature' });
    expect(verifyGenericHook(Buffer.concat([hookBody, Buffer.from(' ')]), at(NOW_S), NOW, HOOK_SECRET)).toMatchObject({ reason: 'bad_signature' });
    const bodyOnly = createHmac('sha256', HOOK_SECRET).update(hookBody).digest('hex');
    expect(verifyGenericHook(hookBody, { 'x-signature-timestamp': String(NOW_S), 'x-signature': `v1=${bodyOnly}` }, NOW, HOOK_SECRET)).toMatchObject({ reason: 'bad_signature' });
  });

  it.each([
    ['no headers', {}, 'missing_timestamp'],
    ['a timestamp in milliseconds', { 'x-signature-timestamp': String(NOW.getTime()), 'x-signature': `v1=${'0'.repeat(64)}` }, 'malformed_timestamp'],
    ['an ISO timestamp', { 'x-signature-timestamp': NOW.toISOString(), 'x-signature': `v1=${'0'.repeat(64)}` }, 'malformed_timestamp'],
    ['a negative timestamp', { 'x-signature-timestamp': '-5', 'x-signature': `v1=${'0'.repeat(64)}` }, 'malformed_timestamp'],
    ['no signature', { 'x-signature-timestamp': String(NOW_S) }, 'missing_signature'],
    ['a bare hex signature', { 'x-signature-timestamp': String(NOW_S), 'x-signature': '0'.repeat(64) }, 'malformed_signature'],
  ])('refuses %s from the headers alone', (_what, headers, reason) => {
    expect(precheckGenericHook(headers, NOW, HOOK_SECRET)).toMatchObject({ ok: false, status: 401, reason });
  });

  it('accepts a sender that signs with its old and new secret while rotating', () => {
    const two = `${signGenericHook(hookBody, 'sender-old-secret', NOW_S)['X-Signature']},${at(NOW_S)['X-Signature']}`;
    expect(verifyGenericHook(hookBody, { 'x-signature-timestamp': String(NOW_S), 'x-signature': two }, NOW, HOOK_SECRET)).toEqual({ ok: true });
  });
});
