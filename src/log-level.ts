/**
 * LOG_LEVEL: the logger's one setting (every process reads it, the terminal too). Apart from
 * src/log.ts so that reading settings does not load pino.
 */
import { type Env, oneOf, parseEnvGroup } from './config/fields';
import type { Parsed } from './config/problems';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const logShape = { LOG_LEVEL: oneOf(LOG_LEVELS, { default: 'info' }) };

export function parseLogLevel(env: Env): Parsed<LogLevel> {
  const r = parseEnvGroup(logShape, env);
  return r.ok ? { ok: true, value: r.value.LOG_LEVEL! } : r;
}
