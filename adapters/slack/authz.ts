/**
 * Who may start triages and click card buttons. By default anyone in a channel the bot is
 * in. Allow-lists (TRIAGE_ALLOWED_USERS, TRIAGE_ALLOWED_USERGROUPS, TRIAGE_ALLOWED_CHANNELS)
 * narrow it: the channel must be listed (when channels are listed) and the user must be
 * listed or belong to a listed user group (when users or groups are listed).
 *
 * User-group membership comes from usergroups.users.list (scope usergroups:read), loaded at
 * start and refreshed in the background, so the check before an ack is a memory lookup, never a
 * Slack call. The same members answer whether someone is in TRIAGE_APPROVERS or TRIAGE_FIXERS
 * (src/act), which may list user groups (`S…`) beside users.
 */
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';

export interface AuthzConfig {
  allowedUsers: string[];
  allowedUsergroups: string[];
  allowedChannels: string[];
}

export type AuthzDecision = { ok: true } | { ok: false; message: string };

export const REFRESH_MS = 5 * 60_000;

/** Slack user-group IDs start with S (users with U or W). */
const USERGROUP_ID = /^S[A-Z0-9]{2,}$/;

export class SlackAuthorizer {
  private groupMembers = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | null = null;

  /** User groups whose members are loaded: the allow-list's and those among the act lists' IDs. */
  private readonly groups: string[];

  constructor(
    private readonly cfg: AuthzConfig,
    private readonly client: webApi.WebClient | null,
    private readonly logger: Logger,
    /** IDs of TRIAGE_APPROVERS and TRIAGE_FIXERS: the user groups among them are loaded too. */
    listedIds: readonly string[] = [],
  ) {
    this.groups = [...new Set([...cfg.allowedUsergroups, ...listedIds.filter((id) => USERGROUP_ID.test(id))])];
  }

  get restricted(): boolean {
    return this.cfg.allowedUsers.length + this.cfg.allowedUsergroups.length + this.cfg.allowedChannels.length > 0;
  }

  describe(): string {
    if (!this.restricted) return 'anyone in a channel the bot is in';
    const parts: string[] = [];
    if (this.cfg.allowedChannels.length) parts.push(`${this.cfg.allowedChannels.length} allowed channel(s)`);
    if (this.cfg.allowedUsers.length) parts.push(`${this.cfg.allowedUsers.length} allowed user(s)`);
    if (this.cfg.allowedUsergroups.length) parts.push(`${this.cfg.allowedUsergroups.length} allowed user group(s)`);
    return parts.join(', ');
  }

  /** Load group members now and keep them fresh; no-op without user groups. */
  async start(): Promise<void> {
    if (this.groups.length === 0 || !this.client) return;
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async refresh(): Promise<void> {
    const client = this.client;
    if (!client) return;
    await Promise.all(
      this.groups.map(async (usergroup) => {
        try {
          const res = await client.usergroups.users.list({ usergroup });
          this.groupMembers.set(usergroup, new Set(res.users ?? []));
        } catch (e) {
          // Keep the last good list; a group never loaded simply admits nobody yet.
          this.logger.warn({ usergroup, error: (e as { data?: { error?: string } }).data?.error ?? (e as Error).message }, 'could not load user group members');
        }
      }),
    );
  }

  /** Whether the user is one of `ids`, or a member of a user group among them (as last loaded). */
  isListed(userId: string | undefined, ids: readonly string[]): boolean {
    if (!userId) return false;
    return ids.includes(userId) || ids.some((g) => this.groupMembers.get(g)?.has(userId) === true);
  }

  /**
   * `list all` and `show` of a triage in another channel show private channels' triages too, so
   * they are for the people the operators named: in TRIAGE_ALLOWED_USERS or a member of a
   * TRIAGE_ALLOWED_USERGROUPS group. Without either list nobody is named, and nobody may.
   */
  mayListAll(userId: string | undefined): AuthzDecision {
    const { allowedUsers, allowedUsergroups } = this.cfg;
    if (userId && (allowedUsers.includes(userId) || allowedUsergroups.some((g) => this.groupMembers.get(g)?.has(userId)))) return { ok: true };
    const named = allowedUsers.length + allowedUsergroups.length > 0;
    return {
      ok: false,
      message: named
        ? '`list all` shows every channel\'s triages, private ones too, so it is for the people named in TRIAGE_ALLOWED_USERS or TRIAGE_ALLOWED_USERGROUPS, and you are not among them. `list` shows this channel\'s, `list mine` yours.'
        : '`list all` shows every channel\'s triages, private ones too, so it is for the people the operators name in TRIAGE_ALLOWED_USERS or TRIAGE_ALLOWED_USERGROUPS, and this install names nobody. `list` shows this channel\'s, `list mine` yours.',
    };
  }

  check(userId: string | undefined, channelId: string | undefined): AuthzDecision {
    const { allowedUsers, allowedUsergroups, allowedChannels } = this.cfg;
    if (allowedChannels.length > 0 && !(channelId && allowedChannels.includes(channelId))) {
      return { ok: false, message: 'Caracal triage is not enabled in this channel; nothing was started or changed. Ask the bot operators to allow it.' };
    }
    if (allowedUsers.length === 0 && allowedUsergroups.length === 0) return { ok: true };
    if (userId && allowedUsers.includes(userId)) return { ok: true };
    if (userId && allowedUsergroups.some((g) => this.groupMembers.get(g)?.has(userId))) return { ok: true };
    return { ok: false, message: 'You are not on the list of people allowed to run Caracal triage; nothing was started or changed. Ask the bot operators to add you.' };
  }
}
