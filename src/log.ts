/**
 * The process logger: pino (JSON lines) whose every record and message goes through the same
 * redactor as chat and CLI output, so a secret that slips into an error message (a Caracal
 * error_description, a Slack API error) never reaches the logs. Level from LOG_LEVEL
 * (default info; `silent` turns logging off).
 */
import pino, { type Logger } from 'pino';
import { createRedactor } from './redact/redact';
import type { LogLevel } from './config/runtime';

export interface LoggerOptions {
  /** LOG_LEVEL, already validated (src/config/runtime.ts). */
  level: LogLevel;
  /** Secret values to redact besides the pattern rules (the AppConfig's `secrets`). */
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
