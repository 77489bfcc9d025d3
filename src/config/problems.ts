/**
 * Configuration problems. Every group of settings is checked in full and reports each bad
 * variable once, so an operator fixes them all in one go instead of one restart per mistake.
 */
export interface ConfigProblem {
  /** The environment variable (or CLI flag) at fault. */
  variable: string;
  /** What is wrong and an example of right, e.g. `must be a whole number of milliseconds, e.g. 5000`. */
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: ConfigProblem[] };

/** Thrown where configuration cannot be used: the CLI prints one `caracal-triage: VAR: message` line per problem and exits 2. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: ConfigProblem[] | ConfigProblem) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.map((p) => `${p.variable}: ${p.message}`).join('\n'));
    this.name = 'ConfigError';
    this.problems = list;
  }

  /** The first variable at fault. */
  get variable(): string {
    return this.problems[0]?.variable ?? 'environment';
  }

  /** One problem (the shape older call sites use). */
  static of(variable: string, message: string): ConfigError {
    return new ConfigError({ variable, message });
  }
}

/** The value, or throw every problem at once. */
export function orThrow<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new ConfigError(parsed.problems);
  return parsed.value;
}

/** Combine groups: all values when every group is fine, else every problem of every group. */
export function combine<T extends Record<string, Parsed<unknown>>>(groups: T): Parsed<{ [K in keyof T]: T[K] extends Parsed<infer V> ? V : never }> {
  const problems = Object.values(groups).flatMap((g) => (g.ok ? [] : g.problems));
  if (problems.length) return { ok: false, problems };
  return { ok: true, value: Object.fromEntries(Object.entries(groups).map(([k, g]) => [k, (g as { value: unknown }).value])) as never };
}
