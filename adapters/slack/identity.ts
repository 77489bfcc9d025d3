/**
 * Who the bot is (auth.test: bot user ID, bot ID, team), asked once and cached on success.
 * Hand-written because Bolt's own single-workspace authorize caches the first auth.test
 * promise even when it fails, so a Slack hiccup at start-up would break every later event;
 * here a failure is forgotten and the next request asks again. Given IDs skip the call.
 */
import type { webApi } from '@slack/bolt';

export interface SlackIdentity {
  botUserId: string;
  botId: string;
  teamId: string | null;
}

export class SlackIdentityResolver {
  private known: SlackIdentity | null;
  private pending: Promise<SlackIdentity> | null = null;
  lastError: string | null = null;

  constructor(
    private readonly client: webApi.WebClient,
    given?: Partial<SlackIdentity>,
  ) {
    this.known = given?.botUserId && given.botId ? { botUserId: given.botUserId, botId: given.botId, teamId: given.teamId ?? null } : null;
  }

  /** The identity if auth.test has succeeded (or IDs were given), else null. */
  current(): SlackIdentity | null {
    return this.known;
  }

  get(): Promise<SlackIdentity> {
    if (this.known) return Promise.resolve(this.known);
    if (!this.pending) {
      this.pending = this.client.auth
        .test()
        .then((r) => {
          if (!r.user_id || !r.bot_id) throw new Error('auth.test did not return a bot user (is SLACK_BOT_TOKEN a bot token?)');
          this.known = { botUserId: r.user_id, botId: r.bot_id, teamId: r.team_id ?? null };
          this.lastError = null;
          return this.known;
        })
        .catch((e: unknown) => {
          const data = (e as { data?: { error?: string } }).data;
          this.lastError = data?.error ?? (e instanceof Error ? e.message : String(e));
          throw e;
        })
        .finally(() => {
          this.pending = null;
        });
    }
    return this.pending;
  }
}
