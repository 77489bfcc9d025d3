export { buildStatusCard, ACTION_PREFIX, type CardOptions } from './card';
export { buildStepMessage, type MessageWithFile, type RenderOptions } from './step-message';
export { buildBundleMessage } from './bundle-message';
export { buildStepsMessage } from './steps-message';
export { buildNoticeMessage } from './followup';
export { validateMessage, LIMITS, BlockLimitError, type SlackMessage } from './limits';
export { esc, escFit, code, codeBlock, sentence, sentenceFit } from './mrkdwn';
export type { FileAttachment } from './attachment';
