/**
 * The Teams app package: `npm run teams:package` run as a user runs it (a child process),
 * the zip it writes read back, and the validation's refusals.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { APP_PACKAGE_DIR, buildPackage, checkPackage, commandListProblems } from '../../../adapters/teams/package/build';
import { decodePng, encodePng } from '../../../adapters/teams/package/png';
import { TeamsManifest } from '../../../adapters/teams/package/manifest-schema';
import { parseCommand } from '../../../src/commands/grammar';

const APP = '11111111-2222-3333-4444-555555555555';
const ROOT = join(__dirname, '..', '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'teams-package-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[]) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  return spawnSync('npm', ['run', '--silent', 'teams:package', '--', ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
}

const files = () => ({
  'manifest.json': Buffer.from(readFileSync(join(APP_PACKAGE_DIR, 'manifest.json'), 'utf8').replace(/\$\{\{MICROSOFT_APP_ID\}\}/g, APP).replace(/\$\{\{TEAMS_[A-Z_]+\}\}/g, (m) => (m.includes('NAME') ? 'Ops' : 'https://example.org/caracal'))),
  'color.png': readFileSync(join(APP_PACKAGE_DIR, 'color.png')),
  'outline.png': readFileSync(join(APP_PACKAGE_DIR, 'outline.png')),
});

describe('Teams app package', () => {
  it('npm run teams:package writes a zip with exactly the three files at its root, the manifest filled and valid', () => {
    const out = join(tmp, 'app.zip');
    const r = run(['--app-id', APP, '--developer-url', 'https://example.org/caracal', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`app\\.zip \\(\\d+ bytes\\): manifest 1\\.29, bot ${APP}\\n$`));
    const entries = unzipSync(new Uint8Array(readFileSync(out)));
    expect(Object.keys(entries).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = TeamsManifest.parse(JSON.parse(Buffer.from(entries['manifest.json']).toString('utf8')));
    expect(manifest.id).toBe(APP);
    expect(manifest.bots[0]).toMatchObject({ botId: APP, scopes: ['team', 'groupChat', 'personal'] });
    expect(manifest.developer).toMatchObject({ websiteUrl: 'https://example.org/caracal', privacyUrl: 'https://example.org/caracal', termsOfUseUrl: 'https://example.org/caracal' });
    expect(Buffer.from(entries['color.png']).equals(readFileSync(join(APP_PACKAGE_DIR, 'color.png')))).toBe(true);
  });

  it('refuses to build without the deployment values, naming the flag and the variable (exit 2, nothing written)', () => {
    const out = join(tmp, 'none.zip');
    const r = run(['--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('teams:package: --app-id (or MICROSOFT_APP_ID) is needed to fill manifest.json\n');
    expect(r.stderr).toContain('teams:package: --developer-url (or TEAMS_DEVELOPER_URL) is needed to fill manifest.json\n');
    expect(() => readFileSync(out)).toThrow();
  });

  it('the same inputs give the same zip, byte for byte', () => {
    const a = buildPackage({ appId: APP, developerUrl: 'https://example.org/caracal' });
    const b = buildPackage({ appId: APP, developerUrl: 'https://example.org/caracal' });
    expect(a.ok && b.ok && Buffer.from(a.zip).equals(Buffer.from(b.zip))).toBe(true);
  });

  it('the command list is exactly the grammar’s commands, each parsing as itself', () => {
    const { manifest, problems } = checkPackage(files());
    expect(problems).toEqual([]);
    const titles = manifest?.bots[0].commandLists?.[0].commands.map((c) => c.title);
    expect(titles).toEqual(['triage', 'bundle', 'list', 'show', 'status', 'help']);
    expect(titles?.map((t) => parseCommand(t === 'show' ? 'show tri-0000000000000000000000000a' : t).kind)).toEqual(['triage', 'bundle', 'list', 'show', 'status', 'help']);
    const extra = structuredClone(manifest!);
    extra.bots[0].commandLists![0].commands.push({ title: 'deploy', description: 'not ours' });
    expect(commandListProblems(extra)[0]).toMatch(/must be the grammar's: triage, bundle, list, show, status, help$/);
  });

  it('the icons are 192×192 colour and 32×32 white on transparent; wrong ones are refused', () => {
    const color = decodePng(readFileSync(join(APP_PACKAGE_DIR, 'color.png')));
    const outline = decodePng(readFileSync(join(APP_PACKAGE_DIR, 'outline.png')));
    expect([color.width, color.height, outline.width, outline.height]).toEqual([192, 192, 32, 32]);
    const grey = new Uint8Array(32 * 32 * 4).fill(128);
    const bad = { ...files(), 'outline.png': encodePng({ width: 32, height: 32, pixels: grey }), 'color.png': encodePng({ width: 96, height: 96, pixels: new Uint8Array(96 * 96 * 4) }) };
    expect(checkPackage(bad).problems).toEqual([
      'color.png must be 192×192 pixels (it is 96×96)',
      'outline.png must be white on transparent (pixel 0 is rgba(128,128,128,128))',
    ]);
  });
});
