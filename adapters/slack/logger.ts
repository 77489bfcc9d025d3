/**
 * Bolt and the Slack WebClient log through @slack/logger's interface; this routes them into
 * pino so there is one log stream. Slack's SDK logs at debug what we never want in
 * production logs (request bodies), so the default level here is warn.
 */
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from 'pino';

const LEVELS: Record<LogLevel, number> = { [LogLevel.DEBUG]: 20, [LogLevel.INFO]: 30, [LogLevel.WARN]: 40, [LogLevel.ERROR]: 50 };

const text = (msg: unknown[]): string => msg.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' ');

/** `base` carries no `component` yet: this logger sets it (`slack`, or `slack.<name>` after setName). */
export function slackLogger(base: Logger, level: LogLevel = LogLevel.WARN): SlackLogger {
  let current = level;
  let log = base.child({ component: 'slack' });
  const at = (l: LogLevel, fn: (s: string) => void) => (...msg: unknown[]) => {
    if (LEVELS[l] >= LEVELS[current]) fn(text(msg));
  };
  return {
    debug: at(LogLevel.DEBUG, (s) => log.debug(s)),
    info: at(LogLevel.INFO, (s) => log.info(s)),
    warn: at(LogLevel.WARN, (s) => log.warn(s)),
    error: at(LogLevel.ERROR, (s) => log.error(s)),
    setLevel: (l) => {
      current = l;
    },
    getLevel: () => current,
    setName: (name) => {
      log = base.child({ component: `slack.${name}` });
    },
  };
}
