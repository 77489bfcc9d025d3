/**
 * Whom a Slack escalation mentions (`escalate: {slack: …}`): a user group `S…` (`<!subteam^S…>`,
 * which notifies its members) or a user `U…`/`W…` (`<@U…>`). IDs, not handles: Slack renders
 * the group's or person's current name from the ID, and a handle can be renamed away.
 */
import type { MentionSyntax } from '../../src/triage/escalation';

export const SLACK_USERGROUP_ID = /^S[A-Z0-9]{2,40}$/;
export const SLACK_USER_ID = /^[UW][A-Z0-9]{2,40}$/;

export const slackMentions: MentionSyntax = {
  what: 'a Slack user group ID (S…) or user ID (U…, W…)',
  example: 'S0ONCALL1',
  check: (id) =>
    SLACK_USERGROUP_ID.test(id) || SLACK_USER_ID.test(id)
      ? null
      : 'is not a Slack user group ID (S…) or user ID (U…, W…) in capitals and digits; copy it from the group\'s or profile\'s menu ("Copy … ID")',
};

/** The mention markup of an ID slackMentions accepted; null for anything else. */
export function slackMention(id: string): string | null {
  if (SLACK_USERGROUP_ID.test(id)) return `<!subteam^${id}>`;
  if (SLACK_USER_ID.test(id)) return `<@${id}>`;
  return null;
}
