/**
 * `npm run teams:package`: fills the app package's manifest with this deployment's values,
 * validates it (manifest-schema.ts, the icons' sizes and the outline's white-on-transparent
 * rule, the command list against the command grammar), and zips manifest.json, color.png and
 * outline.png flat, as Teams' "Upload a custom app" expects. Zipped with fflate (no native
 * code, deterministic output with a fixed timestamp).
 *
 *   npm run teams:package -- --app-id <MICROSOFT_APP_ID> --developer-url https://… [--out file.zip]
 *
 * Every flag also reads an environment variable: MICROSOFT_APP_ID, TEAMS_DEVELOPER_NAME,
 * TEAMS_DEVELOPER_URL, TEAMS_PRIVACY_URL and TEAMS_TERMS_URL (both default to the developer URL).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { zipSync } from 'fflate';
import { parseCommand } from '../../../src/commands/grammar';
import { TeamsManifest } from './manifest-schema';
import { PngError, decodePng } from './png';

export const APP_PACKAGE_DIR = join(__dirname, '..', 'appPackage');
export const PACKAGE_FILES = ['manifest.json', 'color.png', 'outline.png'] as const;
const FLAGS: Record<string, string> = {
  MICROSOFT_APP_ID: '--app-id',
  TEAMS_DEVELOPER_NAME: '--developer-name',
  TEAMS_DEVELOPER_URL: '--developer-url',
  TEAMS_PRIVACY_URL: '--privacy-url',
  TEAMS_TERMS_URL: '--terms-url',
};
/** Fixed so that the same inputs give the same zip, byte for byte. */
const ZIP_TIME = new Date('2026-01-01T00:00:00Z');

export interface PackageInputs {
  appId: string;
  developerName?: string;
  developerUrl: string;
  privacyUrl?: string;
  termsUrl?: string;
}

export type PackageResult = { ok: true; zip: Uint8Array; manifest: TeamsManifest } | { ok: false; problems: string[] };

/** Replaces `${{NAME}}` placeholders; names without a value are reported, not left in. */
export function fillManifest(template: string, inputs: PackageInputs): { text: string; missing: string[] } {
  const values: Record<string, string | undefined> = {
    MICROSOFT_APP_ID: inputs.appId,
    TEAMS_DEVELOPER_NAME: inputs.developerName ?? 'Caracal triage operators',
    TEAMS_DEVELOPER_URL: inputs.developerUrl,
    TEAMS_PRIVACY_URL: inputs.privacyUrl ?? inputs.developerUrl,
    TEAMS_TERMS_URL: inputs.termsUrl ?? inputs.developerUrl,
  };
  const missing = new Set<string>();
  const text = template.replace(/\$\{\{([A-Z_]+)\}\}/g, (m, name: string) => {
    const v = values[name]?.trim();
    if (!v) {
      missing.add(name);
      return m;
    }
    // The value lands inside a JSON string.
    return JSON.stringify(v).slice(1, -1);
  });
  return { text, missing: [...missing] };
}

function iconProblems(name: string, file: Buffer, size: number, outline: boolean): string[] {
  try {
    const img = decodePng(file);
    if (img.width !== size || img.height !== size) return [`${name} must be ${size}×${size} pixels (it is ${img.width}×${img.height})`];
    if (outline) {
      for (let i = 0; i < img.pixels.length; i += 4) {
        const [r, g, b, a] = img.pixels.subarray(i, i + 4);
        if (a !== 0 && (r !== 255 || g !== 255 || b !== 255)) return [`${name} must be white on transparent (pixel ${i / 4} is rgba(${r},${g},${b},${a}))`];
      }
    }
    return [];
  } catch (e) {
    return [`${name}: ${e instanceof PngError ? e.message : (e as Error).message}`];
  }
}

/** Commands that need an argument, parsed with an example of one. */
const EXAMPLE_ARGUMENTS: Record<string, string> = { show: 'tri-0000000000000000000000000a' };

