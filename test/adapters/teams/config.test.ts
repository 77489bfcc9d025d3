import { AUTH_OFF_WARNING, parseTeamsConfig } from '../../../adapters/teams/config';
import { botFrameworkSettings } from '../../../adapters/teams/adapter';

const APP = '11111111-2222-3333-4444-555555555555';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

function problems(env: Record<string, string>) {
  const r = parseTeamsConfig(env);
  return r.ok ? [] : r.problems;
}

describe('Teams configuration', () => {
  it('is not started when MICROSOFT_APP_ID is absent', () => {
    expect(parseTeamsConfig({ SLACK_BOT_TOKEN: 'xoxb-1' })).toEqual({ ok: true, config: null });
  });

  it('defaults to SingleTenant and needs the tenant and the secret for it', () => {
    expect(problems({ MICROSOFT_APP_ID: APP })).toEqual([
      { variable: 'MICROSOFT_APP_TENANT_ID', message: expect.stringContaining('is required for SingleTenant') },
      { variable: 'MICROSOFT_APP_PASSWORD', message: expect.stringContaining('is required for SingleTenant') },
    ]);
    const r = parseTeamsConfig({ MICROSOFT_APP_ID: APP, MICROSOFT_APP_PASSWORD: 's3cret', MICROSOFT_APP_TENANT_ID: TENANT });
    expect(r).toEqual({
      ok: true,
      config: { appId: APP, appPassword: 's3cret', tenantId: TENANT, appType: 'SingleTenant', openIdMetadataUrl: null, allowedTenants: [TENANT], authEnabled: true, warnings: [] },
    });
  });

  it('names each bad variable with an example of a right value', () => {
    expect(problems({ MICROSOFT_APP_ID: 'my-bot', MICROSOFT_APP_PASSWORD: 'x', MICROSOFT_APP_TENANT_ID: 'contoso' })).toEqual([
      { variable: 'MICROSOFT_APP_ID', message: 'must be the Azure Bot app (client) ID (a GUID, e.g. 00000000-0000-0000-0000-000000000000)' },
      { variable: 'MICROSOFT_APP_TENANT_ID', message: 'must be the Entra tenant ID of the registration (a GUID, e.g. 00000000-0000-0000-0000-000000000000)' },
    ]);
    expect(problems({ MICROSOFT_APP_ID: APP, MICROSOFT_APP_TYPE: 'Single' })).toEqual([
      { variable: 'MICROSOFT_APP_TYPE', message: 'must be one of SingleTenant, MultiTenant, UserAssignedMSI (new registrations are SingleTenant)' },
    ]);
    expect(problems({ MICROSOFT_APP_ID: APP, MICROSOFT_APP_PASSWORD: 'x', MICROSOFT_APP_TENANT_ID: TENANT, MICROSOFT_OPENID_METADATA_URL: 'http://10.0.0.5/meta' })).toEqual([
      { variable: 'MICROSOFT_OPENID_METADATA_URL', message: expect.stringContaining('must use https (plain http only on a loopback address)') },
    ]);
  });

  it('UserAssignedMSI needs the tenant and no secret; MultiTenant needs the secret and the tenants it serves', () => {
    expect(problems({ MICROSOFT_APP_ID: APP, MICROSOFT_APP_TYPE: 'userassignedmsi', MICROSOFT_APP_TENANT_ID: TENANT, MICROSOFT_APP_PASSWORD: 'x' })).toEqual([
      { variable: 'MICROSOFT_APP_PASSWORD', message: expect.stringContaining('must be empty for UserAssignedMSI') },
    ]);
    const msi = parseTeamsConfig({ MICROSOFT_APP_ID: APP, MICROSOFT_APP_TYPE: 'UserAssignedMSI', MICROSOFT_APP_TENANT_ID: TENANT });
    expect(msi.ok && msi.config?.appType).toBe('UserAssignedMSI');
    expect(problems({ MICROSOFT_APP_ID: APP, MICROSOFT_APP_TYPE: 'MultiTenant', MICROSOFT_APP_PASSWORD: 'x' })).toEqual([
      { variable: 'TEAMS_ALLOWED_TENANTS', message: expect.stringContaining('is required for MultiTenant') },
    ]);
    const multi = parseTeamsConfig({ MICROSOFT_APP_ID: APP, MICROSOFT_APP_TYPE: 'MultiTenant', MICROSOFT_APP_PASSWORD: 'x', TEAMS_ALLOWED_TENANTS: `${TENANT.toUpperCase()}, ${APP}` });
    expect(multi.ok && multi.config).toMatchObject({ tenantId: null, allowedTenants: [TENANT, APP] });
    const any = parseTeamsConfig({ MICROSOFT_APP_ID: APP, MICROSOFT_APP_TYPE: 'MultiTenant', MICROSOFT_APP_PASSWORD: 'x', TEAMS_ALLOWED_TENANTS: '*' });
    expect(any.ok && any.config?.allowedTenants).toBe('*');
  });

  it('refuses TEAMS_ALLOWED_TENANTS that is not a list of tenant IDs, or set for a single-tenant bot', () => {
    expect(problems({ MICROSOFT_APP_ID: APP, MICROSOFT_APP_TYPE: 'MultiTenant', MICROSOFT_APP_PASSWORD: 'x', TEAMS_ALLOWED_TENANTS: 'contoso.onmicrosoft.com' })).toEqual([
      { variable: 'TEAMS_ALLOWED_TENANTS', message: 'must be comma-separated Entra tenant IDs (GUIDs, e.g. 00000000-0000-0000-0000-000000000000), or * for any tenant' },
    ]);
    expect(problems({ MICROSOFT_APP_ID: APP, MICROSOFT_APP_PASSWORD: 'x', MICROSOFT_APP_TENANT_ID: TENANT, TEAMS_ALLOWED_TENANTS: APP })).toEqual([
      { variable: 'TEAMS_ALLOWED_TENANTS', message: expect.stringContaining('applies to MultiTenant only') },
    ]);
  });

  it('only an explicitly empty app ID turns authentication off, with MultiTenant, and says so in one warning line', () => {
    expect(problems({ MICROSOFT_APP_ID: '' })).toEqual([{ variable: 'MICROSOFT_APP_TYPE', message: expect.stringContaining('must be MultiTenant when MICROSOFT_APP_ID is empty') }]);
    const r = parseTeamsConfig({ MICROSOFT_APP_ID: ' ', MICROSOFT_APP_TYPE: 'MultiTenant' });
    expect(r.ok && r.config).toMatchObject({ appId: '', authEnabled: false, warnings: [AUTH_OFF_WARNING] });
    expect(problems({ MICROSOFT_APP_ID: '', MICROSOFT_APP_TYPE: 'MultiTenant', MICROSOFT_APP_PASSWORD: 'x', MICROSOFT_OPENID_METADATA_URL: 'https://login.example/meta' }).map((p) => p.variable)).toEqual([
      'MICROSOFT_APP_PASSWORD',
      'MICROSOFT_OPENID_METADATA_URL',
    ]);
  });

  it('a metadata URL switches botbuilder to custom settings, so every other one gets its public default', () => {
    const r = parseTeamsConfig({ MICROSOFT_APP_ID: APP, MICROSOFT_APP_PASSWORD: 'x', MICROSOFT_APP_TENANT_ID: TENANT, MICROSOFT_OPENID_METADATA_URL: 'http://127.0.0.1:9/meta' });
    if (!r.ok || !r.config) throw new Error('expected a config');
    expect(botFrameworkSettings(r.config)).toEqual({
      MicrosoftAppId: APP,
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppPassword: 'x',
      MicrosoftAppTenantId: TENANT,
      ToBotFromChannelOpenIdMetadataUrl: 'http://127.0.0.1:9/meta',
      ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
      ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
      ToChannelFromBotOAuthScope: 'https://api.botframework.com',
      OAuthUrl: 'https://api.botframework.com',
      ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
      CallerId: 'urn:botframework:azure',
      ValidateAuthority: true,
    });
    const plain = parseTeamsConfig({ MICROSOFT_APP_ID: APP, MICROSOFT_APP_PASSWORD: 'x', MICROSOFT_APP_TENANT_ID: TENANT });
    if (!plain.ok || !plain.config) throw new Error('expected a config');
    expect(Object.keys(botFrameworkSettings(plain.config))).toEqual(['MicrosoftAppId', 'MicrosoftAppType', 'MicrosoftAppPassword', 'MicrosoftAppTenantId']);
  });
});
