/**
 * The image, checked by construction (no Docker engine here): its base (a build argument that
 * takes a digest), its layers (dependencies before sources), its OCI labels, what each stage
 * runs and copies, its user, healthcheck and entry point; then its build replayed in a temp folder,
 * instruction by instruction (the context filtered by .dockerignore, the build stage's RUN
 * commands, the runtime stage's COPY), and the resulting tree run: `--help` and `demo`.
 *
 * The build stage's `npm ci` is the checkout's own: the same command on the same package.json
 * and package-lock.json, which every run of this suite follows (a fresh clone, .ci/run). So the
 * replay does not download and unpack its 500-odd packages again (a minute of the suite): it
 * checks that the checkout's node_modules is exactly that install (npm's record of it matches
 * the lockfile), hard-links it into the stage, and runs what `npm ci` runs after installing (the
 * root package's lifecycle scripts: `prepare`, which builds), none with `--ignore-scripts` as the
 * Dockerfile has it (the stage builds with its own `npm run build`). `npm prune` then runs for real.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative } from 'node:path';
import { ROOT } from './helm';
import { dockerignoreFilter, execForm, parseCopy, parseLabels, readDockerfile, resolveImage, stageVariables, substitute, type Stage } from './dockerfile';

const dockerfile = readDockerfile(ROOT);
const { stages } = dockerfile;
const [build, runtime] = stages;
const ops = (s: Stage, op: string) => s.instructions.filter((i) => i.op === op);
const last = (s: Stage, op: string) => ops(s, op).at(-1)?.args;
const included = dockerignoreFilter(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; description: string; license: string; scripts: Record<string, string> };

/** A docker image reference: name[:tag][@sha256:<64 hex>]. */
const IMAGE_REFERENCE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/;

