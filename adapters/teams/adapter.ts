/**
 * The botbuilder `CloudAdapter`, built from TeamsConfig. Every import of botbuilder and its
 * connector stays in adapters/teams (a later move to @microsoft/agents-hosting touches only
 * this folder).
 *
 * Inbound: with an app ID, every activity's JWT is checked by botbuilder (Bearer scheme; key
 * by `kid` from the OpenID metadata's JWKS; issuer https://api.botframework.com; audience =
 * app ID; expiry with 5 minutes of skew; `serviceurl` claim = activity.serviceUrl), and here
 * additionally the signing key must carry the channel's endorsement (`msteams`): botbuilder
 * skips the endorsement check for a key that lists none. The unverified claims are looked at
 * first, so junk is refused without botbuilder's console output.
 *
 * Outbound: connector calls carry a token from Microsoft's login (msal-node) and are made
 * without the connector pipeline's own retries. That pipeline (@azure/core-rest-pipeline)
 * retries 429 up to three times honouring Retry-After and 5xx with exponential backoff,
 * inside the call: it would hold a worker slot for as long as Teams asks, out of sight of the
 * shared per-thread limiter, and would re-send a POST after a 502/504 that Teams may already
 * have stored (a duplicate reply). So the port reports 429/412/502/504 at once
 * (errors.ts) and the posting job is delayed through the shared limiter instead.
 */
import {
  CallerIdConstants,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import {
  type AuthenticateRequestResult,
  AuthenticationConstants,
  AuthenticationError,
  type ClaimsIdentity,
  type ConnectorClient,
  ConnectorFactory,
} from 'botframework-connector';
// Not re-exported from the package index; the same class botbuilder uses for its own check.
import { OpenIdMetadata } from 'botframework-connector/lib/auth/openIdMetadata';
import type { Activity } from 'botbuilder';
import type { TeamsConfig } from './config';

/** The turn a test route's or the ingress' logic runs with (so nothing outside this folder imports botbuilder). */
export type TeamsTurnContext = TurnContext;

/** Per-request ceiling for connector calls; the pipeline sets none. */
export const CONNECTOR_TIMEOUT_MS = 15_000;

interface PipelineLike {
  removePolicy(options: { phase: string }): unknown;
  addPolicy(policy: { name: string; sendRequest(request: { timeout: number }, next: (r: unknown) => Promise<unknown>): Promise<unknown> }): void;
}

/** Strips the Retry phase from a connector client's pipeline and gives requests a timeout. */
function tunePipeline(client: ConnectorClient, timeoutMs: number): ConnectorClient {
  // ServiceClientContext keeps its core-client ServiceClient in a private `client` field.
  const pipeline = (client as unknown as { client?: { pipeline?: PipelineLike } }).client?.pipeline;
  if (pipeline) {
    pipeline.removePolicy({ phase: 'Retry' });
    pipeline.addPolicy({
      name: 'caracalConnectorTimeout',
      sendRequest: (request, next) => {
        if (!request.timeout) request.timeout = timeoutMs;
        return next(request);
      },
    });
  }
  return client;
}

class TunedConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly timeoutMs: number,
  ) {
    super();
  }

  async create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    return tunePipeline(await this.inner.create(serviceUrl, audience), this.timeoutMs);
  }
}

const JWT_ERRORS = new Set(['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError']);

function bearerToken(authHeader: string): string | null {
  const [scheme, token, extra] = authHeader.split(' ');
  return scheme === 'Bearer' && token && extra === undefined ? token : null;
}

function jwtPart(token: string, i: number): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(token.split('.')[i] ?? '', 'base64url').toString('utf8'));
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const CLOCK_SKEW_SECONDS = 5 * 60;

class TeamsBotAuthentication extends ConfigurationBotFrameworkAuthentication {
  constructor(
    options: ConfigurationBotFrameworkAuthenticationOptions,
    private readonly appId: string,
    private readonly keys: OpenIdMetadata | null,
    private readonly timeoutMs: number,
  ) {
    super(options);
  }

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    if (this.keys) await this.precheck(authHeader, activity.channelId);
    let result: AuthenticateRequestResult;
    try {
      result = await super.authenticateRequest(activity, authHeader);
    } catch (e) {
      // botbuilder lets jsonwebtoken's own errors (a bad signature, a token not yet valid)
      // through, and CloudAdapter then answers 500; they are refusals like any other.
      if (e instanceof Error && JWT_ERRORS.has(e.name)) throw new AuthenticationError(`Unauthorized. ${e.message}`, 401);
      throw e;
    }
    if (result.connectorFactory) result.connectorFactory = new TunedConnectorFactory(result.connectorFactory, this.timeoutMs);
    return result;
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return new TunedConnectorFactory(super.createConnectorFactory(claimsIdentity), this.timeoutMs);
  }

  /**
   * Cheap refusals before botbuilder verifies the signature (which also prints each failure
   * with console.error): the token's unverified claims must name this bot, the channel
   * issuer and an unexpired time, and its key must be published with the channel's
   * endorsement (botbuilder skips that check for a key listing no endorsements).
   */
  private async precheck(authHeader: string, channelId: string): Promise<void> {
    const refuse = (why: string): never => {
      throw new AuthenticationError(`Unauthorized. ${why}`, 401);
    };
    const token = bearerToken(authHeader) ?? refuse('No bearer token.');
    const header = jwtPart(token, 0);
    const claims = jwtPart(token, 1);
    if (!header || !claims || token.split('.').length !== 3) refuse('Not a JWT.');
    if (claims?.iss !== AuthenticationConstants.ToBotFromChannelTokenIssuer) refuse('Wrong issuer.');
    if (claims?.aud !== this.appId) refuse('Wrong audience.');
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims?.exp !== 'number' || claims.exp + CLOCK_SKEW_SECONDS < now) refuse('The token has expired.');
    const kid = typeof header?.kid === 'string' ? header.kid : refuse('No key id.');
    const key = (await this.keys?.getKey(kid)) ?? refuse('Signing key not in the metadata.');
    if (!(key.endorsements ?? []).includes(channelId)) refuse(`The signing key is not endorsed for channel ${channelId}.`);
  }
}

