/**
 * Microsoft Teams as one chat platform: its ingress (`POST /api/messages`) for web processes
 * and its ChatPort for workers (its own CloudAdapter, no inbound server), from its own
 * configuration. The composition root (src/app) adds it when MICROSOFT_APP_ID is set (set to
 * the empty string, authentication is off: local testing only).
 */
import type { ChatPlatform } from '../../src/ingress/ingress';
import { createTeamsAdapter } from './adapter';
import type { TeamsPlatformConfig } from './platform-config';
import { TeamsChatPort } from './port';
import { destinationFromConversationId } from './reference';
import { createTeamsRoute } from './route';

export { TEAMS_MESSAGES_PATH } from './route';
export { destinationFromConversationId } from './reference';
export { parseTeamsPlatformConfig, type TeamsPlatformConfig } from './platform-config';

export function teamsPlatform(config: TeamsPlatformConfig): ChatPlatform {
  return {
    platform: 'teams',
    describe: `teams (${config.bot.authEnabled ? config.bot.appType : 'authentication OFF'})`,
    ingress: (ctx) => createTeamsRoute(config.bot, config.settings, createTeamsAdapter(config.bot), ctx),
    port: (ctx) => new TeamsChatPort({ config: config.bot, signingKey: ctx.signingKey }),
    destination: (conversationId) => {
      const d = destinationFromConversationId(conversationId, { serviceUrl: config.settings.serviceUrl, appId: config.bot.appId, tenantId: config.bot.tenantId });
      if (!d.ok) throw new Error(d.message);
      return { platform: 'teams', ...d.value };
    },
  };
}
