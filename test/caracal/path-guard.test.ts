/**
 * IDs cannot leave their URL path: `.` and `..`, in any spelling, are refused before anything is
 * sent with the admin token, wherever they come from (the user, or a Caracal answer), and the
 * chat command and the terminal say so in one line.
 */
import { createCaracalClient } from '../../src/caracal/client';
import { checkedUrl, isDotSegment, pathSegment } from '../../src/caracal/path';
import { parseCommand } from '../../src/commands/grammar';
import { simulatorConfig, startSimulator, type Simulator } from '../../sim';
import { runCli } from '../support/binary';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ scenario: 'grant_missing' });
});
afterAll(() => sim.close());

describe('path segments', () => {
  it.each(['.', '..', '%2e', '%2E%2e', '.%2E'])('refuses %s', (v) => {
    expect(isDotSegment(v)).toBe(true);
    expect(() => pathSegment(v, 'zone ID')).toThrow(/cannot be "\." or "\.\."/);
  });

  it('encodes everything else, so / ? # and %2F cannot make new segments', () => {
    expect(pathSegment('a/b?c#d%2F..')).toBe('a%2Fb%3Fc%23d%252F..');
    expect(isDotSegment('...')).toBe(false);
    expect(checkedUrl('http://127.0.0.1:1/base', '/v1/zones/a%2Fb').pathname).toBe('/base/v1/zones/a%2Fb');
    expect(() => checkedUrl('http://127.0.0.1:1/base', '/v1/zones/%2E%2E/x')).toThrow(/does not stay under/);
  });
});

describe('the client', () => {
  it('rejects a dot ID with a refused-call error and sends nothing', async () => {
    const client = createCaracalClient(simulatorConfig(sim));
    try {
      sim.clearRequests();
      for (const call of [() => client.explain('..', 'req-1'), () => client.explain('zone', '..'), () => client.getResource('zone', '%2E%2E'), () => client.listResources('.')]) {
        await expect(call()).rejects.toMatchObject({ kind: 'refused', code: 'unsafe_path' });
      }
      expect(sim.requests).toHaveLength(0);
    } finally {
      await client.close();
    }
  });
});

describe('input', () => {
  it('a chat command with .. as zone or request ID is explained and starts nothing', () => {
    for (const text of ['triage req-x ..', 'triage ..', 'triage req-x --zone .', 'bundle ..']) {
      const cmd = parseCommand(text, { prefix: '/caracal' });
      expect(cmd.kind).toBe('invalid');
      expect(cmd.kind === 'invalid' && cmd.message).toMatch(/cannot be "\." or "\.\."/);
    }
  });

  it('the terminal refuses --zone .. with exit 2 and makes no request', async () => {
    sim.clearRequests();
    const r = await runCli(['triage', 'req-x', '--zone', '..'], { env: { CARACAL_API_URL: sim.apiUrl, CARACAL_ADMIN_TOKEN: sim.tokens.globalRead } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^caracal-triage: --zone "\.\.": a zone cannot be "\." or "\.\."/);
    expect(sim.requests).toHaveLength(0);
  });
});
