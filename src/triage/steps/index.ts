/** The eight denied-call steps in walking order. */
import type { EvidenceKey } from '../evidence-model';
import type { StepId } from '../model';
import { auditTraceStep } from './audit-trace';
import { configurationStep } from './configuration';
import { gatewayVerifierStep } from './gateway-verifier';
import { grantPolicyStep } from './grant-policy';
import { policySetActivationStep } from './policy-set-activation';
import { readinessStep } from './readiness';
import { requestTraceStep } from './request-trace';
import { requestedScopesStep } from './requested-scopes';
import type { StepDefinition } from './step';

export const STEPS: Record<StepId, StepDefinition<EvidenceKey>> = {
  readiness: readinessStep as StepDefinition<EvidenceKey>,
  configuration: configurationStep as StepDefinition<EvidenceKey>,
  request_trace: requestTraceStep as StepDefinition<EvidenceKey>,
  grant_policy: grantPolicyStep as StepDefinition<EvidenceKey>,
  policy_set_activation: policySetActivationStep as StepDefinition<EvidenceKey>,
  requested_scopes: requestedScopesStep as StepDefinition<EvidenceKey>,
  gateway_verifier: gatewayVerifierStep as StepDefinition<EvidenceKey>,
  audit_trace: auditTraceStep as StepDefinition<EvidenceKey>,
};
