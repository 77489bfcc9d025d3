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
        `    fixTokenFile: ${secret('b.fix', 'cat_fix_token_of_deployment_b_03')}`,
        `    approveTokenFile: ${secret('b.approve', 'cat_approve_token_of_b_000004')}`,
      ].join('\n'),
    );
    const config = loadTerminalConfig({ CARACAL_DEPLOYMENTS_FILE: f });
    const deployments = openDeployments(config.deployments.deployments, config.secrets);
    try {
      const all = ['cat_secret_of_deployment_a_0001', 'metrics-bearer-of-a-000000001', 'cat_secret_of_deployment_b_0002', 'coordinator-token-of-b-000002', 'cat_fix_token_of_deployment_b_03', 'cat_approve_token_of_b_000004'];
      const text = `a: ${all.slice(0, 2).join(' ')} b: ${all.slice(2).join(' ')}`;
      for (const d of deployments.all) {
        const out = d.engine.redactor.redactText(text).text;
        for (const s of all) expect(out).not.toContain(s);
      }
      // The act's tokens are each deployment's own, read from their files.
      expect(config.deployments.deployments.map((d) => [d.fixToken ?? null, d.approveToken ?? null])).toEqual([
        [null, null],
        ['cat_fix_token_of_deployment_b_03', 'cat_approve_token_of_b_000004'],
      ]);
      // The redaction the process applies everywhere (logs, chat) knows them too.
      expect(config.secrets).toEqual(expect.arrayContaining(['cat_fix_token_of_deployment_b_03', 'cat_approve_token_of_b_000004']));
    } finally {
      await deployments.close();
    }
  });

  it('the single deployment’s act tokens beside the file are refused, each variable named', () => {
    const f = file(['deployments:', '  - name: a', '    apiUrl: http://127.0.0.1:9', '    adminTokenFile: /dev/null'].join('\n'));
    expect(() => loadTerminalConfig({ CARACAL_DEPLOYMENTS_FILE: f, CARACAL_FIX_TOKEN: 'cat_inline_fix', CARACAL_APPROVE_TOKEN_FILE: '/run/approve' })).toThrow(
      /CARACAL_FIX_TOKEN: is set, and so is CARACAL_DEPLOYMENTS_FILE[^\n]*\nCARACAL_APPROVE_TOKEN_FILE: is set, and so is CARACAL_DEPLOYMENTS_FILE/,
    );
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
