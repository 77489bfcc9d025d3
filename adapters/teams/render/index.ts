export { buildStatusCard, type CardOptions } from './card';
export { buildStepMessage, buildStepsMessage, EVIDENCE_BYTES } from './step-message';
export { buildBundleMessage } from './bundle-message';
export { buildNoticeMessage } from './followup';
export { AdaptiveCardSchema, ButtonData, CARD_CONTENT_TYPE, CardLimitError, LIMITS, cardBytes, validateCard, type AdaptiveCard } from './card-schema';
export { outsideText, fitOutside, visible, sentence, fitSentence } from './escape';
export { VERB_PREFIX, cliCommand } from './parts';
export { buildReplacedCard } from './replaced';
