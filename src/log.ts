/**
 * The process logger: pino (JSON lines) whose every record and message goes through the same
 * redactor as chat and CLI output, so a secret that slips into an error message (a Caracal
 * error_description, a Slack API error) never reaches the logs. Level from LOG_LEVEL
 * (default info; `silent` turns logging off).
 */
import pino, { type Logger } from 'pino';
import { createRedactor } from './bundle/redact';
import { knownSecrets } from './config/env';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function createLogger(
  name: string,
  env: Record<string, string | undefined> = process.env,
  destination: pino.DestinationStream = pino.destination(1),
): Logger {
  const redactor = createRedactor(knownSecrets(env));
  const wanted = (env.LOG_LEVEL ?? 'info').toLowerCase();
  const level = (LEVELS as readonly string[]).includes(wanted) ? wanted : 'info';
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
