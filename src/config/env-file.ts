/**
 * `.env` files: every command reads `.env` in the working directory when it exists, or the file
 * `--env-file PATH` names (which must exist). The process environment wins over the file, so a
 * variable set on the command line or by the orchestrator is never overridden by a stale file.
 * Node's own `util.parseEnv` reads the format, so no dotenv dependency is needed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from './problems';
import type { Env } from './fields';

export interface EnvFileResult {
  env: Env;
  /** The file that was read, if any. */
  file: string | null;
  /** The variables the file supplied (those the environment did not already set). */
  fromFile: string[];
  /** The pid of the `demo --serve` that wrote the file (its first line says so), else null. */
  demoPid: number | null;
}

/** The line `demo --serve` starts its settings with; a stale file is recognised by it. */
export const DEMO_MARK_PREFIX = '# caracal-triage demo --serve, pid ';
const DEMO_MARK = /^# caracal-triage demo --serve, pid (\d+)/m;

export function withEnvFile(processEnv: Env, opts: { cwd: string; path?: string }): EnvFileResult {
  const file = opts.path ?? join(opts.cwd, '.env');
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (opts.path === undefined && code === 'ENOENT') return { env: processEnv, file: null, fromFile: [], demoPid: null };
    throw ConfigError.of('--env-file', `cannot read ${file} (${code ?? 'error'})`);
  }
  const fromFile = parseEnv(raw) as Env;
  const mark = DEMO_MARK.exec(raw);
  return {
    env: { ...fromFile, ...processEnv },
    file,
    fromFile: Object.keys(fromFile).filter((k) => processEnv[k] === undefined),
    demoPid: mark ? Number(mark[1]) : null,
  };
}
