import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SYMPTOMS } from '../../src/triage/model';
import { SYMPTOM_SURFACE, recognizesNothing, routeError, surfaceForSymptom } from '../../src/triage/routing';

const observedErrors = JSON.parse(readFileSync(join(__dirname, '../fixtures/api-errors.observed.json'), 'utf8')) as Record<string, unknown>;

describe('symptom → surface (the seed table)', () => {
  it.each([
    ['config_error', 'configuration'],
    ['unauthenticated', 'authentication'],
    ['token_exchange_denied', 'sts_policy'],
    ['resource_denied', 'resource_verifier'],
    ['scope_insufficient_after_allow', 'resource_definition'],
    ['no_audit_event', 'audit_pipeline'],
    ['access_after_revocation', 'revocation'],
  ] as const)('%s routes to %s', (symptom, surface) => {
    expect(surfaceForSymptom(symptom)).toBe(surface);
  });

  it('covers every symptom', () => {
    expect(Object.keys(SYMPTOM_SURFACE).sort()).toEqual([...SYMPTOMS].sort());
  });
});

describe('routeError: approvals refused at STS', () => {
  it.each([
    ['401 {"error":"access_denied","error_description":"approval expired"}'],
    ['{"error":"access_denied","error_description":"approval not found or bindings do not match","requestId":"r-1"}'],
    ['409 access_denied: approval is not pending'],
  ])('%s is the exchange being denied, not bad credentials', (input) => {
    expect(routeError(input)).toMatchObject({ symptom: 'token_exchange_denied', surfaceHint: 'sts_policy', code: 'access_denied' });
  });

  it('a 401 access_denied about client credentials stays an authentication failure', () => {
    expect(routeError('401 {"error":"access_denied","error_description":"invalid client credentials"}')).toMatchObject({ symptom: 'unauthenticated', surfaceHint: 'authentication' });
  });

  it('the client-authentication body alone is STS’s 401 (it sends that description with no other status)', () => {
    for (const body of ['{"error":"access_denied","error_description":"invalid client credentials"}', '{"error":"access_denied","error_description":"invalid workload credentials","requestId":"r-9"}']) {
      expect(routeError(body)).toMatchObject({ symptom: 'unauthenticated', surfaceHint: 'authentication', code: 'access_denied', status: null });
    }
    expect(routeError('{"error":"access_denied","error_description":"invalid client credentials"}').reason).toContain('only with 401');
  });

  it('an explicit 403 with that text still routes by its status', () => {
    expect(routeError('403 {"error":"access_denied","error_description":"invalid client credentials"}').symptom).toBe('token_exchange_denied');
  });
});

describe('routeError: codes and statuses', () => {
  it.each([
    // input, symptom, surface hint
    ['config_missing', 'config_error', 'configuration'],
    ['config_invalid', 'config_error', 'configuration'],
    ['access_denied', 'token_exchange_denied', 'sts_policy'],
    ['403 access_denied', 'token_exchange_denied', 'sts_policy'],
    ['401 access_denied', 'unauthenticated', 'authentication'],
    ['401', 'unauthenticated', 'authentication'],
    ['401 invalid_token', 'unauthenticated', 'authentication'],
    ['403 invalid_token', 'resource_denied', 'resource_verifier'],
    ['invalid_token', 'resource_denied', 'resource_verifier'],
    ['403 scope_insufficient', 'resource_denied', 'resource_verifier'],
    ['403 insufficient_scope', 'resource_denied', 'resource_verifier'],
    ['session_required', 'resource_denied', 'resource_verifier'],
    ['delegation_required', 'resource_denied', 'resource_verifier'],
    ['chain_mismatch', 'resource_denied', 'resource_verifier'],
    ['hop_count_exceeded', 'resource_denied', 'resource_verifier'],
    ['401 invalid_zone', 'resource_denied', 'resource_verifier'],
    ['401 session_revoked', 'resource_denied', 'resource_verifier'],
    ['401 delegation_stale', 'resource_denied', 'resource_verifier'],
    ['403 operation_not_permitted', 'resource_denied', 'resource_definition'],
    ['401 credential_expired_not_renewable', 'unauthenticated', 'authentication'],
    ['403 credential_expired_not_renewable', 'token_exchange_denied', 'sts_policy'],
    ['404 resource_not_found', 'token_exchange_denied', 'configuration'],
    ['401 invalid_admin_token', 'unauthenticated', 'authentication'],
    ['403 policy_eval_failed', 'token_exchange_denied', 'sts_policy'],
    ['409 approval_consumed', 'token_exchange_denied', 'sts_policy'],
  ] as const)('%s → %s (%s)', (input, symptom, surface) => {
    const r = routeError(input);
    expect(r.symptom).toBe(symptom);
    expect(r.surfaceHint).toBe(surface);
    expect(r.reason.length).toBeGreaterThan(10);
  });

  it.each(['sts_unavailable', '503 sts_unavailable', 'internal_error', '500', '502', '503 policy_eval_failed', '502 http_request_failed'])(
    '%s has no symptom and points at infrastructure',
    (input) => {
      const r = routeError(input);
      expect(r.symptom).toBeNull();
      expect(r.surfaceHint).toBe('infrastructure');
    },
  );

  it('401 interaction_required is an approval hold, not an authentication failure', () => {
    const r = routeError('401 interaction_required');
    expect(r.symptom).toBeNull();
    expect(r.surfaceHint).toBe('sts_policy');
    expect(r.reason).toMatch(/approval/i);
  });

  it('a bare 403 does not guess between STS and the resource', () => {
    const r = routeError('403');
    expect(r.status).toBe(403);
    expect(r.symptom).toBeNull();
    expect(r.reason).toMatch(/access_denied/);
  });

  it('admin token capability errors point at authentication without a user symptom', () => {
    const r = routeError('403 admin_token_read_only');
    expect(r.symptom).toBeNull();
    expect(r.surfaceHint).toBe('authentication');
  });

  it('keeps the code and status it read', () => {
    expect(routeError('403 access_denied')).toMatchObject({ code: 'access_denied', status: 403 });
    expect(routeError('access_denied')).toMatchObject({ code: 'access_denied', status: null });
    expect(routeError('HTTP/1.1 401 Unauthorized')).toMatchObject({ code: null, status: 401, symptom: 'unauthenticated' });
  });
});

