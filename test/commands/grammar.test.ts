import { EXAMPLE_REQUEST_ID } from '../../src/commands/command';
import { helpText, parseCommand } from '../../src/commands/grammar';

const ID = '0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b';

describe('parseCommand', () => {
  it('parses triage with a request ID and optional zone', () => {
    expect(parseCommand(`triage ${ID}`)).toEqual({
      kind: 'triage',
      input: { requestId: ID, zoneId: null, symptom: null, error: null },
    });
    expect(parseCommand(`  TRIAGE   ${ID}  zone-prod `)).toEqual({
      kind: 'triage',
      input: { requestId: ID, zoneId: 'zone-prod', symptom: null, error: null },
    });
    expect(parseCommand(`triage \`${ID}\` --zone=z1 --symptom resource_denied`)).toEqual({
      kind: 'triage',
      input: { requestId: ID, zoneId: 'z1', symptom: 'resource_denied', error: null },
    });
  });

  it('parses triage without an ID as readiness first', () => {
    expect(parseCommand('triage')).toEqual({ kind: 'triage', input: { requestId: null, zoneId: null, symptom: null, error: null } });
  });

  it('takes the rest of the line for --error and finds the request ID in a body', () => {
    const body = `{“error”:“access_denied”,“error_description”:“policy denied (scope_mismatch)”,“requestId”:“${ID}”}`;
    const c = parseCommand(`triage --error ${body}`);
    expect(c.kind).toBe('triage');
    if (c.kind !== 'triage') return;
    expect(c.input.requestId).toBe(ID);
    expect(c.input.error).toBe(`{"error":"access_denied","error_description":"policy denied (scope_mismatch)","requestId":"${ID}"}`);
    expect(parseCommand('triage --error access_denied')).toEqual({
      kind: 'triage',
      input: { requestId: null, zoneId: null, symptom: null, error: 'access_denied', errorRoute: expect.objectContaining({ code: 'access_denied', symptom: 'token_exchange_denied' }) },
    });
  });

  it('accepts a pasted error body alone', () => {
    const c = parseCommand('{"error": "invalid_token", "error_description": "bad bearer"}');
    expect(c).toEqual({
      kind: 'triage',
      input: {
        requestId: null,
        zoneId: null,
        symptom: null,
        error: '{"error": "invalid_token", "error_description": "bad bearer"}',
        errorRoute: expect.objectContaining({ code: 'invalid_token', symptom: 'resource_denied' }),
      },
    });
  });

  it('finds (request_id=…) in an SDK message', () => {
    const c = parseCommand(`triage --error token exchange failed: access_denied (request_id=${ID})`);
    expect(c.kind === 'triage' && c.input.requestId).toBe(ID);
  });

  it('explains a malformed request ID once, with an example', () => {
    const c = parseCommand('triage 0190a1b2–7c3d');
    expect(c.kind).toBe('invalid');
    if (c.kind !== 'invalid') return;
    expect(c.message).toContain('is not a request ID');
    expect(c.message).toContain('U+2013');
    expect(c.message).toContain(`/caracal triage ${EXAMPLE_REQUEST_ID}`);
    expect(parseCommand(`triage ${'a'.repeat(129)}`)).toMatchObject({ kind: 'invalid', message: expect.stringContaining('129 characters') });
  });

  it('explains unknown subcommands and options', () => {
    expect(parseCommand('frobnicate')).toMatchObject({ kind: 'invalid', message: expect.stringContaining('Unknown command `frobnicate`') });
    expect(parseCommand(ID)).toMatchObject({ kind: 'invalid', message: expect.stringContaining(`/caracal triage ${ID}`) });
    expect(parseCommand(`triage ${ID} --verbose`)).toMatchObject({ kind: 'invalid', message: expect.stringContaining('Unknown option') });
    expect(parseCommand(`triage ${ID} z1 extra`)).toMatchObject({ kind: 'invalid', message: expect.stringContaining('one word too many') });
    expect(parseCommand(`triage ${ID} --symptom sad`)).toMatchObject({ kind: 'invalid', message: expect.stringContaining('not a symptom') });
    expect(parseCommand(`triage ${ID} z1 --zone z2`)).toMatchObject({ kind: 'invalid' });
    expect(parseCommand('triage --zone')).toMatchObject({ kind: 'invalid', message: expect.stringContaining('needs a value') });
    expect(parseCommand('triage --error   ')).toMatchObject({ kind: 'invalid' });
    expect(parseCommand('triage --error frobnicated')).toMatchObject({ kind: 'invalid', message: expect.stringContaining('frobnicated') });
  });

  it('never echoes mention or link syntax back', () => {
    const c = parseCommand('<!channel> hi');
    expect(c.kind).toBe('invalid');
    expect(c.kind === 'invalid' && c.message).not.toMatch(/<!channel>/);
  });

  it('parses bundle, status and help', () => {
    expect(parseCommand('bundle')).toEqual({ kind: 'bundle', zoneId: null });
    expect(parseCommand('bundle zone-a')).toEqual({ kind: 'bundle', zoneId: 'zone-a' });
    expect(parseCommand('bundle --zone zone-a')).toEqual({ kind: 'bundle', zoneId: 'zone-a' });
    expect(parseCommand('bundle a b')).toMatchObject({ kind: 'invalid' });
    // A zone is its ID, slug or name: a name may hold `/` (it is resolved through the zone list, never put in a path as given).
    expect(parseCommand('bundle zone/a')).toEqual({ kind: 'bundle', zoneId: 'zone/a' });
    expect(parseCommand('bundle zone\u0007a')).toMatchObject({ kind: 'invalid', message: expect.stringContaining('is not a zone: give its ID, slug or name') });
    expect(parseCommand('status')).toEqual({ kind: 'status' });
    expect(parseCommand('status now')).toMatchObject({ kind: 'invalid' });
    expect(parseCommand('')).toEqual({ kind: 'help' });
    expect(parseCommand('help')).toEqual({ kind: 'help' });
  });

  it('uses the platform prefix in examples', () => {
    const c = parseCommand('nope', { prefix: '@Caracal' });
    expect(c.kind === 'invalid' && c.message).toContain('@Caracal triage');
  });

  it('a refused request ID shows a bidi override as [U+202E], as every other path does (fails on the old code, which echoed it raw)', () => {
    const cmd = parseCommand('triage req-\u202Egnp.exe');
    expect(cmd.kind).toBe('invalid');
    const message = (cmd as { message: string }).message;
    expect(message).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B-\u200F]/);
    expect(message).toContain('`req-[U+202E]gnp.exe` is not a request ID');
    expect(message).toContain('(it contains “[U+202E]”, U+202E');
    expect((parseCommand('triage z --zone a\u200Bb') as { message: string }).message).toContain('a[U+200B]b');
  });

  it('takes a zone by name, quoted when it has spaces (straight or curly quotes), after the ID or with --zone', () => {
    expect(parseCommand(`triage ${ID} "Payments EU"`)).toMatchObject({ kind: 'triage', input: { requestId: ID, zoneId: 'Payments EU' } });
    expect(parseCommand(`triage ${ID} --zone “Payments EU”`)).toMatchObject({ kind: 'triage', input: { requestId: ID, zoneId: 'Payments EU' } });
    expect(parseCommand(`triage ${ID} --zone='payments'`)).toMatchObject({ kind: 'triage', input: { zoneId: 'payments' } });
    expect(parseCommand('bundle "Payments EU"')).toEqual({ kind: 'bundle', zoneId: 'Payments EU' });
    // Without quotes a name with a space is two words: one too many.
    expect(parseCommand(`triage ${ID} Payments EU`)).toMatchObject({ kind: 'invalid', message: expect.stringContaining('one word too many') });
    // A pasted error body keeps its quotes (it is the rest of the line).
    expect(parseCommand('triage --error {"error":"access_denied","message":"a b"}')).toMatchObject({ kind: 'triage', input: { error: '{"error":"access_denied","message":"a b"}' } });
  });

  it('parses list and show, and says what they take', () => {
    expect(parseCommand('list')).toEqual({ kind: 'list', scope: 'here' });
    expect(parseCommand('LIST mine')).toEqual({ kind: 'list', scope: 'mine' });
    expect(parseCommand('list all')).toEqual({ kind: 'list', scope: 'all' });
    expect(parseCommand('list everything')).toMatchObject({ kind: 'invalid', message: expect.stringContaining('`list` takes nothing, `mine` or `all`') });
    expect(parseCommand('show tri-01jf3k2m4n5p6q7r8s9t0v1w2x')).toEqual({ kind: 'show', triageId: 'tri-01jf3k2m4n5p6q7r8s9t0v1w2x' });
    expect(parseCommand('show `TRI-01JF3K2M4N5P6Q7R8S9T0V1W2X`')).toEqual({ kind: 'show', triageId: 'tri-01jf3k2m4n5p6q7r8s9t0v1w2x' });
    expect(parseCommand('show')).toMatchObject({ kind: 'invalid', message: expect.stringContaining('`show` takes one triage ID') });
    expect(parseCommand('show req-1', { prefix: '@Caracal' })).toMatchObject({ kind: 'invalid', message: expect.stringContaining('`@Caracal list` shows the IDs') });
    expect(helpText()).toContain('/caracal list');
    expect(helpText()).toContain('/caracal show <triage-id>');
  });
});