/** The bot's command list must be exactly the grammar's commands, each parsed as itself. */
export function commandListProblems(manifest: TeamsManifest): string[] {
  const grammar = /Commands: ([a-z, ]+)\./.exec((parseCommand('no-such-command') as { message: string }).message)?.[1].split(', ') ?? [];
  const problems: string[] = [];
  for (const list of manifest.bots[0].commandLists ?? []) {
    const titles = list.commands.map((c) => c.title);
    if ([...titles].sort().join(',') !== [...grammar].sort().join(',')) problems.push(`bots[0].commandLists commands (${titles.join(', ')}) must be the grammar's: ${grammar.join(', ')}`);
    for (const t of titles) if (parseCommand(`${t} ${EXAMPLE_ARGUMENTS[t] ?? ''}`).kind !== t) problems.push(`command "${t}" does not parse as itself in the command grammar`);
  }
  return problems;
}

export function checkPackage(files: Record<(typeof PACKAGE_FILES)[number], Buffer>): { problems: string[]; manifest: TeamsManifest | null } {
  let json: unknown;
  try {
    json = JSON.parse(files['manifest.json'].toString('utf8'));
  } catch (e) {
    return { problems: [`manifest.json is not JSON: ${(e as Error).message}`], manifest: null };
  }
  const parsed = TeamsManifest.safeParse(json);
  if (!parsed.success) return { problems: parsed.error.issues.map((i) => `manifest.json ${i.path.join('.')}: ${i.message}`), manifest: null };
  const m = parsed.data;
  const problems = [
    ...(m.icons.color === 'color.png' ? [] : ['icons.color must be color.png, the file in the package']),
    ...(m.icons.outline === 'outline.png' ? [] : ['icons.outline must be outline.png, the file in the package']),
    ...iconProblems('color.png', files['color.png'], 192, false),
    ...iconProblems('outline.png', files['outline.png'], 32, true),
    ...commandListProblems(m),
  ];
  return { problems, manifest: m };
}

export function buildPackage(inputs: PackageInputs, dir: string = APP_PACKAGE_DIR): PackageResult {
  const filled = fillManifest(readFileSync(join(dir, 'manifest.json'), 'utf8'), inputs);
  if (filled.missing.length > 0) {
    const shown = filled.missing.includes('TEAMS_DEVELOPER_URL') ? filled.missing.filter((n) => n !== 'TEAMS_PRIVACY_URL' && n !== 'TEAMS_TERMS_URL') : filled.missing;
    return { ok: false, problems: shown.map((n) => `${FLAGS[n] ?? n} (or ${n}) is needed to fill manifest.json`) };
  }
  const files = {
    'manifest.json': Buffer.from(filled.text, 'utf8'),
    'color.png': readFileSync(join(dir, 'color.png')),
    'outline.png': readFileSync(join(dir, 'outline.png')),
  };
  const { problems, manifest } = checkPackage(files);
  if (problems.length > 0 || !manifest) return { ok: false, problems };
  const zip = zipSync(
    Object.fromEntries(PACKAGE_FILES.map((f) => [f, [new Uint8Array(files[f]), { mtime: ZIP_TIME }]])),
    { level: 9 },
  );
  return { ok: true, zip, manifest };
}

function main(argv: string[], env: NodeJS.ProcessEnv): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      'app-id': { type: 'string' },
      'developer-name': { type: 'string' },
      'developer-url': { type: 'string' },
      'privacy-url': { type: 'string' },
      'terms-url': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const result = buildPackage({
    appId: values['app-id'] ?? env.MICROSOFT_APP_ID ?? '',
    developerName: values['developer-name'] ?? env.TEAMS_DEVELOPER_NAME,
    developerUrl: values['developer-url'] ?? env.TEAMS_DEVELOPER_URL ?? '',
    privacyUrl: values['privacy-url'] ?? env.TEAMS_PRIVACY_URL,
    termsUrl: values['terms-url'] ?? env.TEAMS_TERMS_URL,
  });
  if (!result.ok) {
    for (const p of result.problems) process.stderr.write(`teams:package: ${p}\n`);
    process.stderr.write('teams:package: e.g. npm run teams:package -- --app-id <MICROSOFT_APP_ID> --developer-url https://your.org/caracal\n');
    return 2;
  }
  const out = resolve(values.out ?? join('dist', 'teams', 'caracal-teams-app.zip'));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, result.zip);
  process.stdout.write(`${out} (${result.zip.length} bytes): manifest ${result.manifest.manifestVersion}, bot ${result.manifest.bots[0].botId}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2), process.env);