describe('routeError: where the code differs from the docs', () => {
  it('access_denied with policy denied (scope_mismatch) is an STS denial about the scope', () => {
    const r = routeError('access_denied: policy denied (scope_mismatch)');
    expect(r).toMatchObject({ symptom: 'token_exchange_denied', surfaceHint: 'resource_definition', code: 'access_denied', policyReason: 'scope_mismatch' });
    expect(r.reason).toMatch(/scope/);
  });

  it('the STS mint limit is access_denied with reason rate_limited, not provider_rate_limited', () => {
    const r = routeError('403 access_denied: policy denied (rate_limited)');
    expect(r).toMatchObject({ symptom: 'token_exchange_denied', policyReason: 'rate_limited' });
    expect(r.reason).toMatch(/mint limit/);
  });

  it('a message with only `policy denied (X)` is still an STS access_denied', () => {
    expect(routeError('policy denied (resource_not_found)')).toMatchObject({ code: 'access_denied', symptom: 'token_exchange_denied', surfaceHint: 'configuration' });
  });

  it('an audit evaluation_status pasted alone routes like the policy reason', () => {
    expect(routeError('scope_mismatch')).toMatchObject({ symptom: 'token_exchange_denied', policyReason: 'scope_mismatch' });
  });

  it('a 401 access_denied stays authentication even with a policy message', () => {
    expect(routeError('401 access_denied: policy denied (approval_expired)').symptom).toBe('unauthenticated');
  });
});

