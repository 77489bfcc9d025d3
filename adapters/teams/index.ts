/**
 * Microsoft Teams set up from its settings: its ingress (`POST /api/messages`) for web
 * processes and its ChatPort for workers (its own CloudAdapter, no inbound server). The
 * registry entry (platform.ts) opens it when a process runs Teams.
 */
import type { PlatformInstance } from '../../src/ingress/platform';
import { createTeamsAdapter } from './adapter';
import { teamsConversationOf } from './channel';
import type { TeamsPlatformConfig } from './platform-config';
import { TeamsChatPort } from './port';
import { destinationFromConversationId } from './reference';
import { createTeamsRoute } from './route';

export { TEAMS_MESSAGES_PATH } from './route';
export { destinationFromConversationId } from './reference';
export { parseTeamsPlatformConfig, type TeamsPlatformConfig } from './platform-config';

export function teamsPlatform(config: TeamsPlatformConfig): PlatformInstance {
  return {
    platform: 'teams',
    describe: `teams (${config.bot.authEnabled ? config.bot.appType : 'authentication OFF'})`,
    ingress: (ctx) => createTeamsRoute(config.bot, config.settings, createTeamsAdapter(config.bot), ctx),
    port: (ctx) => new TeamsChatPort({ config: config.bot, signingKey: ctx.signingKey, links: ctx.links, proposeFix: ctx.acts?.proposeFix }),
    destination: (address) => {
      const d = destinationFromConversationId(teamsConversationOf(address), { serviceUrl: config.settings.serviceUrl, appId: config.bot.appId, tenantId: config.bot.tenantId });
      if (!d.ok) throw new Error(d.message);
      return { platform: 'teams', ...d.value };
    },
  };
}
