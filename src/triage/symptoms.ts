/**
 * What the caller saw, as the CLI's `--symptom` and the chat command name it. A leaf of its own
 * (no zod) so the binary's argument parser can list the choices without loading the triage model.
 */
export const SYMPTOMS = [
  'config_error',
  'unauthenticated',
  'token_exchange_denied',
  'resource_denied',
  'scope_insufficient_after_allow',
  'no_audit_event',
  'access_after_revocation',
] as const;
