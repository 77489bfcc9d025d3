/**
 * Exit codes shared by every command, the same convention as Caracal's provider preflight:
 * 0 nothing failed, 1 a failing surface was found, 2 the command could not run.
 */
export const EXIT_OK = 0;
export const EXIT_FINDING = 1;
export const EXIT_CANNOT_RUN = 2;

/** An error that ends the command with exit 2 and one line on stderr. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
