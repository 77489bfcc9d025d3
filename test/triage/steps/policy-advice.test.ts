/**
 * Advice for the reasons Caracal's STS policy writes: every deny reason of its decision contract
 * gets its own fix, naming what to change and where; a reason the bot does not know is quoted
 * with no invented fix.
 */
import { policyAdvice } from '../../../src/triage/steps/grant-policy';

const CONTRACT_REASONS = [
  'restriction_active',
  'malformed_risk_data',
  'malformed_approval_data',
  'resource_not_granted',
  'delegation_scope_exceeded',
  'confinement_violation',
  'role_scope_mismatch',
  'mandate_target_mismatch',
  'no_rule_matched',
];

test.each(CONTRACT_REASONS)('%s has advice of its own', (reason) => {
  const advice = policyAdvice(reason, 'Anton', 'resource://payments');
  expect(advice).not.toMatch(/does not know/);
  expect(advice.length).toBeGreaterThan(60);
});

test('advice differs per reason: no two reasons share a sentence', () => {
  const all = CONTRACT_REASONS.map((r) => policyAdvice(r, 'Anton', 'resource://payments'));
  expect(new Set(all).size).toBe(all.length);
});

test('resource_not_granted points at the policy data, not at grants', () => {
  expect(policyAdvice('resource_not_granted', 'Anton', 'resource://payments')).toMatch(/bind the application to the resource .* in the policy set's data .*a grant alone does not change/);
});

test('a reason the bot does not know is quoted, with no guessed fix', () => {
  expect(policyAdvice('scope_not_granted', 'Anton', 'resource://payments')).toBe("This bot does not know what `scope_not_granted` asks for; read the rule in the active policy set that writes it.");
});
