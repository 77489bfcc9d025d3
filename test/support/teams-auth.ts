/**
 * Bot Framework authentication without Microsoft, both directions:
 * - inbound: an OpenID metadata document and its JWKS served on loopback (what
 *   MICROSOFT_OPENID_METADATA_URL points at), RSA keys made with node:crypto and published
 *   with `endorsements`, and RS256 channel tokens signed with `crypto.sign`;
 * - outbound: Microsoft's login (msal-node's client-credentials token request and the
 *   tenant's OpenID discovery) intercepted with nock, so the bot's replies carry a bearer
 *   token that the fake connector can check. Only login.microsoftonline.com is intercepted;
 *   everything else must be loopback.
 */
import { type KeyObject, createPrivateKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';

export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  /** The JWK as published (n, e, kid, endorsements). */
  jwk: Record<string, unknown>;
}

export function makeSigningKey(kid: string, endorsements: string[] | null = ['msteams']): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pub = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
  const jwk: Record<string, unknown> = { kty: 'RSA', use: 'sig', alg: 'RS256', kid, n: pub.n, e: pub.e };
  if (endorsements) jwk.endorsements = endorsements;
  return { kid, privateKey: createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' })), jwk };
}

export interface OpenIdServer {
  /** MICROSOFT_OPENID_METADATA_URL */
  metadataUrl: string;
  /** How many times the metadata and the keys were fetched. */
  fetches: { metadata: number; keys: number };
  close(): Promise<void>;
}

/** Serves `{issuer, jwks_uri}` and `{keys}` on 127.0.0.1. */
export async function startOpenIdServer(keys: SigningKey[]): Promise<OpenIdServer> {
  const fetches = { metadata: 0, keys: 0 };
  let base = '';
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/v1/.well-known/openidconfiguration') {
      fetches.metadata++;
      res.end(JSON.stringify({ issuer: BOT_FRAMEWORK_ISSUER, jwks_uri: `${base}/v1/.well-known/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
      return;
    }
    if (req.url === '/v1/.well-known/keys') {
      fetches.keys++;
      res.end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
      return;
    }
    res.statusCode = 404;
    res.end('{}');
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    metadataUrl: `${base}/v1/.well-known/openidconfiguration`,
    fetches,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface ChannelTokenClaims {
  aud: string;
  serviceurl: string;
  iss?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  notBeforeIn?: number;
  extra?: Record<string, unknown>;
}

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/** An RS256 JWT as the Bot Framework channel signs it. */
export function signChannelToken(key: SigningKey, claims: ChannelTokenClaims): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', typ: 'JWT', kid: key.kid, x5t: key.kid };
  const payload = {
    serviceurl: claims.serviceurl,
    nbf: now + (claims.notBeforeIn ?? -60),
    exp: now + (claims.expiresIn ?? 3600),
    iss: claims.iss ?? BOT_FRAMEWORK_ISSUER,
    aud: claims.aud,
    ...claims.extra,
  };
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
}

export interface MicrosoftLogin {
  /** The access token the login hands out: replies must carry `Bearer <token>`. */
  token: string;
  /** Token requests received (form bodies, client secret redacted). */
  tokenRequests: Array<Record<string, string>>;
  done(): void;
}

/**
 * Intercepts the tenant's login at https://login.microsoftonline.com for the client-credentials
 * grant msal-node makes: OpenID discovery for the tenant, then POST …/oauth2/v2.0/token.
 * Network access other than loopback is refused while it is active.
 */
export function interceptMicrosoftLogin(tenant: string): MicrosoftLogin {
  const token = `login-token-${randomUUID()}`;
  const tokenRequests: Array<Record<string, string>> = [];
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  const host = 'https://login.microsoftonline.com';
  const authority = `${host}/${tenant}`;
  nock(host)
    .persist()
    .get(`/${tenant}/v2.0/.well-known/openid-configuration`)
    .query(true)
    .reply(200, {
      token_endpoint: `${authority}/oauth2/v2.0/token`,
      issuer: `${host}/${tenant}/v2.0`,
      authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
      jwks_uri: `${host}/${tenant}/discovery/v2.0/keys`,
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    })
    .get(/\/common\/discovery\/instance.*/)
    .reply(200, {
      tenant_discovery_endpoint: `${authority}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: 'login.microsoftonline.com', preferred_cache: 'login.windows.net', aliases: ['login.microsoftonline.com', 'login.windows.net'] }],
    })
    .post(`/${tenant}/oauth2/v2.0/token`)
    .query(true)
    .reply(200, (_uri, body) => {
      const form = Object.fromEntries(new URLSearchParams(String(body)));
      if (form.client_secret) form.client_secret = '[redacted]';
      tokenRequests.push(form);
      return { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token };
    });
  return {
    token,
    tokenRequests,
    /** Removes the interception entirely: nock patches node's http module, which jest shares between test files. */
    done() {
      nock.cleanAll();
      nock.enableNetConnect();
      nock.restore();
    },
  };
}