describe('routeError: pasted bodies', () => {
  it('reads the JSON envelope including its request ID, so a body alone can start a triage', () => {
    const body = JSON.stringify({
      error: 'access_denied',
      error_description: 'policy denied (scope_mismatch)',
      requestId: '0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b',
    });
    expect(routeError(body)).toMatchObject({
      symptom: 'token_exchange_denied',
      code: 'access_denied',
      requestId: '0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b',
      policyReason: 'scope_mismatch',
    });
  });

  it('reads a status line in front of a JSON body', () => {
    const r = routeError('HTTP 401\n{"error":"invalid_token","error_description":"token expired 403 seconds ago","requestId":"r-1"}');
    expect(r).toMatchObject({ status: 401, code: 'invalid_token', symptom: 'unauthenticated', requestId: 'r-1' });
  });

  it('reads the Coordinator request_id spelling', () => {
    expect(routeError('{"error":"invalid_request","message":"bad key","request_id":"abc:1"}').requestId).toBe('abc:1');
  });

  it('reads an interaction_required body with its approval fields', () => {
    const r = routeError(
      JSON.stringify({ error: 'interaction_required', approval_id: 'ap-1', approval_type: 'step_up', state: 'pending', binding: 'ab', requestId: 'rq-9', status: 401 }),
    );
    expect(r).toMatchObject({ code: 'interaction_required', status: 401, requestId: 'rq-9', symptom: null });
  });

  it('reads a WWW-Authenticate header', () => {
    expect(routeError('WWW-Authenticate: Bearer realm="caracal", error="insufficient_scope", scope="payments:write"')).toMatchObject({
      code: 'insufficient_scope',
      symptom: 'resource_denied',
    });
    expect(routeError('401 Unauthorized\nWWW-Authenticate: Bearer error="invalid_token", error_description="expired"')).toMatchObject({
      code: 'invalid_token',
      status: 401,
      symptom: 'unauthenticated',
    });
  });

  it('reads an SDK message with (request_id=…)', () => {
    const r = routeError('CaracalError: access_denied: policy denied (scope_mismatch) (request_id=0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b)');
    expect(r.requestId).toBe('0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b');
    expect(r.symptom).toBe('token_exchange_denied');
  });

  it('reads the "<code>: <description>" line a Caracal verifier answers with (an MCP server protected by Caracal), which carries no request ID', () => {
    expect(routeError('insufficient_scope: Required scope is missing')).toMatchObject({ code: 'insufficient_scope', symptom: 'resource_denied', surfaceHint: 'resource_verifier', requestId: null });
    expect(routeError('agent_required: Agent identity required')).toMatchObject({ code: 'agent_required', symptom: 'resource_denied', surfaceHint: 'resource_verifier' });
    expect(routeError('session_revoked: Session revoked')).toMatchObject({ code: 'session_revoked', surfaceHint: 'resource_verifier' });
  });

  it('takes the code in front of such a line as the code, not a known code word in its description', () => {
    // Before, the first known word won: `invalid_token` from the description.
    const r = routeError('mandate_rejected: upstream said invalid_token');
    expect(r).toMatchObject({ code: null, symptom: null });
    expect(r.reason).toContain('`mandate_rejected` is not an error code Caracal emits');
    // An SDK message is the same form: its code and policy reason still route as before.
    expect(routeError('access_denied: policy denied (scope_mismatch)')).toMatchObject({ code: 'access_denied', policyReason: 'scope_mismatch', surfaceHint: 'resource_definition' });
    // A request-ID label is not a code.
    expect(routeError('request_id: req-123')).toMatchObject({ requestId: 'req-123' });
  });

  it('routes every observed API error body without throwing', () => {
    for (const body of Object.values(observedErrors)) {
      const r = routeError(JSON.stringify(body));
      expect(r.code).toBe((body as { error: string }).error);
    }
    const redisDown = routeError(JSON.stringify(observedErrors['GET /ready with Redis down 500 (API and Coordinator)']));
    expect(redisDown).toMatchObject({ surfaceHint: 'infrastructure', requestId: 'e6b83528-6573-4482-91c8-5cf56dfeff54' });
  });
});

describe('routeError: input it cannot route', () => {
  it.each([
    ['empty text', ''],
    ['blank text', '   '],
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['an object instead of text', { error: 'access_denied' }],
    ['70 kB of text', 'x'.repeat(70_000)],
  ])('%s gives symptom null with a reason', (_label, input) => {
    const r = routeError(input);
    expect(r.symptom).toBeNull();
    expect(r.reason).toMatch(/Cannot route/);
  });

  it('an unknown code is named in the reason', () => {
    const r = routeError('totally_made_up');
    expect(r.symptom).toBeNull();
    expect(r.code).toBeNull();
    expect(r.reason).toContain('totally_made_up');
  });

  it('an unknown code with a status falls back to the status', () => {
    expect(routeError('401 made_up_code')).toMatchObject({ symptom: 'unauthenticated', code: null, status: 401 });
  });

  it('free text without a code or status', () => {
    const r = routeError('it broke this morning');
    expect(r.symptom).toBeNull();
    expect(r.reason).toMatch(/No Caracal error code/);
  });

  it('recognizesNothing: true only when no code, status, policy reason or request ID was found', () => {
    expect(recognizesNothing(routeError('garbage words'))).toBe(true);
    expect(recognizesNothing(routeError('totally_made_up'))).toBe(true);
    expect(recognizesNothing(routeError('503'))).toBe(false);
    expect(recognizesNothing(routeError('access_denied'))).toBe(false);
    expect(recognizesNothing(routeError('see request_id=req-1'))).toBe(false);
    expect(recognizesNothing(routeError('scope_mismatch'))).toBe(false);
  });

  it('a long unknown word is cut in the reason', () => {
    const r = routeError(`${'a_'.repeat(300)}b`);
    expect(r.reason.length).toBeLessThan(140);
    expect(r.reason).toContain('…');
  });

  it('a broken JSON body does not throw', () => {
    expect(() => routeError('{"error":"access_denied",')).not.toThrow();
    expect(routeError('{"error":"access_denied",').code).toBe('access_denied');
  });
});
