/**
 * How the bot's processes stop: on the first SIGTERM or SIGINT they stop taking work and run
 * `stop` (web closes first, then workers finish what they hold, bounded), then exit 0; if `stop`
 * fails they exit 1. Whatever state Redis or a chat platform is in, the process is gone within
 * `hardTimeoutMs` (9 s: inside the 10 s we promise, and well inside an orchestrator's usual 30 s grace period), and
 * a second signal exits at once: an operator pressing Ctrl-C twice means it.
 */
import type { Logger } from 'pino';

export interface ShutdownOptions {
  /** Exit (code 1) this long after the first signal even if `stop` has not finished (default 9 s). */
  hardTimeoutMs?: number;
  exit?: (code: number) => void;
}

export function exitOnSignals(stop: () => Promise<void>, logger: Logger, opts: ShutdownOptions = {}): () => void {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      exit(1);
      return;
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: no new work; finishing what is running');
    const hard = setTimeout(() => {
      logger.error({ timeoutMs: opts.hardTimeoutMs ?? 9000 }, 'shutdown did not finish in time; exiting');
      exit(1);
    }, opts.hardTimeoutMs ?? 9000);
    stop().then(
      () => {
        clearTimeout(hard);
        logger.info('stopped');
        exit(0);
      },
      (e: unknown) => {
        clearTimeout(hard);
        logger.error({ err: e }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}
