/**
 * Redaction is the last line before chat: every secret shape and every secret key must
 * disappear at any depth (including JSON kept inside strings), the count must be exact so the
 * bundle can say how many values it hid, and the input must come back untouched.
 */
import { createCaracalClient } from '../../src/caracal/client';
import { createRedactor, REDACTED } from '../../src/redact/redact';
import { configFor } from '../caracal/support';
import {
  SEEDED_ADMIN_TOKEN,
  SEEDED_API_KEY,
  SEEDED_BEARER_VALUE,
  SEEDED_CLIENT_SECRET,
  SEEDED_JWT,
  SEEDED_PASSWORD,
  SEEDED_SINK_SECRET,
  SEEDED_SLACK_TOKEN,
} from '../../sim/secrets';
import { SEEDED_SECRETS, startSimulator, ZONE_B } from '../../sim';

const KNOWN = 'known-env-secret-5d1f0c';

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

describe('redactText', () => {
  const { redactText } = createRedactor([KNOWN]);

  test.each([
    ['admin token', `token was ${SEEDED_ADMIN_TOKEN}.`, `token was ${REDACTED}.`],
    ['sink secret', `rotate ${SEEDED_SINK_SECRET} now`, `rotate ${REDACTED} now`],
    ['JWT', `mandate=${SEEDED_JWT}`, `mandate=${REDACTED}`],
    ['Bearer value, scheme kept', `Authorization: Bearer ${SEEDED_BEARER_VALUE}`, `Authorization: Bearer ${REDACTED}`],
    ['Bearer JWT counted once', `Bearer ${SEEDED_JWT}`, `Bearer ${REDACTED}`],
    ['Slack token', `pasted ${SEEDED_SLACK_TOKEN}`, `pasted ${REDACTED}`],
    ['known secret', `prefix${KNOWN}suffix`, `prefix${REDACTED}suffix`],
    ['form-encoded keys', `client_secret=${SEEDED_CLIENT_SECRET}&grant_type=client_credentials`, `client_secret=${REDACTED}&grant_type=client_credentials`],
    ['header-style key', `X-Api-Key: ${SEEDED_API_KEY}`, `X-Api-Key: ${REDACTED}`],
    ['quoted value with spaces', `{"password": "correct horse battery"}`, `{"password": "${REDACTED}"}`],
  ])('%s', (_kind, input, expected) => {
    expect(redactText(input)).toEqual({ text: expected, count: 1 });
  });

  test.each([
    ['an auth challenge', 'WWW-Authenticate: Bearer realm="caracal-audit"'],
    ['prose about bearer tokens', 'send a Bearer authentication header'],
    ['keys that only contain a secret word', 'agent_session_id=sess-1 secret_config_keys: client_secret'],
    ['already redacted values', `token: ${REDACTED} password="${REDACTED}"`],
    ['request IDs and resource identifiers', 'req-grant-1 resource://payments caracal-triage-abc123'],
    ['a short cat_ word', 'cat_food and nsk_short'],
  ])('leaves %s alone', (_kind, input) => {
    expect(redactText(input)).toEqual({ text: input, count: 0 });
  });

  test('counts every replacement in one string', () => {
    const r = redactText(`a ${SEEDED_ADMIN_TOKEN} b ${SEEDED_ADMIN_TOKEN} c password=hunter2 d ${SEEDED_JWT}`);
    expect(r.count).toBe(4);
    expect(r.text).not.toMatch(/cat_|hunter2|eyJ/);
  });
});

