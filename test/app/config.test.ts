/**
 * The one configuration pass: every group a command needs is checked in full and every problem
 * is reported at once, one line per variable, saying what is wrong and showing a right value.
 */
import pino from 'pino';
import type { SlackConfig } from '../../adapters/slack/config';
import { loadTerminalConfig, loadWebConfig, loadWorkerConfig } from '../../src/app/config';
import { openPlatforms } from '../../src/app/platforms';
import { ConfigError } from '../../src/config/problems';

const TOKEN = 'cat_' + 'A'.repeat(43);
const RUNTIME = { REDIS_URL: 'redis://127.0.0.1:6379', TRIAGE_SIGNING_KEY: 'k'.repeat(40) };

type Env = Record<string, string | undefined>;

function problems(env: Env, load: (env: Env) => unknown): string[] {
  try {
    load(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split('\n');
    throw e;
  }
  return [];
}

describe('the configuration of each kind of process', () => {
  it('reports every bad variable of every group at once, one line each', () => {
    const lines = problems(
      { CARACAL_API_URL: 'not a url', CARACAL_ADMIN_TOKEN: '', REDIS_URL: 'http://127.0.0.1:6379', CARACAL_TIMEOUT_MS: 'abc', PORT: 'abc', CARACAL_CACHE_TTL_MS: 'abc', LOG_LEVEL: 'loud', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's'.repeat(20), SLACK_FILE_UPLOADS: 'maybe' },
      loadWorkerConfig,
    );
    const byVar = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
    expect(Object.keys(byVar).sort()).toEqual(
      ['CARACAL_ADMIN_TOKEN', 'CARACAL_API_URL', 'CARACAL_CACHE_TTL_MS', 'CARACAL_TIMEOUT_MS', 'LOG_LEVEL', 'PORT', 'REDIS_URL', 'SLACK_FILE_UPLOADS', 'TRIAGE_SIGNING_KEY'].sort(),
    );
    expect(lines).toHaveLength(9);
    expect(byVar.CARACAL_API_URL).toBe('must be a URL starting with http:// or https://, e.g. https://caracal.example.com');
    expect(byVar.CARACAL_TIMEOUT_MS).toBe('must be a whole number of milliseconds from 100 to 120000, e.g. 5000 (got "abc")');
    expect(byVar.PORT).toBe('must be a TCP port from 0 to 65535, e.g. 3000 (got "abc")');
    expect(byVar.CARACAL_CACHE_TTL_MS).toMatch(/^must be a whole number of milliseconds/);
    expect(byVar.LOG_LEVEL).toBe('must be one of fatal, error, warn, info, debug, trace, silent (got "loud")');
    expect(byVar.SLACK_FILE_UPLOADS).toBe('must be true or false (got "maybe")');
    expect(byVar.REDIS_URL).toBe('must be a URL such as redis://127.0.0.1:6379, rediss://redis.example.com:6380 or redis+sentinel://s1:26379,s2:26379,s3:26379/mymaster');
    expect(byVar.TRIAGE_SIGNING_KEY).toBe('is required but not set');
  });

  it('asks only for the groups a command needs', () => {
    expect(problems({ CARACAL_API_URL: 'http://127.0.0.1:1', CARACAL_ADMIN_TOKEN: TOKEN }, loadTerminalConfig)).toEqual([]);
    expect(problems({ ...RUNTIME }, loadWebConfig)).toEqual([]);
    expect(problems({ ...RUNTIME }, loadWorkerConfig)[0]).toMatch(/^CARACAL_API_URL: is required but not set/);
  });

  it('never echoes a secret it refuses, and cuts long bad values', () => {
    const lines = problems({ ...RUNTIME, TRIAGE_SIGNING_KEY: 'short-secret-value', CARACAL_TIMEOUT_MS: '9'.repeat(200) }, loadWorkerConfig);
    expect(lines.join('\n')).not.toContain('short-secret-value');
    expect(lines.find((l) => l.startsWith('CARACAL_TIMEOUT_MS'))!.length).toBeLessThan(160);
  });

  it('collects the secret values for redaction, including a token read from its file', () => {
    const config = loadWorkerConfig({ CARACAL_API_URL: 'http://127.0.0.1:1', CARACAL_ADMIN_TOKEN: TOKEN, ...RUNTIME, SLACK_BOT_TOKEN: 'xoxb-1234567890', SLACK_APP_TOKEN: 'xapp-1234567890' });
    expect(config.secrets).toEqual(expect.arrayContaining([TOKEN, 'xoxb-1234567890', 'xapp-1234567890', RUNTIME.TRIAGE_SIGNING_KEY]));
    const slack = config.platforms.find((p) => p.platform.name === 'slack')?.settings as SlackConfig | undefined;
    expect(slack?.appToken).toBe('xapp-1234567890');
  });
});

describe('the configured platforms', () => {
  it('builds the worker port from the environment, or nothing without Slack', async () => {
    const portFrom = async (env: Record<string, string>) => {
      const config = loadWebConfig(env);
      return (await openPlatforms(config.platforms)).map((p) => p.port({ signingKey: config.runtime.signingKey, logger: pino({ level: 'silent' }) }))[0] ?? null;
    };
    expect(await portFrom(RUNTIME)).toBeNull();
    const port = await portFrom({ ...RUNTIME, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's'.repeat(20), SLACK_FILE_UPLOADS: 'false' });
    expect(port?.platform).toBe('slack');
    expect(port?.capabilities.files).toBe(false);
  });
});

describe('MCP on the web host (POST /mcp, MCP_TOKEN)', () => {
  const MCP_TOKEN = 'm'.repeat(40);
  const CARACAL = { CARACAL_API_URL: 'http://127.0.0.1:1', CARACAL_ADMIN_TOKEN: TOKEN };

  it('is off without MCP_TOKEN, and `serve` then reads no Caracal setting at all', () => {
    const config = loadWebConfig({ ...RUNTIME, CARACAL_API_URL: 'not a url' });
    expect(config.mcp).toBeNull();
    expect('caracal' in config).toBe(false);
  });

  it('with MCP_TOKEN the web checks the Caracal settings its tools read, reporting their problems with every other', () => {
    const lines = problems({ ...RUNTIME, REDIS_URL: 'http://wrong', MCP_TOKEN, CARACAL_TIMEOUT_MS: 'abc' }, loadWebConfig);
    expect(lines.map((l) => l.slice(0, l.indexOf(':'))).sort()).toEqual(['CARACAL_ADMIN_TOKEN', 'CARACAL_API_URL', 'CARACAL_TIMEOUT_MS', 'REDIS_URL']);
  });

  it('serves with the token, the origins as browsers send them, and the Caracal settings; token and admin token are redacted', () => {
    const config = loadWebConfig({ ...RUNTIME, ...CARACAL, MCP_TOKEN, MCP_ALLOWED_ORIGINS: 'https://console.example.com, http://localhost:6274/' });
    expect(config.mcp).toMatchObject({ token: MCP_TOKEN, allowedOrigins: ['https://console.example.com', 'http://localhost:6274'], caracal: { apiUrl: CARACAL.CARACAL_API_URL, adminToken: TOKEN } });
    expect(config.secrets).toEqual(expect.arrayContaining([MCP_TOKEN, TOKEN]));
    // `start` runs the web half too, over the worker's configuration.
    expect(loadWorkerConfig({ ...RUNTIME, ...CARACAL, MCP_TOKEN }).mcp?.caracal.adminToken).toBe(TOKEN);
  });

  it('refuses a short token, an origin that is not one, and origins without a token, never echoing the token', () => {
    const byVar = (env: Env) => Object.fromEntries(problems({ ...RUNTIME, ...CARACAL, ...env }, loadWebConfig).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
    const short = byVar({ MCP_TOKEN: 'short-mcp-token' });
    expect(short).toEqual({ MCP_TOKEN: 'must be at least 32 characters (e.g. `openssl rand -hex 32`)' });
    expect(byVar({ MCP_TOKEN, MCP_ALLOWED_ORIGINS: 'https://ok.example,https://ok.example/path' }).MCP_ALLOWED_ORIGINS).toMatch(/^must be a comma-separated list of origins .*"https:\/\/ok\.example\/path" is not one/);
    expect(byVar({ MCP_ALLOWED_ORIGINS: 'https://ok.example' }).MCP_ALLOWED_ORIGINS).toMatch(/^is set but MCP_TOKEN is not/);
  });
});
