export { createSlackApp, SLACK_EVENTS_PATH, type SlackApp, type CreateSlackAppOptions } from './app';
export { SlackChatPort, type SlackChatPortOptions } from './port';
export { loadSlackConfig, type SlackConfig } from './config';
export { buildStatusCard, buildStepMessage, buildBundleMessage } from './render';
export { slackPortFromEnv } from './port-from-env';
