/** Platform-free command layer: grammar, explanations and signed button payloads. */
export * from './command';
export { parseCommand, helpText, showInput } from './grammar';
export { normaliseErrorText, plainQuotes } from './error-body';
export { idsFromText } from './ids-from-text';
export {
  signButton,
  verifyButton,
  BUTTON_ACTIONS,
  BUTTON_REJECTION_MESSAGES,
  DEFAULT_BUTTON_TTL_SECONDS,
  type ButtonAction,
  type ButtonClaim,
  type ButtonRejection,
  type VerifyButtonResult,
} from './button-token';
export { eventFromClaim } from './button-event';
