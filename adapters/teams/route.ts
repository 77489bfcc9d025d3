/**
 * Teams on the shared web host: `POST /api/messages`. The host refuses a request without a
 * Bearer token from its headers alone (when authentication is on) and caps the body; the JWT is
 * then checked, only then the activity parsed (its tenant checked) and the turn run by the
 * framework-free handler (ingress.ts), which answers 400, 401, 403, 200 or the invoke response.
 */
import type { Request, Response } from 'express';
import { BODY_NOT_SIGNED, refuse, type HeaderBag, type Precheck } from '../../src/ingress/edge';
import type { Ingress, IngressContext } from '../../src/ingress/ingress';
import type { RawBodyRequest } from '../../src/ingress/ingress';
import type { TeamsCloudAdapter } from './adapter';
import { AUTH_OFF_WARNING, type TeamsConfig } from './config';
import { teamsEventHandler } from './handlers';
import { createTeamsIngress, refuseWithoutToken } from './ingress';
import type { TeamsSettings } from './settings';

export const TEAMS_MESSAGES_PATH = '/api/messages';
/**
 * Largest activity taken. Teams sends a message's text twice (plain and as an HTML
 * attachment) plus its entities, so a long pasted error body makes an activity of tens of KB.
 */
export const TEAMS_MAX_BODY_BYTES = 128 * 1024;

export function createTeamsRoute(config: TeamsConfig, settings: TeamsSettings, adapter: TeamsCloudAdapter, ctx: IngressContext): Ingress {
  const logger = ctx.logger.child({ component: 'teams' });
  const handle = createTeamsIngress({ adapter, config, logger });
  const onEvent = teamsEventHandler(ctx, settings, logger);
  const precheck = (headers: HeaderBag): Precheck =>
    refuseWithoutToken(headers, config) ? refuse('missing_credentials', 'Authorization: Bearer <Bot Framework token> is missing') : { ok: true, body: BODY_NOT_SIGNED };
  const handler = async (req: Request, res: Response): Promise<void> => {
    // Raw: parsed by the handler once the token checks out.
    const answer = await handle({ method: req.method, headers: req.headers, body: (req as RawBodyRequest).rawBody ?? Buffer.alloc(0) }, onEvent);
    if (answer.body === undefined) res.status(answer.status).end();
    else res.status(answer.status).json(answer.body);
  };
  return {
    name: 'teams',
    routes: [{ method: 'POST', path: TEAMS_MESSAGES_PATH, handler, maxBodyBytes: TEAMS_MAX_BODY_BYTES, precheck, kindOf: () => 'activity' }],
    readiness: [{ name: 'teams', check: () => adapter.credentialsProblem() }],
    async start() {
      if (!config.authEnabled) logger.warn(AUTH_OFF_WARNING);
    },
    async stop() {},
  };
}
