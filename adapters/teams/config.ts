/**
 * Teams' part of the environment contract, validated with zod. `parseTeamsConfig` returns
 * `null` when MICROSOFT_APP_ID is absent (Teams is simply not started), a config, or every
 * problem at once as `{variable, message}` (each message says what a right value looks like),
 * for the composition root to fold into its one configuration pass.
 *
 *   MICROSOFT_APP_ID               the Azure Bot's app (client) ID; set to the empty string for
 *                                  local testing with authentication off (app type MultiTenant)
 *   MICROSOFT_APP_PASSWORD         its client secret (SingleTenant, MultiTenant)
 *   MICROSOFT_APP_TENANT_ID        the Entra tenant of the registration (SingleTenant, UserAssignedMSI)
 *   MICROSOFT_APP_TYPE             SingleTenant (default) | MultiTenant | UserAssignedMSI
 *   MICROSOFT_OPENID_METADATA_URL  OpenID metadata inbound JWTs are checked against (sovereign
 *                                  clouds, tests with keys on loopback); default the Bot Framework's
 *   TEAMS_ALLOWED_TENANTS          MultiTenant only, and then required: the Entra tenants whose
 *                                  Teams may use the bot (comma-separated GUIDs), or `*` for any.
 *                                  A SingleTenant (or UserAssignedMSI) bot takes activities from
 *                                  MICROSOFT_APP_TENANT_ID's tenant alone.
 *
 * No new multi-tenant Azure Bot registrations are possible since 2025-07-31, so SingleTenant
 * is the default; botbuilder asserts an app ID, a tenant and a secret for it.
 */
import { z } from 'zod';

export const TEAMS_APP_TYPES = ['SingleTenant', 'MultiTenant', 'UserAssignedMSI'] as const;
export type TeamsAppType = (typeof TEAMS_APP_TYPES)[number];

export interface TeamsConfig {
  /** '' when authentication is off (local testing only). */
  appId: string;
  appPassword: string | null;
  tenantId: string | null;
  appType: TeamsAppType;
  /** null: the public Bot Framework metadata. */
  openIdMetadataUrl: string | null;
  /**
   * The tenants an activity may come from (`conversation.tenantId` / `channelData.tenant.id`):
   * the app's own (SingleTenant, UserAssignedMSI), TEAMS_ALLOWED_TENANTS (MultiTenant), `*` for
   * any, or null (authentication off and no list: nothing is checked).
   */
  allowedTenants: readonly string[] | '*' | null;
  /** Inbound JWTs are checked and outbound calls carry a token. */
  authEnabled: boolean;
  /** Lines the process that starts Teams logs once as warnings (authentication off). */
  warnings: string[];
}

export interface ConfigProblem {
  variable: string;
  message: string;
}

export type TeamsConfigResult = { ok: true; config: TeamsConfig | null } | { ok: false; problems: ConfigProblem[] };

type Env = Record<string, string | undefined>;

const EXAMPLE_GUID = '00000000-0000-0000-0000-000000000000';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const trimmed = (v: unknown): unknown => (typeof v === 'string' ? v.trim() : v);
const blank = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : trimmed(v));

const guid = (what: string) => z.string().regex(GUID, `must be the ${what} (a GUID, e.g. ${EXAMPLE_GUID})`);

const appType = z.preprocess(
  (v) => {
    if (typeof v !== 'string' || v.trim() === '') return 'SingleTenant';
    const found = TEAMS_APP_TYPES.find((t) => t.toLowerCase() === v.trim().toLowerCase());
    return found ?? v;
  },
  z.enum(TEAMS_APP_TYPES, { error: `must be one of ${TEAMS_APP_TYPES.join(', ')} (new registrations are SingleTenant)` }),
);

/** https anywhere, http only on loopback (tests serving keys on 127.0.0.1). */
const metadataUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://login.botframework.com/v1/.well-known/openidconfiguration' }).refine(
  (u) => {
    const url = new URL(u);
    return url.protocol === 'https:' || LOOPBACK.has(url.hostname);
  },
  'must use https (plain http only on a loopback address), e.g. https://login.botframework.com/v1/.well-known/openidconfiguration',
);

const schema = z.object({
  MICROSOFT_APP_ID: z.preprocess(trimmed, z.string()),
  MICROSOFT_APP_PASSWORD: z.preprocess(blank, z.string().optional()),
  MICROSOFT_APP_TENANT_ID: z.preprocess(blank, z.string().optional()),
  MICROSOFT_APP_TYPE: appType,
  MICROSOFT_OPENID_METADATA_URL: z.preprocess(blank, metadataUrl.optional()),
  TEAMS_ALLOWED_TENANTS: z.preprocess(
    blank,
    z
      .string()
      .regex(/^(\*|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(\s*,\s*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})*)$/i, `must be comma-separated Entra tenant IDs (GUIDs, e.g. ${EXAMPLE_GUID}), or * for any tenant`)
      .optional(),
  ),
});

