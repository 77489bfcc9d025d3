/**
 * `caracal-triage mcp` as a client starts it (the built binary): it checks its Caracal settings
 * before serving (every problem on stderr, exit 2, nothing on stdout, where only MCP messages
 * may go), serves until the client hangs up, then exits 0.
 */
import { lines, removeWorkDirs, runCli } from '../support/binary';
import { useBinaryStack } from '../support/binary-stack';
import { callTool, connectStdio } from '../support/mcp';

const stack = useBinaryStack();
afterAll(() => removeWorkDirs());

describe('caracal-triage mcp', () => {
  it('refuses to serve without its Caracal settings: every problem on stderr, exit 2, stdout untouched', async () => {
    const run = await runCli(['mcp'], { env: { CARACAL_TIMEOUT_MS: 'soon' } });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)).toEqual([
      'caracal-triage: CARACAL_API_URL: is required but not set (e.g. https://caracal.example.com)',
      'caracal-triage: CARACAL_TIMEOUT_MS: must be a whole number of milliseconds from 100 to 120000, e.g. 5000 (got "soon")',
      'caracal-triage: CARACAL_ADMIN_TOKEN: is required (or CARACAL_ADMIN_TOKEN_FILE naming a file that holds it); mint a read token with POST /v1/admin-tokens',
    ]);
  });

  it('exits 0 once its client hangs up (stdin at its end), having written nothing', async () => {
    const run = await runCli(['mcp'], { env: stack.simEnv() });
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('answers a client on stdout and logs nothing on stderr', async () => {
    const c = await connectStdio(stack.simEnv());
    try {
      const r = await callTool(c, 'get_bundle', {});
      expect(r.isError).toBe(false);
      expect((r.structured as { items: Array<{ id: string }> }).items.map((i) => i.id)).toContain('readiness');
    } finally {
      await c.close();
    }
    expect(c.stderr()).toBe('');
  });
});