describe('Dockerfile by construction', () => {
  test('two stages, both on Node 24 (current LTS) bookworm-slim by default, from one build argument', () => {
    expect(stages.map((s) => s.image)).toEqual(['${NODE_IMAGE}', '${NODE_IMAGE}']);
    expect(stages.map((s) => resolveImage(dockerfile, s))).toEqual(['node:24-bookworm-slim', 'node:24-bookworm-slim']);
    expect(build.name).toBe('build');
  });

  test('the base can be pinned by digest with --build-arg NODE_IMAGE=…@sha256:…, for both stages at once', () => {
    const pinned = `node:24-bookworm-slim@sha256:${'0123456789abcdef'.repeat(4)}`;
    const images = stages.map((s) => resolveImage(dockerfile, s, { NODE_IMAGE: pinned }));
    expect(images).toEqual([pinned, pinned]);
    for (const image of images) expect(image).toMatch(IMAGE_REFERENCE);
    expect(resolveImage(dockerfile, build)).toMatch(IMAGE_REFERENCE);
  });

  test('dependencies are installed from package.json and the lockfile alone, so a code change reuses that layer', () => {
    const install = build.instructions.findIndex((i) => i.op === 'RUN' && /^npm ci\b/.test(i.args));
    expect(install).toBeGreaterThan(0);
    const copiedBefore = build.instructions.slice(0, install).filter((i) => i.op === 'COPY').flatMap((i) => parseCopy(i.args).sources);
    expect(copiedBefore.sort()).toEqual(['package-lock.json', 'package.json']);
    const copiedAfter = build.instructions.slice(install + 1).filter((i) => i.op === 'COPY').flatMap((i) => parseCopy(i.args).sources);
    for (const source of ['src', 'adapters', 'sim', 'tsconfig.json', 'tsconfig.build.json']) expect(copiedAfter).toContain(source);
  });

  test('the build stage installs exactly the lockfile (npm ci), builds as the prepare script would, then prunes dev dependencies', () => {
    const runs = ops(build, 'RUN').map((r) => r.args);
    // The prepare script needs the sources, which the install layer does not have: it is skipped
    // there (--ignore-scripts) and run by name once they are copied.
    expect(runs).toEqual(['npm ci --no-audit --no-fund --ignore-scripts', 'npm run build', 'npm prune --omit=dev --no-audit --no-fund']);
    expect(readFileSync(join(ROOT, '.ci', 'run'), 'utf8')).toMatch(/^\s*npm ci --no-audit --no-fund\s*$/m);
    expect(pkg.scripts.prepare).toBe('npm run build');
    expect(pkg.scripts.build).toBe('tsc -p tsconfig.build.json');
    // Nothing else the install would have run: no preinstall/install/postinstall of the package itself.
    expect(Object.keys(pkg.scripts).filter((k) => /^(pre|post)?install$/.test(k))).toEqual([]);
  });

  test('the image carries the OCI labels, from package.json and the build arguments', () => {
    const labels = Object.assign({}, ...ops(runtime, 'LABEL').map((l) => parseLabels(l.args))) as Record<string, string>;
    const resolved = (buildArgs: Record<string, string> = {}) => {
      const vars = stageVariables(dockerfile, runtime, buildArgs);
      return Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, substitute(v, vars)]));
    };
    expect(resolved()).toEqual({
      'org.opencontainers.image.title': pkg.name,
      'org.opencontainers.image.description': pkg.description,
      'org.opencontainers.image.licenses': pkg.license,
      'org.opencontainers.image.version': pkg.version,
      'org.opencontainers.image.revision': 'unknown',
      'org.opencontainers.image.source': '',
      'org.opencontainers.image.base.name': 'node:24-bookworm-slim',
    });
    const pinned = `node:24-bookworm-slim@sha256:${'ab'.repeat(32)}`;
    expect(resolved({ VERSION: '9.9.9', REVISION: 'c0ffee', SOURCE_URL: 'https://git.example.com/caracal-triage', NODE_IMAGE: pinned })).toMatchObject({
      'org.opencontainers.image.version': '9.9.9',
      'org.opencontainers.image.revision': 'c0ffee',
      'org.opencontainers.image.source': 'https://git.example.com/caracal-triage',
      'org.opencontainers.image.base.name': pinned,
    });
  });

  test('the build stage copies everything the build compiles, and the build compiles only what ships', () => {
    const tsBuild = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[]; extends: string };
    expect(tsBuild.include.sort()).toEqual(['adapters', 'sim', 'src']);
    const copied = ops(build, 'COPY').flatMap((c) => parseCopy(c.args).sources);
    for (const needed of [...tsBuild.include, 'package.json', 'package-lock.json', 'tsconfig.build.json', tsBuild.extends.replace(/^\.\//, '')]) expect(copied).toContain(needed);
  });

  test('no stage copies tests or benchmarks, and .dockerignore keeps them (and .env, node_modules, dist) out of the context', () => {
    for (const s of stages) for (const c of ops(s, 'COPY')) for (const src of parseCopy(c.args).sources) expect(src).not.toMatch(/^(\.\/)?(test|bench)(\/|$)/);
    for (const p of ['test/queue/harness.ts', 'bench/queue.ts', '.env', 'node_modules/zod/package.json', 'dist/src/cli/main.js', 'dist-bench/bench/queue.js', '.tools/helm-v4.1.4/helm', 'src/x.test.ts', 'deploy/helm/caracal-triage/values.yaml', '.git/config']) {
      expect({ path: p, sent: included(p) }).toEqual({ path: p, sent: false });
    }
    for (const p of ['src/cli/main.ts', 'adapters/slack/app.ts', 'sim/index.ts', 'bin/caracal-triage.js', 'package-lock.json']) expect({ path: p, sent: included(p) }).toEqual({ path: p, sent: true });
  });

  test('the runtime stage runs as the non-root node user, with the binary as entry point and `start` by default', () => {
    const user = last(runtime, 'USER');
    expect(user).toBe('node');
    const userLine = ops(runtime, 'USER').at(-1)?.line ?? Infinity;
    expect(userLine).toBeLessThan(ops(runtime, 'ENTRYPOINT')[0]?.line ?? -1);
    // `--` ends Node's own options: Node 20 takes a `--env-file` anywhere on its command line.
    expect(execForm(last(runtime, 'ENTRYPOINT') ?? '')).toEqual(['node', '--', 'bin/caracal-triage.js']);
    expect(execForm(last(runtime, 'CMD') ?? '')).toEqual(['start']);
    expect(stageVariables(dockerfile, runtime).NODE_ENV).toBe('production');
  });
});

