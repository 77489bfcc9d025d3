/**
 * Compatibility entry for callers that load one group and want a throw: each function checks its
 * whole group and throws one ConfigError carrying every problem. New code takes its slice of the
 * AppConfig from the composition root (src/app) instead.
 */
import { type CaracalConfig, parseCaracalConfig } from './caracal';
import type { Env } from './fields';
import { orThrow } from './problems';
import { type RuntimeConfig, parseRuntimeConfig } from './runtime';
import { secretValues } from './secrets';

export { ConfigError } from './problems';
export type { CaracalConfig } from './caracal';
export type { RuntimeConfig } from './runtime';

export function loadCaracalConfig(env: Env = process.env): CaracalConfig {
  return orThrow(parseCaracalConfig(env));
}

export function loadRuntimeConfig(env: Env = process.env): RuntimeConfig {
  return orThrow(parseRuntimeConfig(env));
}

/** Secret values for redaction; reads CARACAL_ADMIN_TOKEN_FILE when it names a readable file. */
export function knownSecrets(env: Env = process.env): string[] {
  let fromFile: string | undefined;
  const file = env.CARACAL_ADMIN_TOKEN_FILE?.trim();
  if (file) {
    const parsed = parseCaracalConfig({ ...env, CARACAL_API_URL: env.CARACAL_API_URL || 'http://unused' });
    fromFile = parsed.ok ? parsed.value.adminToken : undefined;
  }
  return secretValues(env, [fromFile]);
}

