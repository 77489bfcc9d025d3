/**
 * Bundle item `preflight`: the Doctor's deployment checks read the stack host's environment
 * and files, which a remote bot cannot see (the Console skips them too). What
 * can be known remotely is reported: activation-status `sts.state: not_configured` means
 * GATEWAY_STS_HMAC_KEY is unset on the API. Everything else is listed as host-only.
 */
import { check, item, unavailable, type Check } from '../checks';
import type { Collector } from '../source';

const HOST_ONLY = ['CARACAL_MODE', 'SECRET_STORE_KEK', 'AUDIT_HMAC_KEY', 'STREAMS_HMAC_KEY', 'TLS files', 'Postgres', 'Redis'];
/** The host-only note, with the verb agreeing with its subject ("Preflight runs", "The other checks run"). */
const hostOnly = (verb: 'runs' | 'run'): string => `${verb} on the stack host only (${HOST_ONLY.join(', ')}); run \`caracal doctor\` there`;

export const collectPreflight: Collector = async (src) => {
  const activation = await src.gatherer.get('activation');
  const checks: Check[] = [];
  if (activation.ok) {
    const state = activation.value.sts?.state ?? null;
    if (state === 'not_configured') {
      checks.push(check('GATEWAY_STS_HMAC_KEY', 'warn', 'unset on the API: activation-status reports sts.state not_configured, so the API cannot confirm STS loaded a policy set'));
    } else if (state) {
      checks.push(check('GATEWAY_STS_HMAC_KEY', 'ok', `set on the API (it reads STS policy status: ${state})`));
    }
  }
  if (checks.length === 0) {
    return unavailable('preflight', `Preflight ${hostOnly('runs')}.`, undefined, { hostOnly: HOST_ONLY, ...(activation.ok ? {} : { activation: activation.error }) });
  }
  const status = checks.some((c) => c.status === 'warn') ? 'warn' : 'ok';
  return item('preflight', status, `${checks.map((c) => `${c.check}: ${c.detail}`).join('; ')}. The other checks ${hostOnly('run')}.`, { checks, hostOnly: HOST_ONLY });
};