export const AUTH_OFF_WARNING =
  'Teams authentication is OFF (MICROSOFT_APP_ID is empty): inbound activities are not checked and replies carry no token; use this only for local testing';

export function parseTeamsConfig(env: Env): TeamsConfigResult {
  if (env.MICROSOFT_APP_ID === undefined) return { ok: true, config: null };
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? 'MICROSOFT_APP_ID'), message: i.message })) };
  }
  const v = parsed.data;
  const problems: ConfigProblem[] = [];
  const add = (variable: string, message: string) => problems.push({ variable, message });
  const appId = v.MICROSOFT_APP_ID;
  const authEnabled = appId !== '';

  if (!authEnabled) {
    if (v.MICROSOFT_APP_TYPE !== 'MultiTenant') {
      add('MICROSOFT_APP_TYPE', `must be MultiTenant when MICROSOFT_APP_ID is empty (authentication off); ${v.MICROSOFT_APP_TYPE} needs an app ID, e.g. MICROSOFT_APP_ID=${EXAMPLE_GUID}`);
    }
    if (v.MICROSOFT_APP_PASSWORD) add('MICROSOFT_APP_PASSWORD', 'is set but MICROSOFT_APP_ID is empty; set the app ID it belongs to, or leave both empty for local testing');
    if (v.MICROSOFT_OPENID_METADATA_URL) add('MICROSOFT_OPENID_METADATA_URL', 'has no effect while MICROSOFT_APP_ID is empty (authentication off); set the app ID, or remove it');
  } else {
    const id = guid('Azure Bot app (client) ID').safeParse(appId);
    if (!id.success) add('MICROSOFT_APP_ID', id.error.issues[0].message);
    if (v.MICROSOFT_APP_TENANT_ID !== undefined) {
      const t = guid('Entra tenant ID of the registration').safeParse(v.MICROSOFT_APP_TENANT_ID);
      if (!t.success) add('MICROSOFT_APP_TENANT_ID', t.error.issues[0].message);
    }
    const needsTenant = v.MICROSOFT_APP_TYPE === 'SingleTenant' || v.MICROSOFT_APP_TYPE === 'UserAssignedMSI';
    if (needsTenant && v.MICROSOFT_APP_TENANT_ID === undefined) {
      add('MICROSOFT_APP_TENANT_ID', `is required for ${v.MICROSOFT_APP_TYPE}: the Entra tenant ID of the bot registration, e.g. ${EXAMPLE_GUID}`);
    }
    if (v.MICROSOFT_APP_TYPE === 'MultiTenant' && v.TEAMS_ALLOWED_TENANTS === undefined) {
      add('TEAMS_ALLOWED_TENANTS', `is required for MultiTenant: the Entra tenant IDs whose Teams may use the bot (comma-separated, e.g. ${EXAMPLE_GUID}), or * to take any tenant's activities`);
    }
    if (v.MICROSOFT_APP_TYPE !== 'MultiTenant' && v.TEAMS_ALLOWED_TENANTS !== undefined) {
      add('TEAMS_ALLOWED_TENANTS', `applies to MultiTenant only: a ${v.MICROSOFT_APP_TYPE} bot takes activities from MICROSOFT_APP_TENANT_ID's tenant alone; remove it`);
    }
    if (v.MICROSOFT_APP_TYPE === 'UserAssignedMSI') {
      if (v.MICROSOFT_APP_PASSWORD) add('MICROSOFT_APP_PASSWORD', 'must be empty for UserAssignedMSI: the managed identity signs in without a secret');
    } else if (!v.MICROSOFT_APP_PASSWORD) {
      add('MICROSOFT_APP_PASSWORD', `is required for ${v.MICROSOFT_APP_TYPE}: the client secret of the app registration (Certificates & secrets)`);
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  const list = v.TEAMS_ALLOWED_TENANTS;
  const allowedTenants: TeamsConfig['allowedTenants'] =
    list === '*' ? '*' : list ? list.split(',').map((t) => t.trim().toLowerCase()) : authEnabled && v.MICROSOFT_APP_TENANT_ID ? [v.MICROSOFT_APP_TENANT_ID.toLowerCase()] : null;
  return {
    ok: true,
    config: {
      appId,
      appPassword: v.MICROSOFT_APP_PASSWORD ?? null,
      tenantId: v.MICROSOFT_APP_TENANT_ID ?? null,
      appType: v.MICROSOFT_APP_TYPE,
      openIdMetadataUrl: v.MICROSOFT_OPENID_METADATA_URL ?? null,
      allowedTenants,
      authEnabled,
      warnings: authEnabled ? [] : [AUTH_OFF_WARNING],
    },
  };
}
