/**
 * Whom a Teams escalation @mentions (`escalate: {teams: …}`): a user's Entra (AAD) object ID, a
 * GUID, or a Teams user ID `29:…`. A mention is `<at>Name</at>` in the text plus an entity
 * naming the user (`{type: 'mention', text, mentioned: {id, name}}`, on an Adaptive Card under
 * `msteams.entities`); the name is what the text shows, `On-call` unless one is given.
 */
import type { MentionSyntax } from '../../src/triage/escalation';

const OBJECT_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const TEAMS_USER_ID = /^29:[\x21-\x7e]{1,300}$/;

export const DEFAULT_MENTION_NAME = 'On-call';

export const teamsMentions: MentionSyntax = {
  what: "a Teams user's Entra object ID (a GUID) or Teams user ID (29:…)",
  example: '00000000-0000-0000-0000-000000000000',
  check: (id) =>
    OBJECT_ID.test(id) || TEAMS_USER_ID.test(id)
      ? null
      : "is not a user's Entra object ID (a GUID such as 00000000-0000-0000-0000-000000000000) or Teams user ID (29:…)",
};
