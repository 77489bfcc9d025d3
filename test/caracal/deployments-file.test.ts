/**
 * The deployments file as the bot reads it: the shipped example is valid with the real channel
 * addresses; every deployment's secrets are redacted by every deployment's engine; an incident
 * reads its channel's deployment, else the one deployment that lists its zone, else none.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWebConfig, loadTerminalConfig } from '../../src/app/config';
import { webDeployments } from '../../src/app/deployments';
import { openDeployments } from '../../src/triage/deployments';

const ROOT = join(__dirname, '..', '..');
const RUNTIME = { REDIS_URL: 'redis://127.0.0.1:6379', TRIAGE_SIGNING_KEY: 'k'.repeat(40) };
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'caracal-deployments-file-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(body: string): string {
  const f = join(dir, `d-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(f, body);
  return f;
}

describe('the deployments file', () => {
  it('the shipped example is valid (its shape and channels; serve reads no token file)', () => {
    const config = loadWebConfig({ ...RUNTIME, CARACAL_DEPLOYMENTS_FILE: join(ROOT, 'examples', 'caracal-deployments.yaml') });
    expect(config.deployments.deployments.map((d) => [d.name, d.channels])).toEqual([
      ['production', [{ place: 'slack:C0PRODINC1', zone: 'payments' }, { place: 'teams:19:prod-incidents@thread.tacv2', zone: null }]],
      ['staging', [{ place: 'slack:C0STAGING1', zone: null }]],
    ]);
    expect(config.links.consoleUrls).toEqual({ production: 'https://console.example.com/acct_123/org_prod', staging: 'https://console.example.com/acct_123/org_staging' });
  });

  it('every deployment’s secrets are redacted by every deployment’s engine', async () => {
    const secret = (name: string, value: string) => {
      const f = join(dir, name);
      writeFileSync(f, value);
      return f;
    };
    const f = file(
      [
        'deployments:',
        '  - name: a',
        '    apiUrl: http://127.0.0.1:9',
        `    adminTokenFile: ${secret('a.admin', 'cat_secret_of_deployment_a_0001')}`,
        `    metricsBearerFile: ${secret('a.metrics', 'metrics-bearer-of-a-000000001')}`,
        '  - name: b',
        '    apiUrl: http://127.0.0.1:10',
        `    adminTokenFile: ${secret('b.admin', 'cat_secret_of_deployment_b_0002')}`,
        `    coordinatorTokenFile: ${secret('b.coord', 'coordinator-token-of-b-000002')}`,
      ].join('\n'),
    );
    const config = loadTerminalConfig({ CARACAL_DEPLOYMENTS_FILE: f });
    const deployments = openDeployments(config.deployments.deployments, config.secrets);
    try {
      const text = 'a: cat_secret_of_deployment_a_0001 metrics-bearer-of-a-000000001 b: cat_secret_of_deployment_b_0002 coordinator-token-of-b-000002';
      for (const d of deployments.all) {
        const out = d.engine.redactor.redactText(text).text;
        for (const s of ['cat_secret_of_deployment_a_0001', 'metrics-bearer-of-a-000000001', 'cat_secret_of_deployment_b_0002', 'coordinator-token-of-b-000002']) expect(out).not.toContain(s);
      }
    } finally {
      await deployments.close();
    }
  });

  it('an incident reads its channel’s deployment, else the one listing its zone, else none', () => {
    const f = file(
      [
        'deployments:',
        '  - name: eu',
        '    apiUrl: http://127.0.0.1:9',
        '    adminTokenFile: /nowhere',
        '    zones: [zone-eu, zone-shared]',
        '    channels: [{ channel: slack:C0EUINC001 }]',
        '  - name: us',
        '    apiUrl: http://127.0.0.1:10',
        '    adminTokenFile: /nowhere',
        '    zones: [zone-us, zone-shared]',
      ].join('\n'),
    );
    const d = webDeployments(loadWebConfig({ ...RUNTIME, CARACAL_DEPLOYMENTS_FILE: f }).deployments);
    expect(d.deploymentOf({ platform: 'slack', channel: 'C0EUINC001' }, 'zone-us')).toBe('eu');
    expect(d.deploymentOf({ platform: 'slack', channel: 'C0OTHER001' }, 'zone-us')).toBe('us');
    expect(d.deploymentOf({ platform: 'slack', channel: 'C0OTHER001' }, 'zone-shared')).toBeNull();
    expect(d.deploymentOf({ platform: 'slack', channel: 'C0OTHER001' }, null)).toBeNull();
    expect(d.names).toEqual(['eu', 'us']);
  });
});
