/**
 * Teams settings beyond the Bot Framework registration (config.ts): who may use the bot, which
 * new channels are incident channels, and the service URL for incident posts to a
 * `teams:<conversation id>` nobody has talked from yet.
 *
 *   TEAMS_ALLOWED_USERS            comma-separated Entra object IDs (or 29:… Teams user IDs); empty = anyone
 *   TEAMS_ALLOWED_CONVERSATIONS    comma-separated channel or chat IDs (19:…); empty = anywhere the bot is
 *   TEAMS_INCIDENT_CHANNEL_PATTERN new channels whose name matches get the readiness-first bundle (default ^inc[- ], any case)
 *   TEAMS_SERVICE_URL              Bot Connector URL for posts into conversations the bot has not heard from
 *                                  (default https://smba.trafficmanager.net/teams/, the global one)
 */
import { type Env, list, parseEnvGroup, text, url } from '../../src/config/fields';
import { type Parsed } from '../../src/config/problems';

export interface TeamsSettings {
  allowedUsers: string[];
  allowedConversations: string[];
  incidentChannelPattern: RegExp;
  serviceUrl: string;
}

const shape = {
  TEAMS_ALLOWED_USERS: list({ item: /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|29:\S+)$/i, what: 'Entra object IDs or 29: Teams user IDs', example: '00000000-0000-0000-0000-000000000000' }),
  TEAMS_ALLOWED_CONVERSATIONS: list({ item: /^(19:|a:)\S+$/, what: 'Teams channel or chat IDs', example: '19:abc@thread.tacv2' }),
  TEAMS_INCIDENT_CHANNEL_PATTERN: text({ default: '^inc[- ]' }),
  TEAMS_SERVICE_URL: url({ protocols: ['https', 'http'], example: 'https://smba.trafficmanager.net/teams/', optional: true, keepSlash: true }),
};

export function parseTeamsSettings(env: Env): Parsed<TeamsSettings> {
  const r = parseEnvGroup(shape, env);
  if (!r.ok) return r;
  let pattern: RegExp;
  try {
    pattern = new RegExp(r.value.TEAMS_INCIDENT_CHANNEL_PATTERN!, 'i');
  } catch {
    return { ok: false, problems: [{ variable: 'TEAMS_INCIDENT_CHANNEL_PATTERN', message: 'must be a valid regular expression, e.g. ^inc[- ]' }] };
  }
  const serviceUrl = r.value.TEAMS_SERVICE_URL ?? 'https://smba.trafficmanager.net/teams/';
  if (serviceUrl.startsWith('http:') && !/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(serviceUrl)) {
    return { ok: false, problems: [{ variable: 'TEAMS_SERVICE_URL', message: 'must use https (plain http only on a loopback address), e.g. https://smba.trafficmanager.net/teams/' }] };
  }
  return { ok: true, value: { allowedUsers: r.value.TEAMS_ALLOWED_USERS, allowedConversations: r.value.TEAMS_ALLOWED_CONVERSATIONS, incidentChannelPattern: pattern, serviceUrl } };
}
