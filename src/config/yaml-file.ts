/**
 * Reading a small YAML settings file at start-up and saying where in it a problem is: the file
 * read with a size cap and one plain reason when it cannot be, its YAML errors with line and
 * column, and the line of any key path (`deployments[1].probes.sts`), so every message can name
 * the file, the entry and the key. Used by the deployments file (src/caracal/deployments-file.ts);
 * and the routes file (src/incidents/routes/load.ts).
 */
import { readFileSync, statSync } from 'node:fs';
import type { Document, LineCounter } from 'yaml';

type Yaml = typeof import('yaml');
/**
 * The YAML parser, loaded on the first settings file read: most commands read none (a terminal
 * triage without CARACAL_DEPLOYMENTS_FILE or TRIAGE_ROUTES_FILE), and its ~70 modules were a
 * sixth of the binary's start-up. A plain require keeps the readers synchronous.
 */
const yaml = (): Yaml => require('yaml') as Yaml;

export type KeyPath = ReadonlyArray<PropertyKey>;

export type FileText = { ok: true; text: string } | { ok: false; message: string };

/** The file's text, or why it cannot be read (`no such file`, `permission denied`, too large). */
export function readSettingsFile(file: string, maxBytes: number, what: string): FileText {
  try {
    const size = statSync(file).size;
    if (size > maxBytes) return { ok: false, message: `is ${size} bytes; ${what} is at most ${maxBytes}` };
    return { ok: true, text: readFileSync(file, 'utf8') };
  } catch (e) {
    return { ok: false, message: `cannot be read (${readProblem(e)})` };
  }
}

/** A file system error as a few words. */
export function readProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code ?? 'error';
  return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : code;
}

export interface YamlFile {
  /** The parsed value (undefined when the YAML has errors). */
  value: unknown;
  /** `line L, column C: message`, one per YAML error. */
  errors: string[];
  /** 1-based line of the node at `path` (of its key when the last step is a key); see `lineOf`. */
  line(path: KeyPath, exact?: boolean): number | null;
}

export function parseYamlFile(text: string): YamlFile {
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const errors = doc.errors.map((e) => {
    const pos = e.linePos?.[0];
    return `${pos ? `line ${pos.line}, column ${pos.col}: ` : ''}${e.message.replace(/ at line \d+, column \d+.*$/s, '')}`;
  });
  return { value: errors.length ? undefined : doc.toJS(), errors, line: (path, exact = false) => lineOf(doc, lines, path, exact) };
}

/**
 * 1-based line of the node at `path` (of its key, when the last step is a map key); when the
 * path does not exist in full, the line of the deepest node that does, or null if `exact`.
 */
function lineOf(doc: Document, lines: LineCounter, path: KeyPath, exact: boolean): number | null {
  const { isMap, isScalar, isSeq } = yaml();
  let node: unknown = doc.contents;
  const at = (n: unknown): number | null => {
    const range = (n as { range?: [number, number, number] } | null)?.range;
    return range ? lines.linePos(range[0]).line : null;
  };
  let line = at(node);
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === step);
      if (!pair) return exact ? null : line;
      line = at(pair.key) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number' && step < node.items.length) {
      node = node.items[step];
      line = at(node) ?? line;
    } else return exact ? null : line;
  }
  return line;
}

/** `probes.sts`, `channels[0].zone`. */
export function keyPath(path: KeyPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}
