/**
 * Reads the Dockerfile and .dockerignore the way Docker does, for the instructions this project
 * uses, so a test can check the image by construction and rebuild its file tree without an engine.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Instruction {
  op: string;
  args: string;
  line: number;
}

export interface Stage {
  /** The image as written (`${NODE_IMAGE}`); resolveImage substitutes the build arguments. */
  image: string;
  name: string | null;
  instructions: Instruction[];
}

export interface BuildArg {
  name: string;
  /** null when declared without a default. */
  default: string | null;
}

export interface Dockerfile {
  /** ARGs before the first FROM: usable in FROM lines (and in a stage that declares them again). */
  globalArgs: BuildArg[];
  stages: Stage[];
}

/** `NAME` or `NAME=default` (an ARG line). */
export function parseArg(args: string): BuildArg {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(args.trim());
  if (!m) throw new Error(`cannot read ARG ${args}`);
  return { name: m[1], default: m[2] === undefined ? null : unquote(m[2]) };
}

function unquote(v: string): string {
  return /^".*"$/.test(v) ? (JSON.parse(v) as string) : v;
}

/** Stages in order, and the ARGs before them; continuation lines are joined, comments and blank lines dropped. */
export function parseDockerfile(text: string): Dockerfile {
  const stages: Stage[] = [];
  const globalArgs: BuildArg[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i];
    if (/^\s*(#|$)/.test(line)) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i].trimStart();
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`Dockerfile line ${start + 1}: cannot read "${line}"`);
    const op = m[1].toUpperCase();
    const args = m[2].trim();
    if (op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!f) throw new Error(`Dockerfile line ${start + 1}: cannot read FROM ${args}`);
      stages.push({ image: f[1], name: f[2] ?? null, instructions: [] });
    } else if (stages.length === 0) {
      if (op !== 'ARG') throw new Error(`Dockerfile line ${start + 1}: ${op} before FROM`);
      globalArgs.push(parseArg(args));
    } else {
      stages[stages.length - 1].instructions.push({ op, args, line: start + 1 });
    }
  }
  return { globalArgs, stages };
}

export function readDockerfile(root: string): Dockerfile {
  return parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
}

/** `$NAME` and `${NAME}` replaced from `vars` (unset: empty, as Docker does). */
export function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_m, a?: string, b?: string) => vars[(a ?? b) as string] ?? '');
}

/** The global ARGs' values: their defaults, overridden by `--build-arg`s. */
export function globalArgValues(file: Dockerfile, buildArgs: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of file.globalArgs) {
    const v = buildArgs[a.name] ?? a.default;
    if (v !== null) out[a.name] = v;
  }
  return out;
}

/** The image a stage is built FROM, given the `--build-arg`s. */
export function resolveImage(file: Dockerfile, stage: Stage, buildArgs: Record<string, string> = {}): string {
  return substitute(stage.image, globalArgValues(file, buildArgs));
}

/**
 * The variables a stage's instructions see, in order of declaration: a global ARG declared
 * again without a default takes the global value; `--build-arg`s override defaults; ENV adds.
 */
export function stageVariables(file: Dockerfile, stage: Stage, buildArgs: Record<string, string> = {}): Record<string, string> {
  const globals = globalArgValues(file, buildArgs);
  const vars: Record<string, string> = {};
  for (const ins of stage.instructions) {
    if (ins.op === 'ARG') {
      const a = parseArg(ins.args);
      const v = buildArgs[a.name] ?? (a.default !== null ? substitute(a.default, vars) : globals[a.name]);
      if (v !== undefined) vars[a.name] = v;
    } else if (ins.op === 'ENV') {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(ins.args);
      if (m) vars[m[1]] = substitute(unquote(m[2]), vars);
    }
  }
  return vars;
}

/** `LABEL k="v" k2=v2 …` → its pairs (values unquoted, not yet substituted). */
export function parseLabels(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /\s*([A-Za-z0-9._-]+)=("(?:[^"\\]|\\.)*"|\S*)/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(args)) !== null) {
    out[m[1]] = unquote(m[2]);
    end = re.lastIndex;
  }
  if (args.slice(end).trim() !== '') throw new Error(`cannot read LABEL ${args}`);
  return out;
}

export interface Copy {
  from: string | null;
  sources: string[];
  dest: string;
}

export function parseCopy(args: string): Copy {
  const words = args.split(/\s+/);
  let from: string | null = null;
  while (words[0]?.startsWith('--')) {
    const flag = words.shift() as string;
    if (flag.startsWith('--from=')) from = flag.slice('--from='.length);
    else if (!flag.startsWith('--chown=') && !flag.startsWith('--chmod=')) throw new Error(`COPY flag ${flag} is not understood by this test`);
  }
  const dest = words.pop() as string;
  return { from, sources: words, dest };
}

/** Exec form (JSON array) of CMD, ENTRYPOINT or HEALTHCHECK … CMD. */
export function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`not an exec form: ${args}`);
  return parsed;
}

// ---- .dockerignore ------------------------------------------------------------------------------

function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (pattern.startsWith('**/', i)) {
      re += '(?:.*/)?';
      i += 2;
    } else if (pattern.startsWith('**', i)) {
      re += '.*';
      i += 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * Whether a context path (posix, relative) is sent to the builder: the last pattern that
 * matches the path or one of its parent directories decides, `!` re-includes.
 */
export function dockerignoreFilter(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negated = l.startsWith('!');
      const pattern = (negated ? l.slice(1) : l).replace(/^\/+/, '').replace(/\/+$/, '');
      return { negated, re: globToRegExp(pattern) };
    });
  return (path) => {
    const parts = path.split('/');
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let included = true;
    for (const r of rules) if (prefixes.some((p) => r.re.test(p))) included = r.negated;
    return included;
  };
}