/** The HEALTHCHECK's command, with /proc/1/cmdline (the container's main process) read from a file of ours. */
function healthcheckScript(cmdlineFile: string): string[] {
  const args = last(runtime, 'HEALTHCHECK') ?? '';
  const m = /^((?:--\S+\s+)*)CMD\s+(\[.*\])$/.exec(args);
  if (!m) throw new Error(`HEALTHCHECK is not in exec form: ${args}`);
  const argv = execForm(m[2]);
  expect(argv.slice(0, 2)).toEqual(['node', '-e']);
  expect(argv[2]).toContain("'/proc/1/cmdline'");
  return [process.execPath, '-e', argv[2].replace("'/proc/1/cmdline'", JSON.stringify(cmdlineFile))];
}

function run(argv: string[], opts: { cwd?: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

describe('HEALTHCHECK', () => {
  let dir: string;
  let server: Server;
  let status = 200;
  let port = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'healthcheck-'));
    server = createServer((req, res) => {
      res.statusCode = req.url === '/healthz' ? status : 404;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const check = async (command: string, health: number, portOverride?: number) => {
    status = health;
    const file = join(dir, 'cmdline');
    writeFileSync(file, ['node', 'bin/caracal-triage.js', command, ''].join('\0'));
    const r = await run(healthcheckScript(file), { env: { PATH: process.env.PATH, PORT: String(portOverride ?? port) }, timeoutMs: 10_000 });
    return r.code;
  };

  test('a `serve` or `start` container is healthy while /healthz on PORT answers 2xx', async () => {
    expect(await check('serve', 200)).toBe(0);
    expect(await check('start', 200)).toBe(0);
    expect(await check('start', 503)).toBe(1);
  });

  test('nothing listening on PORT is unhealthy', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const unused = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    expect(await check('serve', 200, unused)).toBe(1);
  });

  test('a worker or a one-shot command, which serve no HTTP, is not marked unhealthy', async () => {
    expect(await check('worker', 503)).toBe(0);
    expect(await check('triage', 503)).toBe(0);
  });
});

// ---- the build, replayed -----------------------------------------------------------------------

/** Files under a context folder that .dockerignore lets through. */
function contextFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(ROOT, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${entry.name}` : entry.name;
      if (!included(p)) continue;
      if (entry.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** COPY into a stage folder (WORKDIR /app): from the filtered context, or from another stage's folder. */
function applyCopy(args: string, stageDir: string, stageDirs: Map<string, string>): void {
  const { from, sources, dest } = parseCopy(args);
  const target = join(stageDir, dest);
  for (const src of sources) {
    if (from) {
      const fromDir = stageDirs.get(from);
      if (!fromDir) throw new Error(`COPY --from=${from}: no such stage`);
      const path = join(fromDir, posix.relative('/app', src));
      const to = statSync(path).isDirectory() || !dest.endsWith('/') ? target : join(target, posix.basename(src));
      mkdirSync(dirname(to), { recursive: true });
      // A move, not a copy: the earlier stage is thrown away, as Docker discards it (saves copying node_modules).
      renameSync(path, to);
      continue;
    }
    const clean = src.replace(/^\.\//, '').replace(/\/$/, '');
    if (!included(clean)) throw new Error(`COPY ${src}: excluded from the build context by .dockerignore`);
    if (statSync(join(ROOT, clean)).isDirectory()) {
      for (const f of contextFiles(clean)) {
        const to = join(target, relative(clean, f));
        mkdirSync(dirname(to), { recursive: true });
        cpSync(join(ROOT, f), to);
      }
    } else {
      const to = dest.endsWith('/') ? join(target, posix.basename(clean)) : target;
      mkdirSync(dirname(to), { recursive: true });
      cpSync(join(ROOT, clean), to);
    }
  }
}

/**
 * What the process inside the stage would see: PATH, plus the stage's ENV. HOME is kept, and npm
 * told to prefer its cache, so the replay reuses the packages this machine already downloaded.
 */
function stageEnv(stage: Stage): NodeJS.ProcessEnv {
  for (const e of ops(stage, 'ENV')) if (!/^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.test(e.args)) throw new Error(`ENV ${e.args}: only NAME=value is understood by this test`);
  // Docker gives RUN the stage's ARGs and ENVs as environment variables.
  return { PATH: process.env.PATH, HOME: process.env.HOME, npm_config_prefer_offline: 'true', ...stageVariables(dockerfile, stage) };
}

/** The image's install: `npm ci`, with `--ignore-scripts` when the sources (which `prepare` builds) are not there yet. */
const NPM_CI = /^npm ci --no-audit --no-fund( --ignore-scripts)?$/;
/** The root package's scripts `npm ci` runs once the packages are installed, in its order. */
const NPM_CI_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepublish', 'preprepare', 'prepare', 'postprepare'];

/**
 * `npm ci` in a stage folder that holds the context's package.json and package-lock.json: the
 * checkout's installed tree (checked to be exactly this lockfile's install) hard-linked in, then
 * the root package's lifecycle scripts. npm writes its record of the tree
 * (node_modules/.package-lock.json) in place, so that one file is copied, never linked; prune
 * only unlinks and renames, which leaves the checkout's files alone.
 */
async function replayNpmCi(stageDir: string, env: NodeJS.ProcessEnv, o: { ignoreScripts: boolean }): Promise<void> {
  const lock = JSON.parse(readFileSync(join(stageDir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { optional?: boolean }> };
  expect(readFileSync(join(stageDir, 'package-lock.json'), 'utf8')).toBe(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  expect(readFileSync(join(stageDir, 'package.json'), 'utf8')).toBe(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const record = join(ROOT, 'node_modules', '.package-lock.json');
  const installed = JSON.parse(readFileSync(record, 'utf8')) as { packages: Record<string, unknown> };
  const wanted = Object.entries(lock.packages).filter(([path]) => path !== '');
  // Every package the lockfile names is installed as it names it, except optional ones for other platforms.
  const drift = [
    ...wanted.filter(([path, entry]) => (installed.packages[path] === undefined ? !entry.optional : JSON.stringify(installed.packages[path]) !== JSON.stringify(entry))).map(([path]) => path),
    ...Object.keys(installed.packages).filter((path) => !(path in lock.packages)),
  ];
  if (drift.length) throw new Error(`the checkout's node_modules is not package-lock.json's install (run \`npm ci\`): ${drift.slice(0, 5).join(', ')}`);
  const linked = await run(['cp', '-al', join(ROOT, 'node_modules'), join(stageDir, 'node_modules')], { env, timeoutMs: 60_000 });
  if (linked.code !== 0) throw new Error(`cp -al node_modules exited ${linked.code}: ${linked.stderr}`);
  const stageRecord = join(stageDir, 'node_modules', '.package-lock.json');
  rmSync(stageRecord);
  cpSync(record, stageRecord);
  // With --ignore-scripts npm runs none, the root package's nor its dependencies' (the checkout's
  // npm ran no dependency's either: npm 11 runs only those approved, and none is).
  if (o.ignoreScripts) return;
  const scripts = (JSON.parse(readFileSync(join(stageDir, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
  for (const name of NPM_CI_SCRIPTS.filter((n) => scripts[n] !== undefined)) {
    const r = await run(['npm', 'run', name], { cwd: stageDir, env, timeoutMs: 240_000 });
    if (r.code !== 0) throw new Error(`npm ci's ${name} script (npm run ${name}) exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  }
}

function listTree(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(`${p}/`, ...listTree(dir, p));
    else out.push(p);
  }
  return out;
}

describe('the image build, replayed in a temp folder', () => {
  let work: string;
  let runtimeDir: string;
  const stageDirs = new Map<string, string>();

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'image-build-'));
    const record = () => readFileSync(join(ROOT, 'node_modules', '.package-lock.json'), 'utf8');
    const before = record();
    for (const [i, stage] of stages.entries()) {
      const dir = join(work, stage.name ?? `stage${i}`);
      mkdirSync(dir);
      for (const ins of stage.instructions) {
        if (ins.op === 'WORKDIR') expect(ins.args).toBe('/app');
        else if (ins.op === 'COPY') applyCopy(ins.args, dir, stageDirs);
        else if (ins.op === 'RUN' && NPM_CI.test(ins.args)) await replayNpmCi(dir, stageEnv(stage), { ignoreScripts: ins.args.endsWith(' --ignore-scripts') });
        else if (ins.op === 'RUN') {
          const r = await run(['sh', '-c', ins.args], { cwd: dir, env: stageEnv(stage), timeoutMs: 240_000 });
          if (r.code !== 0) throw new Error(`RUN ${ins.args} (line ${ins.line}) exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
        } else if (!['ARG', 'ENV', 'LABEL', 'USER', 'EXPOSE', 'HEALTHCHECK', 'ENTRYPOINT', 'CMD'].includes(ins.op)) throw new Error(`${ins.op} (line ${ins.line}) is not replayed by this test`);
      }
      if (stage.name) stageDirs.set(stage.name, dir);
      runtimeDir = dir;
    }
    // The stage's tree was hard-linked from the checkout's: pruning it must have left that one whole.
    if (record() !== before || !existsSync(join(ROOT, 'node_modules', 'typescript', 'package.json'))) throw new Error("replaying the image build changed the checkout's node_modules");
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('the runtime tree holds dist/, bin/ and production dependencies only: no sources, tests, benchmarks or build tools', () => {
    const top = readdirSync(runtimeDir).sort();
    expect(top).toEqual(['bin', 'dist', 'manifest.yml', 'node_modules', 'package.json']);
    expect(readdirSync(join(runtimeDir, 'dist')).sort()).toEqual(['adapters', 'sim', 'src']);
    const outside = listTree(runtimeDir).filter((p) => !p.startsWith('node_modules/'));
    expect(outside.filter((p) => /\.ts$/.test(p) && !p.endsWith('.d.ts'))).toEqual([]);
    expect(outside.filter((p) => /(^|\/)(test|bench)\//.test(p))).toEqual([]);
    for (const dev of ['typescript', 'jest', 'tsx', '@swc/core', '@swc/jest', 'nock', 'ws', '@types/jest']) expect({ dev, shipped: existsSync(join(runtimeDir, 'node_modules', dev)) }).toEqual({ dev, shipped: false });
    // TypeScript 7's compiler is a native package of its own (@typescript/typescript-<platform>,
    // 27 MB); npm prune leaves its scope's folder behind, empty.
    const scope = join(runtimeDir, 'node_modules', '@typescript');
    expect(existsSync(scope) ? readdirSync(scope) : []).toEqual([]);
  });

  const binary = (...args: string[]) => [...execForm(last(runtime, 'ENTRYPOINT') ?? '[]').map((a) => (a === 'node' ? process.execPath : a)), ...args];

  test('`caracal-triage --help` runs from it', async () => {
    const r = await run(binary('--help'), { cwd: runtimeDir, env: stageEnv(runtime), timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: caracal-triage');
    for (const cmd of ['triage', 'serve', 'worker', 'start', 'demo']) expect(r.stdout).toContain(cmd);
  });

  test('`--env-file` reaches the binary, not Node: a missing file is one line and exit 2', async () => {
    const r = await run(binary('--env-file', '/nonexistent/settings.env', 'triage'), { cwd: runtimeDir, env: stageEnv(runtime), timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^caracal-triage: --env-file: cannot read \/nonexistent\/settings\.env/);
  });

  test('`caracal-triage demo` runs from it: the simulator ships and every scenario is diagnosed', async () => {
    const r = await run(binary('demo'), { cwd: runtimeDir, env: stageEnv(runtime), timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/(\d+)\/\1 scenarios diagnosed as expected/);
  });
});