/**
 * The settings botbuilder reads. Setting the OpenID metadata switches botbuilder to fully
 * custom settings (botFrameworkAuthenticationFactory), so every other one is then given its
 * public-cloud default.
 */
export function botFrameworkSettings(config: TeamsConfig): ConfigurationBotFrameworkAuthenticationOptions {
  const base: ConfigurationBotFrameworkAuthenticationOptions = {
    MicrosoftAppId: config.appId,
    MicrosoftAppType: config.appType,
    ...(config.appPassword ? { MicrosoftAppPassword: config.appPassword } : {}),
    ...(config.tenantId ? { MicrosoftAppTenantId: config.tenantId } : {}),
  };
  if (!config.openIdMetadataUrl) return base;
  return {
    ...base,
    ToBotFromChannelOpenIdMetadataUrl: config.openIdMetadataUrl,
    ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
    ValidateAuthority: true,
  };
}

export interface TeamsAdapterOptions {
  connectorTimeoutMs?: number;
}

/**
 * CloudAdapter with authentication and the turn as two steps, so the ingress route can refuse
 * (401) before anything runs and answer from its own code instead of botbuilder's `process`
 * (which prints every refusal with console.error and answers 500 with the error's message).
 */
export class TeamsCloudAdapter extends CloudAdapter {
  constructor(
    private readonly auth: TeamsBotAuthentication,
    private readonly config: TeamsConfig,
  ) {
    super(auth);
  }

  /**
   * For /readyz: Microsoft's login hands out a token for the app's credentials (msal-node keeps
   * it, so this is one login per token lifetime). With authentication off there is nothing to
   * check. Resolves with the reason when the credentials are refused or the login cannot be reached.
   */
  async credentialsProblem(): Promise<string | undefined> {
    if (!this.config.authEnabled) return undefined;
    try {
      const factory = new ConfigurationServiceClientCredentialFactory(botFrameworkSettings(this.config));
      const credentials = await factory.createCredentials(this.config.appId, AuthenticationConstants.ToChannelFromBotOAuthScope, AuthenticationConstants.ToChannelFromBotLoginUrl, true);
      await (credentials as unknown as { getToken(): Promise<string> }).getToken();
      return undefined;
    } catch (e) {
      return `Microsoft login did not accept the Teams app credentials (${e instanceof Error ? e.message.split('\n')[0]!.slice(0, 200) : String(e)})`;
    }
  }

  /** Throws botbuilder's AuthenticationError (status 401) when the request is not from the channel. */
  authenticate(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    return this.auth.authenticateRequest(activity, authHeader);
  }

  /**
   * The token alone, before the body is read: every check botbuilder makes (signature by a
   * published key endorsed for Teams, issuer, audience, expiry) against the service URL the
   * token itself names. The caller then holds the activity to it: its `serviceUrl` must be
   * `serviceUrl` (botbuilder's own serviceurl-claim check, made once the body is parsed).
   */
  async authenticateToken(authHeader: string): Promise<{ auth: AuthenticateRequestResult; serviceUrl: string }> {
    const claims = jwtPart(bearerToken(authHeader) ?? '', 1);
    const serviceUrl = typeof claims?.serviceurl === 'string' ? claims.serviceurl : '';
    const auth = await this.auth.authenticateRequest({ type: 'message', channelId: 'msteams', serviceUrl } as Activity, authHeader);
    return { auth, serviceUrl };
  }

  /** Runs one authenticated turn; the invoke response, if the logic set one. */
  runTurn(auth: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(auth, activity, logic);
  }
}

/** A CloudAdapter for the web host (inbound turns) or a worker (proactive posts only). */
export function createTeamsAdapter(config: TeamsConfig, opts: TeamsAdapterOptions = {}): TeamsCloudAdapter {
  const metadataUrl = config.openIdMetadataUrl ?? AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl;
  const keys = config.authEnabled ? new OpenIdMetadata(metadataUrl) : null;
  return new TeamsCloudAdapter(new TeamsBotAuthentication(botFrameworkSettings(config), config.appId, keys, opts.connectorTimeoutMs ?? CONNECTOR_TIMEOUT_MS), config);
}