describe('redact', () => {
  const { redact } = createRedactor([KNOWN]);

  /** One secret of each kind, at every depth and in every container the bot handles. */
  function evidence() {
    return {
      summary: `explain for req-grant-1 used ${SEEDED_ADMIN_TOKEN}`, // 1 (pattern, depth 1)
      zone_id: ZONE_B,
      denied: [
        {
          evaluation_status: 'complete',
          diagnostics: [{ code: 'scope_not_granted', message: `payments:write not granted (caller ${SEEDED_SINK_SECRET})` }], // 2 (depth 4)
          metadata: {
            session_id: '[redacted]', // already redacted by Caracal: not counted
            client_secret: SEEDED_CLIENT_SECRET, // 3 (key)
            requested_scopes: ['payments:write'],
            upstream_request: JSON.stringify({ headers: { 'x-api-key': SEEDED_API_KEY }, body: { password: SEEDED_PASSWORD } }), // 4, 5 (JSON in a string)
            nested_twice: JSON.stringify({ inner: JSON.stringify({ Authorization: `Bearer ${SEEDED_BEARER_VALUE}` }) }), // 6 (JSON in JSON in a string)
          },
        },
      ],
      provider: {
        config_json: {
          default_headers: { Authorization: `Bearer ${SEEDED_BEARER_VALUE}`, 'Set-Cookie': ['a=1', 'b=2'] }, // 7, 8 (keys; array value counts once)
          description: `alerts via ${SEEDED_SLACK_TOKEN}`, // 9
          CLIENT_SECRET: 12345, // 10 (key, case-insensitive, non-string)
          token: null, // nothing to hide
          secret: false, // nothing to hide
        },
      },
      deep: { a: { b: { c: { d: { e: { f: { jwt: `mandate ${SEEDED_JWT}`, known: KNOWN } } } } } } }, // 11, 12
      error: new Error(`GET /v1/zones failed for Bearer ${SEEDED_BEARER_VALUE}`), // 13
    };
  }

  test('every seeded secret disappears and the count is exact', () => {
    const { value, count } = redact(evidence());
    const text = JSON.stringify(value);
    for (const s of [...SEEDED_SECRETS, KNOWN]) expect(text).not.toContain(s);
    expect(count).toBe(13);
    // What is not secret survives.
    expect(value.zone_id).toBe(ZONE_B);
    expect(value.denied[0]!.metadata.requested_scopes).toEqual(['payments:write']);
    expect(value.provider.config_json.token).toBeNull();
    expect(value.provider.config_json.secret).toBe(false);
    expect(JSON.parse(value.denied[0]!.metadata.upstream_request)).toEqual({ headers: { 'x-api-key': REDACTED }, body: { password: REDACTED } });
    expect((value.error as unknown as { message: string }).message).toBe(`GET /v1/zones failed for Bearer ${REDACTED}`);
  });

  test('the input is not mutated (and a frozen input works)', () => {
    const input = evidence();
    const before = JSON.stringify(input);
    redact(input);
    expect(JSON.stringify(input)).toBe(before);
    expect(() => redact(deepFreeze(evidence()))).not.toThrow();
  });

  test('redacting twice finds nothing more', () => {
    const once = redact(evidence());
    expect(redact(once.value).count).toBe(0);
  });

  test('cycles do not hang and still redact', () => {
    const a: Record<string, unknown> = { password: 'p4ssw0rd!' };
    a.self = a;
    a.list = [a, { token: SEEDED_ADMIN_TOKEN }];
    const { value, count } = redact(a);
    expect(count).toBe(2);
    expect(JSON.stringify(value)).not.toMatch(/p4ssw0rd|cat_/);
    expect((value as Record<string, unknown>).self).toBe('[circular]');
  });

  test('shared (non-cyclic) references are redacted in each place', () => {
    const shared = { token: 'abcdefgh1' };
    const { value, count } = redact({ x: shared, y: shared });
    expect(value).toEqual({ x: { token: REDACTED }, y: { token: REDACTED } });
    expect(count).toBe(2);
  });

  test('very deep values are cut off instead of overflowing the stack', () => {
    let v: Record<string, unknown> = { note: `Bearer ${SEEDED_BEARER_VALUE}` };
    for (let i = 0; i < 5000; i++) v = { next: v };
    const { value } = redact(v);
    expect(JSON.stringify(value)).not.toContain(SEEDED_BEARER_VALUE);
  });

  test('primitives pass through', () => {
    expect(redact(42)).toEqual({ value: 42, count: 0 });
    expect(redact(null)).toEqual({ value: null, count: 0 });
    expect(redact(`x ${SEEDED_JWT}`)).toEqual({ value: `x ${REDACTED}`, count: 1 });
  });
});

test('nothing the simulator leaks survives redaction of real client output', async () => {
  const sim = await startSimulator();
  // As in production: the configured credentials are known secrets (src/app/config.ts knownSecrets()).
  const { redact } = createRedactor([sim.tokens.globalRead, sim.metricsBearer, sim.coordinatorToken]);
  try {
    for (const name of ['healthy_allow', 'grant_missing']) {
      sim.setScenario(name);
      const c = createCaracalClient(configFor(sim));
      try {
        const collected = {
          trace: await c.explain(ZONE_B, sim.scenario.input.requestId),
          rows: await c.auditForRequest(ZONE_B, sim.scenario.input.requestId),
          provider: await c.getProvider(ZONE_B, '01a21de6-cb2f-7618-ba50-41377cfc4183'),
          config: configFor(sim),
        };
        const raw = JSON.stringify(collected);
        const leaked = SEEDED_SECRETS.filter((s) => raw.includes(s));
        expect(leaked.length).toBeGreaterThan(0);
        const { value, count } = redact(collected);
        const out = JSON.stringify(value);
        for (const s of [...SEEDED_SECRETS, sim.tokens.globalRead, sim.metricsBearer, sim.coordinatorToken]) expect(out).not.toContain(s);
        expect(count).toBeGreaterThanOrEqual(leaked.length);
        expect(out).toContain(sim.scenario.input.requestId);
      } finally {
        await c.close();
      }
    }
  } finally {
    await sim.close();
  }
});
