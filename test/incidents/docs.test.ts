/**
 * docs/incidents.md is copy-paste configuration, so what it shows must work: the
 * Alertmanager config passes `amtool check-config`, the shell (openssl + curl) and Node
 * signing examples produce requests the generic hook accepts, the routes example loads, and
 * the alert table says what the catalogue does.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CARACAL_ALERT_NAMES, GATEWAY_REFUSAL_ALERT_NAMES, guideForAlert } from '../../src/incidents/catalogue';
import { genericHookSource, receiveIncident } from '../../src/incidents/sources';
import { parseRoutes } from '../../src/incidents/routes/load';
import { CHANNEL_ADDRESSES, platformsInUse } from '../../src/app/platforms';
import { SURFACE_LABELS } from '../../src/chat/render/labels';
import { startRecordingReceiver, type RecordingReceiver } from '../support/alertmanager-receiver';

const run = promisify(execFile);
const DOC = readFileSync(join(__dirname, '..', '..', 'docs', 'incidents.md'), 'utf8');
const SECRET = 'doc-example-secret-0123456789abcdef';

/** The fenced block right after `<!-- check: name -->`. */
function block(name: string): string {
  const m = new RegExp(`<!-- check: ${name} -->\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\`\`\``).exec(DOC);
  if (!m) throw new Error(`docs/incidents.md has no checked block "${name}"`);
  return m[1];
}

describe('docs/incidents.md', () => {
  let dir: string;
  let rx: RecordingReceiver;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'incident-docs-'));
    rx = await startRecordingReceiver();
  });
  afterAll(async () => {
    await rx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows an Alertmanager configuration amtool accepts', async () => {
    const file = join(dir, 'alertmanager.yml');
    writeFileSync(file, block('alertmanager-config'));
    const { stdout } = await run('amtool', ['check-config', file]);
    expect(stdout).toMatch(/SUCCESS/);
  });

  const env = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, INCIDENT_WEBHOOK_SECRET: SECRET, CARACAL_TRIAGE_URL: rx.url });

  async function expectAcceptedFrom(send: () => Promise<unknown>): Promise<void> {
    const from = rx.requests.length;
    await send();
    const r = await rx.waitFor(() => true, { from });
    expect(r.path).toBe('/hooks/incident');
    const got = receiveIncident(genericHookSource(SECRET, CHANNEL_ADDRESSES), r.headers, r.body, new Date());
    expect(got).toMatchObject({
      kind: 'accepted',
      triage: { source: 'generic', channel: { platform: 'slack', channel: 'C0123ABCDEF' }, input: { requestId: '0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b', zoneId: 'zone-prod' } },
    });
    expect(receiveIncident(genericHookSource('another-secret', CHANNEL_ADDRESSES), r.headers, r.body, new Date())).toMatchObject({ kind: 'refused', status: 401 });
  }

  it('signs with openssl and curl the way the hook verifies', async () => {
    await expectAcceptedFrom(() => run('bash', ['-euo', 'pipefail', '-c', block('sign-shell')], { env: env() }));
  });

  it('signs in Node the way the hook verifies', async () => {
    const file = join(dir, 'sign.js');
    writeFileSync(file, block('sign-node'));
    await expectAcceptedFrom(() => run(process.execPath, [file], { env: env() }));
  });

  it('shows a routes file that loads', () => {
    const m = /## Routing[\s\S]*?```yaml\n([\s\S]*?)```/.exec(DOC);
    const r = parseRoutes(m?.[1] ?? '', { file: 'docs', platforms: platformsInUse(['slack', 'teams']) });
    expect(r.ok && r.warnings).toEqual([]);
  });

  /** Table rows naming an alert, in the part of the page from `from` up to `to`. */
  const alertRows = (from: string, to?: string): string[] => {
    const start = DOC.indexOf(from);
    const end = to ? DOC.indexOf(to, start) : DOC.length;
    expect([start, end].every((i) => i >= 0)).toBe(true);
    return DOC.slice(start, end)
      .split('\n')
      .filter((l) => l.startsWith('| `Caracal'));
  };
  const cells = (row: string) => row.split(/(?<!\\)\|/).map((c) => c.trim());

  it('lists the 21 alerts with the catalogue\'s component, severity, surface and first action', () => {
    const rows = alertRows('## Alertmanager', '### The Gateway\'s refusals');
    expect(rows.map((r) => r.split('`')[1])).toEqual([...CARACAL_ALERT_NAMES]);
    for (const row of rows) {
      const [, name, component, severity, surface, action] = cells(row);
      const g = guideForAlert(name.replace(/`/g, ''));
      expect([component, severity, surface, action.replace(/\\\|/g, '|')]).toEqual([g.component, g.severity, SURFACE_LABELS[g.surface], g.firstAction]);
    }
  });

  it("lists the chart's Gateway refusal alerts with their counter and the catalogue's severity, surface and first action", () => {
    const rows = alertRows('### The Gateway\'s refusals', '## PagerDuty');
    expect(rows.map((r) => r.split('`')[1])).toEqual([...GATEWAY_REFUSAL_ALERT_NAMES]);
    for (const row of rows) {
      const [, name, counter, severity, surface, action] = cells(row);
      const g = guideForAlert(name.replace(/`/g, ''));
      expect(counter).toMatch(/^`caracal_gateway_denials_[a-z_]+_total`$/);
      expect([g.component, severity, surface, action.replace(/\\\|/g, '|')]).toEqual(['gateway', g.severity, SURFACE_LABELS[g.surface], g.firstAction]);
    }
  });
});
