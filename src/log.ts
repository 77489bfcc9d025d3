/**
 * The process logger: pino (JSON lines) whose every record and message goes through the same
 * redactor as chat and CLI output, so a secret that slips into an error message (a Caracal
 * error_description, a chat platform's API error) never reaches the logs. Level from LOG_LEVEL
 * (default info; `silent` turns logging off).
 */
import pino, { type Logger } from 'pino';
import type { LogLevel } from './log-level';
import { createRedactor } from './redact/redact';

export { LOG_LEVELS, parseLogLevel, type LogLevel } from './log-level';

export interface LoggerOptions {
  /** LOG_LEVEL, already validated (parseLogLevel). */
  level: LogLevel;
  /** Secret values to redact besides the pattern rules (the process configuration's `secrets`, src/app/config.ts). */
  secrets: string[];
}

export function createLogger(name: string, opts: LoggerOptions, destination: pino.DestinationStream = pino.destination(1)): Logger {
  const redactor = createRedactor(opts.secrets);
  const level = opts.level;
  // Errors carry their text in non-enumerable fields; make them plain (with the stack) so the
  // redactor sees, and the log keeps, message and stack.
  const plainError = (e: Error): Record<string, unknown> => ({ type: e.name, message: e.message, stack: e.stack ?? '', ...(e as { code?: unknown }).code !== undefined ? { code: (e as { code?: unknown }).code } : {} });
  const plain = (record: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(record).map(([k, v]) => [k, v instanceof Error ? plainError(v) : v]));
  return pino(
    {
      name,
      level,
      formatters: {
        log: (record) => redactor.redact(plain(record)).value,
      },
      hooks: {
        logMethod(args, method) {
          const clean = args.map((a) => (typeof a === 'string' ? redactor.redactText(a).text : a instanceof Error ? { err: plainError(a) } : a));
          if (args[0] instanceof Error && clean.length === 1) clean.push(redactor.redactText(args[0].message).text);
          return method.apply(this, clean as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

/**
 * BullMQ warns about an evicting Redis with a `console.warn` per connection ("IMPORTANT!
 * Eviction policy is …", platform-notes §11.6) and offers no logger hook: a plain-text line in
 * a JSON log. While installed, those lines become one warning record in `logger` (the first
 * time; repeats are dropped); anything else passes through. Returns the uninstaller.
 */
export function routeLibraryWarnings(logger: Logger): () => void {
  const original = console.warn;
  let said = false;
  const filtered = (...args: unknown[]): void => {
    const first = typeof args[0] === 'string' ? args[0] : '';
    const eviction = /^IMPORTANT! Eviction policy is (\S+)\. It should be "noeviction"/.exec(first);
    if (!eviction) return original.apply(console, args as []);
    if (said) return;
    said = true;
    logger.warn({ source: 'bullmq', maxmemoryPolicy: eviction[1] }, 'Redis evicts keys when memory runs out: triages, jobs and audit entries can vanish (REDIS_ALLOW_EVICTION=true accepted it)');
  };
  console.warn = filtered;
  return () => {
    if (console.warn === filtered) console.warn = original;
  };
}
