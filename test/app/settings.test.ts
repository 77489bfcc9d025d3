/** Each room's settings as the app reads them: Caracal's, the processes' own, and the secrets to redact. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { knownSecrets } from '../../src/app/config';
import { parseRuntimeConfig } from '../../src/app/runtime-config';
import { parseCaracalConfig } from '../../src/caracal/config';
import { type Env } from '../../src/config/fields';
import { ConfigError, orThrow } from '../../src/config/problems';

const loadCaracalConfig = (env: Env) => orThrow(parseCaracalConfig(env));
const loadRuntimeConfig = (env: Env) => orThrow(parseRuntimeConfig(env));

const TOKEN = 'cat_' + 'A'.repeat(43);

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('environment', () => {
  it('names the missing API URL', () => {
    const e = configError(() => loadCaracalConfig({ CARACAL_ADMIN_TOKEN: TOKEN }));
    expect(e.variable).toBe('CARACAL_API_URL');
    expect(e.message).toBe('CARACAL_API_URL: is required but not set (e.g. https://caracal.example.com)');
  });

  it('rejects a URL that is not http(s)', () => {
    const e = configError(() => loadCaracalConfig({ CARACAL_API_URL: 'ftp://x', CARACAL_ADMIN_TOKEN: TOKEN }));
    expect(e.variable).toBe('CARACAL_API_URL');
  });

  it('asks for the admin token, and reads it from a file when given one', () => {
    expect(configError(() => loadCaracalConfig({ CARACAL_API_URL: 'http://127.0.0.1:3000' })).variable).toBe('CARACAL_ADMIN_TOKEN');
    const dir = mkdtempSync(join(tmpdir(), 'ct-env-'));
    writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
    const cfg = loadCaracalConfig({ CARACAL_API_URL: 'http://127.0.0.1:3000/', CARACAL_ADMIN_TOKEN_FILE: join(dir, 'token') });
    expect(cfg.adminToken).toBe(TOKEN);
    expect(cfg.apiUrl).toBe('http://127.0.0.1:3000');
    expect(configError(() => loadCaracalConfig({ CARACAL_API_URL: 'http://x', CARACAL_ADMIN_TOKEN_FILE: join(dir, 'missing') })).variable).toBe(
      'CARACAL_ADMIN_TOKEN_FILE',
    );
  });

  it('splits zone IDs and refuses a malformed one', () => {
    const cfg = loadCaracalConfig({ CARACAL_API_URL: 'http://x', CARACAL_ADMIN_TOKEN: TOKEN, CARACAL_ZONE_IDS: ' z1, z2 ,' });
    expect(cfg.zoneIds).toEqual(['z1', 'z2']);
    expect(configError(() => loadCaracalConfig({ CARACAL_API_URL: 'http://x', CARACAL_ADMIN_TOKEN: TOKEN, CARACAL_ZONE_IDS: 'a b' })).variable).toBe(
      'CARACAL_ZONE_IDS',
    );
  });

  it('treats empty optional URLs as unset', () => {
    const cfg = loadCaracalConfig({ CARACAL_API_URL: 'http://x', CARACAL_ADMIN_TOKEN: TOKEN, CARACAL_STS_URL: '' });
    expect(cfg.stsUrl).toBeUndefined();
  });

  it('needs Redis and a long enough signing key for the bot processes', () => {
    expect(configError(() => loadRuntimeConfig({ TRIAGE_SIGNING_KEY: 'k'.repeat(32) })).variable).toBe('REDIS_URL');
    expect(configError(() => loadRuntimeConfig({ REDIS_URL: 'redis://127.0.0.1:6379', TRIAGE_SIGNING_KEY: 'short' })).variable).toBe(
      'TRIAGE_SIGNING_KEY',
    );
    expect(loadRuntimeConfig({ REDIS_URL: 'redis://127.0.0.1:6379', TRIAGE_SIGNING_KEY: 'k'.repeat(32) }).port).toBe(3000);
  });

  it('lists secret values for redaction, never short or empty ones', () => {
    expect(knownSecrets({ CARACAL_ADMIN_TOKEN: TOKEN, SLACK_BOT_TOKEN: '', TRIAGE_SIGNING_KEY: 'abc' })).toEqual([TOKEN]);
  });
});
