/**
 * Channels bound to a deployment by name pattern (`channelName: slack:inc-staging-*`) beside
 * the bindings by ID: the pattern's meaning (`*`, `?`, whole name, any case), the checks at
 * start-up (each problem naming the file, the entry and the key), and which binding a command
 * gets: its channel's ID first, else the first pattern in file order that its name matches on
 * its platform, else none (no name given: only IDs).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWebConfig } from '../../src/app/config';
import { webDeployments } from '../../src/app/deployments';
import { ConfigError } from '../../src/config/problems';
import { compileNamePattern, namePatternProblem } from '../../src/config/name-pattern';

const RUNTIME = { REDIS_URL: 'redis://127.0.0.1:6379', TRIAGE_SIGNING_KEY: 'k'.repeat(40) };
// Made at load: the bindings below are read while the suite is collected.
const dir = mkdtempSync(join(tmpdir(), 'caracal-channel-names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function load(body: string): { file: string; config: ReturnType<typeof loadWebConfig> } {
  const file = join(dir, `d-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, body);
  return { file, config: loadWebConfig({ ...RUNTIME, CARACAL_DEPLOYMENTS_FILE: file }) };
}

function problemsOf(body: string): { file: string; lines: string[] } {
  const file = join(dir, `bad-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, body);
  try {
    loadWebConfig({ ...RUNTIME, CARACAL_DEPLOYMENTS_FILE: file });
  } catch (e) {
    if (e instanceof ConfigError) return { file, lines: e.message.split('\n') };
    throw e;
  }
  throw new Error('the file was accepted');
}

describe('a channel-name pattern', () => {
  it('* is any run of characters, ? one; the whole name must match, in any case', () => {
    const m = compileNamePattern('inc-staging-*');
    expect(['inc-staging-42', 'inc-staging-', 'INC-Staging-db'].map(m)).toEqual([true, true, true]);
    expect(['inc-staging', 'x-inc-staging-1', 'inc-production-1'].map(m)).toEqual([false, false, false]);
    const q = compileNamePattern('inc-?');
    expect(['inc-1', 'inc-12', 'inc-'].map(q)).toEqual([true, false, false]);
    // Nothing else is special: dots, brackets and braces are themselves.
    const lit = compileNamePattern('ops.[eu]{1}+');
    expect([lit('ops.[eu]{1}+'), lit('opsx[eu]{1}+'), lit('ops.e')]).toEqual([true, false, false]);
  });

  it('what is refused, in words', () => {
    expect(namePatternProblem('')).toBe('must not be empty');
    expect(namePatternProblem('#inc-*')).toBe('is the name without its "#" (e.g. inc-staging-*)');
    expect(namePatternProblem(' inc-*')).toMatch(/no surrounding spaces/);
    expect(namePatternProblem('a'.repeat(101))).toBe('is at most 100 characters');
    expect(namePatternProblem('inc-*')).toBeNull();
  });
});

const entry = (name: string, channels: string[]) => [`  - name: ${name}`, `    apiUrl: http://127.0.0.1:9`, `    adminTokenFile: /dev/null`, '    channels:', ...channels.map((c) => `      - ${c}`)].join('\n');

describe('binding a command’s channel', () => {
  const { config } = load(
    [
      'deployments:',
      entry('production', ['channel: slack:C0PROD0001', 'channelName: "slack:inc-*"', 'channelName: "teams:Incidents *"\n        zone: payments']),
      entry('staging', ['channel: slack:C0STAGE001', 'channelName: "slack:inc-staging-*"\n        zone: sandbox', 'channelName: "slack:stg-?"']),
    ].join('\n') + '\n',
  );
  const directory = webDeployments(config.deployments);
  const slack = (name: string | null) => ({ platform: 'slack', name });

  it('by ID first: a channel bound by ID reads its deployment whatever its name', () => {
    expect(directory.boundTo('slack:C0STAGE001', slack('inc-prod-outage'))).toEqual({ deployment: 'staging', zone: null });
    expect(directory.boundTo('slack:C0PROD0001', slack('inc-staging-1'))).toEqual({ deployment: 'production', zone: null });
  });

  it('else by name: the first matching pattern in file order wins (deployments, then their channels)', () => {
    // inc-staging-7 matches production's inc-* first (production comes first in the file).
    expect(directory.boundTo('slack:C0OTHER01', slack('inc-staging-7'))).toEqual({ deployment: 'production', zone: null });
    expect(directory.boundTo('slack:C0OTHER01', slack('stg-1'))).toEqual({ deployment: 'staging', zone: null });
    expect(directory.boundTo(null, { platform: 'teams', name: 'incidents EU' })).toEqual({ deployment: 'production', zone: 'payments' });
  });

  it('a pattern binds only on its own platform, and without a name only IDs apply', () => {
    expect(directory.boundTo('teams:19:abc@thread.tacv2', { platform: 'teams', name: 'inc-staging-1' })).toBeNull();
    expect(directory.boundTo('slack:C0OTHER01', slack(null))).toBeNull();
    expect(directory.boundTo('slack:C0OTHER01')).toBeNull();
    expect(directory.boundTo('slack:C0OTHER01', slack('general'))).toBeNull();
  });
});

describe('checked at start-up', () => {
  it('a bad pattern, an unknown platform, both keys, neither, or a pattern bound twice: each names the file, the entry and the key', () => {
    const { file, lines } = problemsOf(
      [
        'deployments:',
        entry('production', ['channelName: "slack:#inc-*"', 'channelName: "irc:inc-*"', 'channel: slack:C0PROD0001\n        channelName: "slack:x-*"', 'zone: payments']),
        entry('staging', ['channelName: "slack:INC-*"', 'channelName: "slack:inc-*"']),
      ].join('\n') + '\n',
    );
    expect(lines).toEqual([
      `CARACAL_DEPLOYMENTS_FILE: ${file}: deployments[0] "production" (line 2): channels[0].channelName: the pattern "#inc-*" is the name without its "#" (e.g. inc-staging-*)`,
      `CARACAL_DEPLOYMENTS_FILE: ${file}: deployments[0] "production" (line 2): channels[1].channelName: "irc:inc-*" is not a channel-name pattern: write <platform>:<pattern>, e.g. slack:inc-staging-* (platforms: slack, teams)`,
      `CARACAL_DEPLOYMENTS_FILE: ${file}: deployments[0] "production" (line 2): channels[2]: give either channel (<platform>:<id>) or channelName (<platform>:<pattern>), one of them`,
      `CARACAL_DEPLOYMENTS_FILE: ${file}: deployments[0] "production" (line 2): channels[3]: give either channel (<platform>:<id>) or channelName (<platform>:<pattern>), one of them`,
      `CARACAL_DEPLOYMENTS_FILE: ${file}: deployments[1] "staging" (line 11): channels[1].channelName: slack:inc-* is already bound to deployments[1] "staging"; a channel reads one deployment`,
    ]);
  });
});
