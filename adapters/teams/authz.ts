/**
 * Who may start triages and click card buttons in Teams: by default anyone in a conversation
 * the bot is in; TEAMS_ALLOWED_CONVERSATIONS narrows where (a channel's threads count as the
 * channel), TEAMS_ALLOWED_USERS narrows who (Entra object ID, or the 29: Teams user ID).
 */
import type { AuthzDecision } from '../../src/ingress/flow';
import type { TeamsActor, TeamsConversation } from './activity';
import type { TeamsSettings } from './settings';

export function describeAccess(s: TeamsSettings): string {
  if (!s.allowedUsers.length && !s.allowedConversations.length) return 'anyone in a conversation the bot is in';
  const parts: string[] = [];
  if (s.allowedConversations.length) parts.push(`${s.allowedConversations.length} allowed conversation(s)`);
  if (s.allowedUsers.length) parts.push(`${s.allowedUsers.length} allowed user(s)`);
  return parts.join(', ');
}

/** Whether the person is one of `ids` (TRIAGE_APPROVERS, TRIAGE_FIXERS): their Entra object ID (any case) or 29: ID. */
export function isListed(actor: TeamsActor, ids: readonly string[]): boolean {
  return ids.some((u) => u.toLowerCase() === actor.id.toLowerCase() || u === actor.teamsUserId);
}

export function checkAccess(s: TeamsSettings, actor: TeamsActor, conversation: TeamsConversation): AuthzDecision {
  const where = [conversation.id, conversation.channelId].filter((x): x is string => !!x);
  if (s.allowedConversations.length && !where.some((w) => s.allowedConversations.includes(w))) {
    return { ok: false, message: 'Caracal triage is not enabled in this conversation; nothing was started or changed. Ask the bot operators to allow it.' };
  }
  if (s.allowedUsers.length && !s.allowedUsers.some((u) => u.toLowerCase() === actor.id.toLowerCase() || u === actor.teamsUserId)) {
    return { ok: false, message: 'You are not on the list of people allowed to run Caracal triage; nothing was started or changed. Ask the bot operators to add you.' };
  }
  return { ok: true };
}

/**
 * `list all` and `show` of a triage in another conversation show private channels' and chats'
 * triages too, so they are for the people the operators named in TEAMS_ALLOWED_USERS; without
 * that list nobody is named, and nobody may.
 */
export function mayListAll(s: TeamsSettings, actor: TeamsActor): AuthzDecision {
  if (s.allowedUsers.some((u) => u.toLowerCase() === actor.id.toLowerCase() || u === actor.teamsUserId)) return { ok: true };
  return {
    ok: false,
    message: s.allowedUsers.length
      ? '`list all` shows every conversation\'s triages, private ones too, so it is for the people named in TEAMS_ALLOWED_USERS, and you are not among them. `list` shows this conversation\'s, `list mine` yours.'
      : '`list all` shows every conversation\'s triages, private ones too, so it is for the people the operators name in TEAMS_ALLOWED_USERS, and this install names nobody. `list` shows this conversation\'s, `list mine` yours.',
  };
}
