/**
 * Where a Teams card lives and where a new one goes, as ONE zod declaration owned by this
 * adapter: the core stores these as opaque JSON and hands them back; only this file reads
 * their fields. A stored reference is a Bot Framework conversation reference (what
 * `continueConversationAsync` needs: service URL, conversation, bot) plus, for a posted card,
 * its activity id.
 *
 * Channel threads: a channel conversation id is `19:…@thread.tacv2`; a thread in it is
 * `19:…@thread.tacv2;messageid=<root activity id>`, and posting to that id replies in the
 * thread (`replyToId` alone does not thread). Group chats and personal chats have no threads.
 *
 * The service URL is where outbound calls (with the bot's token) go, so it is only ever taken
 * from an activity whose JWT `serviceurl` claim was checked, or from configuration.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export const ServiceUrl = z.url({ protocol: /^https?$/, error: 'serviceUrl must be an http(s) URL' }).refine((u) => {
  const url = new URL(u);
  return url.protocol === 'https:' || LOOPBACK.has(url.hostname);
}, 'serviceUrl must use https (plain http only on a loopback address)');

export const CONVERSATION_KINDS = ['channel', 'groupChat', 'personal'] as const;
export type ConversationKind = (typeof CONVERSATION_KINDS)[number];

const Id = z.string().min(1).max(1024);

const Account = z.object({
  id: Id,
  name: z.string().max(512).optional(),
  aadObjectId: z.string().max(128).optional(),
});

export const TeamsConversationRef = z.object({
  channelId: z.literal('msteams'),
  serviceUrl: ServiceUrl,
  conversation: z.object({
    id: Id,
    conversationType: z.enum(CONVERSATION_KINDS),
    tenantId: z.string().max(128).optional(),
    isGroup: z.boolean().optional(),
  }),
  bot: Account,
  user: Account.optional(),
  /** The activity later posts reply to (a card reference sets it to the card). */
  activityId: z.string().max(1024).optional(),
  locale: z.string().max(64).optional(),
});
export type TeamsConversationRef = z.infer<typeof TeamsConversationRef>;

/** Where to post a new card. */
export const TeamsDestination = z.object({ conversationRef: TeamsConversationRef });
export type TeamsDestination = z.infer<typeof TeamsDestination>;

/** A posted card: its conversation (for a channel, the thread) and its activity id. */
export const TeamsMessageRef = z.object({ conversationRef: TeamsConversationRef, activityId: Id });
export type TeamsMessageRef = z.infer<typeof TeamsMessageRef>;

export type ParseRefResult<T> = { ok: true; value: T } | { ok: false; message: string };

function parseWith<T>(schema: z.ZodType<T>, what: string, json: unknown): ParseRefResult<T> {
  const r = schema.safeParse(json);
  if (r.success) return { ok: true, value: r.data };
  const i = r.error.issues[0];
  return { ok: false, message: `not a Teams ${what}: ${i.path.join('.') || 'value'}: ${i.message}` };
}

export const parseTeamsDestination = (json: unknown): ParseRefResult<TeamsDestination> => parseWith(TeamsDestination, 'destination', json);
export const parseTeamsMessageRef = (json: unknown): ParseRefResult<TeamsMessageRef> => parseWith(TeamsMessageRef, 'message reference', json);

const THREAD = /^(.*);messageid=([^;]+)$/;

/** `19:…@thread.tacv2;messageid=123` → channel `19:…@thread.tacv2`, root `123`. */
export function splitConversationId(id: string): { base: string; rootMessageId: string | null } {
  const m = THREAD.exec(id);
  return m ? { base: m[1], rootMessageId: m[2] } : { base: id, rootMessageId: null };
}

export function threadConversationId(channelId: string, rootMessageId: string): string {
  return `${splitConversationId(channelId).base};messageid=${rootMessageId}`;
}

/** A channel destination without a thread: the card becomes a new post in the channel. */
export function isChannelRoot(ref: TeamsConversationRef): boolean {
  return ref.conversation.conversationType === 'channel' && splitConversationId(ref.conversation.id).rootMessageId === null;
}

/** A short stable key for the conversation a message goes to (limiter buckets, logs). */
export function conversationKey(ref: TeamsConversationRef): string {
  return createHash('sha256').update(ref.conversation.id).digest('hex').slice(0, 32);
}

/**
 * A click belongs to this card when it came from the same conversation (the thread, for a
 * channel) and names the card's activity as the message it acts on.
 */
export function isActionOnCard(card: TeamsMessageRef, action: { conversationId: string; replyToId: string | null }): boolean {
  return action.replyToId === card.activityId && splitConversationId(action.conversationId).base === splitConversationId(card.conversationRef.conversation.id).base;
}

export interface ConfiguredDestinationOptions {
  /** Regional service URL the bot was reached on; https://smba.trafficmanager.net/teams/ is the global one. */
  serviceUrl: string;
  /** MICROSOFT_APP_ID; Teams addresses the bot as `28:<app id>`. */
  appId: string;
  tenantId?: string | null;
}

/**
 * A `teams:<conversation id>` destination from configuration (incident routes). The kind is
 * read from the id: `19:…@thread.tacv2` (and the older `@thread.skype`) is a channel, whose
 * card becomes a new post; `a:…` is a personal chat; anything else (`19:…@thread.v2`) a group
 * chat. Teams gives no way to look the conversation up, so the service URL comes from
 * configuration (the global https://smba.trafficmanager.net/teams/ works for proactive posts).
 */
export function destinationFromConversationId(conversationId: string, opts: ConfiguredDestinationOptions): ParseRefResult<TeamsDestination> {
  const id = conversationId.trim();
  const kind: ConversationKind = /@thread\.(tacv2|skype)(;|$)/.test(id) ? 'channel' : id.startsWith('a:') ? 'personal' : 'groupChat';
  return parseTeamsDestination({
    conversationRef: {
      channelId: 'msteams',
      serviceUrl: opts.serviceUrl,
      conversation: { id, conversationType: kind, isGroup: kind !== 'personal', ...(opts.tenantId ? { tenantId: opts.tenantId } : {}) },
      bot: { id: opts.appId ? `28:${opts.appId}` : '28:caracal-triage' },
    },
  });
}
