/**
 * The house rules the layout depends on, checked on every run: chat SDKs stay in their
 * adapter folder (so moving Teams to Microsoft's successor SDK touches one folder), only the
 * composition root (src/app) knows which adapters exist, shipped code never reaches into
 * test/, the platform-free core does no Redis or chat I/O, imports form no cycle, and the
 * folders of src/ form layers that import only downwards (LAYERS).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const SHIPPED = ['src', 'adapters', 'sim'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'node_modules' ? [] : files(p);
    return /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts') ? [p] : [];
  });
}

/** Every module specifier a file imports (static, dynamic, require, export … from). */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"`]*?from\s*['"]([^'"]+)['"]/g)) out.push(m[1]);
  for (const m of text.matchAll(/(?:^|[\s;])import\s*['"]([^'"]+)['"]/g)) out.push(m[1]);
  for (const m of text.matchAll(/(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]);
  return out;
}

const rel = (p: string): string => relative(ROOT, p).split('\\').join('/');

/** A relative specifier resolved to a repository path (without extension). */
function target(file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  return rel(resolve(dirname(file), spec)).replace(/\.js$/, '');
}

interface Edge {
  from: string;
  spec: string;
  to: string | null;
}

/**
 * The folders of src/, top to bottom (a file directly under src/, like log.ts, is a folder of
 * its own): each imports only folders below it, type imports included, so no two folders
 * lean on each other. A new folder must be placed here; the test fails until it is.
 */
const LAYERS = ['cli', 'app', 'mcp', 'act', 'server', 'service', 'watch', 'posting', 'followup', 'queue', 'audit', 'store', 'incidents', 'page', 'commands', 'ingress', 'report', 'chat', 'triage', 'caracal', 'render', 'log', 'log-level', 'redact', 'time', 'config'];

/** Imports that run up the layers (`from → to`, folders), each with its reason; none today. */
const KNOWN_BACK_EDGES: readonly string[] = [];

const edges: Edge[] = [...SHIPPED, 'bin', 'test', 'bench'].flatMap((d) => files(join(ROOT, d))).flatMap((f) => specifiers(f).map((spec) => ({ from: rel(f), spec, to: target(f, spec) })));
const shipped = (e: Edge): boolean => SHIPPED.some((d) => e.from.startsWith(`${d}/`)) || e.from.startsWith('bin/');
const show = (list: Edge[]): string[] => list.map((e) => `${e.from} → ${e.spec}`);

/** The folder of src/ a path is in (`src/log.ts` → `log`), or null outside src/. */
const folderOf = (path: string): string | null => {
  const parts = path.split('/');
  if (parts[0] !== 'src' || parts.length < 2) return null;
  return parts.length === 2 ? parts[1]!.replace(/\.(ts|js)$/, '') : parts[1]!;
};
/** Imports between two folders of src/, with the folders named. */
const folderEdges = edges.flatMap((e) => {
  const from = folderOf(e.from);
  const to = e.to ? folderOf(e.to) : null;
  return from && to && from !== to ? [{ ...e, arrow: `${from} → ${to}`, up: LAYERS.indexOf(to) < LAYERS.indexOf(from) }] : [];
});

describe('architecture', () => {
  it('found the sources it checks', () => {
    expect(edges.filter((e) => e.from.startsWith('src/')).length).toBeGreaterThan(200);
    expect(edges.some((e) => e.spec.startsWith('@slack/'))).toBe(true);
  });

  it('imports @slack/* only inside adapters/slack/', () => {
    expect(show(edges.filter((e) => e.spec.startsWith('@slack/') && !e.from.startsWith('adapters/slack/') && !e.from.startsWith('test/') && !e.from.startsWith('bench/')))).toEqual([]);
  });

  it('imports botbuilder* only inside adapters/teams/', () => {
    expect(show(edges.filter((e) => /^botbuilder|^botframework/.test(e.spec) && !e.from.startsWith('adapters/teams/') && !e.from.startsWith('test/')))).toEqual([]);
  });

  it('lets only the composition root (src/app) import adapters/', () => {
    expect(show(edges.filter((e) => e.from.startsWith('src/') && !e.from.startsWith('src/app/') && e.to?.startsWith('adapters/')))).toEqual([]);
  });

  it('lets only the composition root (src/app) import the web host (src/server)', () => {
    expect(show(edges.filter((e) => shipped(e) && !e.from.startsWith('src/app/') && !e.from.startsWith('src/server/') && e.to?.startsWith('src/server/')))).toEqual([]);
  });

  it('keeps adapters from importing each other', () => {
    const folder = (p: string) => p.split('/').slice(0, 2).join('/');
    expect(show(edges.filter((e) => e.from.startsWith('adapters/') && e.to?.startsWith('adapters/') && folder(e.from) !== folder(e.to)))).toEqual([]);
  });

  it('never imports test/ or bench/ from shipped code', () => {
    expect(show(edges.filter((e) => shipped(e) && (e.to?.startsWith('test/') || e.to?.startsWith('bench/'))))).toEqual([]);
  });

  it('keeps Redis, queues and chat SDKs out of the platform-free core', () => {
    const core = ['src/triage/', 'src/caracal/', 'src/commands/', 'src/chat/', 'src/redact/', 'src/render/', 'src/config/', 'src/ingress/'];
    const io = /^(ioredis|bullmq|rate-limiter-flexible|@slack\/|botbuilder|express$)/;
    expect(show(edges.filter((e) => core.some((c) => e.from.startsWith(c)) && !e.from.startsWith('src/ingress/') && io.test(e.spec)))).toEqual([]);
  });

  it('has no import cycle among shipped modules', () => {
    const graph = new Map<string, string[]>();
    for (const e of edges.filter(shipped)) {
      if (!e.to) continue;
      const from = e.from.replace(/\.(ts|js)$/, '');
      const to = e.to.replace(/\/index$/, '');
      graph.set(from, [...(graph.get(from) ?? []), to]);
    }
    const known = (p: string): string | null => (graph.has(p) ? p : graph.has(`${p}/index`) ? `${p}/index` : null);
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (n: string, path: string[]): void => {
      if (state.get(n) === 'done') return;
      if (state.get(n) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(n)), n].join(' → '));
        return;
      }
      state.set(n, 'visiting');
      for (const next of graph.get(n) ?? []) {
        const k = known(next);
        if (k) visit(k, [...path, n]);
      }
      state.set(n, 'done');
    };
    for (const n of graph.keys()) visit(n, []);
    expect(cycles).toEqual([]);
  });

  it('places every folder of src/ in the layer order', () => {
    const folders = readdirSync(join(ROOT, 'src')).map((f) => folderOf(`src/${f}`)!);
    expect(folders.filter((f) => !LAYERS.includes(f))).toEqual([]);
    expect(LAYERS.filter((f) => !folders.includes(f))).toEqual([]);
  });

  it('imports only downwards through the layers, type imports included', () => {
    const up = folderEdges.filter((e) => e.up && !KNOWN_BACK_EDGES.includes(e.arrow));
    expect(up.map((e) => `${e.from} → ${e.spec} (${e.arrow}, up the layers)`)).toEqual([]);
  });

  it('allows only back edges that still occur (KNOWN_BACK_EDGES shrinks as they are removed)', () => {
    expect(KNOWN_BACK_EDGES.filter((arrow) => !folderEdges.some((e) => e.up && e.arrow === arrow))).toEqual([]);
  });

  it("uses none of zod's translations (jest does not load them: test/support/zod-locales.js)", () => {
    const naming = [...SHIPPED, 'bin'].flatMap((d) => files(join(ROOT, d))).filter((f) => /\blocales\b/.test(readFileSync(f, 'utf8')));
    expect(naming.map(rel)).toEqual([]);
  });

  it('keeps every source file under 400 lines (the simulator\'s scenario data aside)', () => {
    const long = ['src', 'adapters'].flatMap((d) => files(join(ROOT, d)))
      .map((f) => [rel(f), readFileSync(f, 'utf8').split('\n').length] as const)
      .filter(([, n]) => n > 400);
    expect(long).toEqual([]);
  });
});
