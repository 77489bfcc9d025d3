/**
 * Teams activities → plain ingress events for the one command flow. Pure: zod over the
 * activity as Teams sends it (botbuilder-js libraries/botbuilder/tests/teamsInfo.test.js has
 * real shapes), no botbuilder types. A malformed activity is a typed rejection (the route
 * answers 400 and runs nothing); a well-formed one we do not act on is `ignored` with a reason.
 *
 * - Channel posts reach the bot only when it is @mentioned (and, with RSC, every post: those
 *   without a mention are ignored here); group chats likewise; personal chats have no mention.
 *   Every `<at>` mention of the bot is removed (botbuilder's removeRecipientMention strips only
 *   the first), other mentions keep their names, Teams' HTML and entities are undone.
 * - Buttons: Action.Execute arrives as an `invoke` named `adaptiveCard/action` with the data in
 *   `value.action.data`; the Action.Submit fallback as a `message` whose `value` is the data.
 * - A channel created in a team where the bot is installed: `conversationUpdate` with
 *   `channelData.eventType` `channelCreated`.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type ConversationKind, ServiceUrl, type TeamsConversationRef, splitConversationId } from './reference';

export interface TeamsActor {
  /** Entra object ID when Teams gives one (stable across chats), else the Teams user id. */
  id: string;
  name?: string;
  /** The `29:…` id within this tenant's Teams. */
  teamsUserId: string;
}

export interface TeamsConversation {
  kind: ConversationKind;
  /** The conversation id as Teams sent it (for a channel post: the thread `…;messageid=<root>`). */
  id: string;
  /** Channel id without the thread part (channels only). */
  channelId: string | null;
  /** Root post of the thread (channels only). */
  threadRootId: string | null;
  teamId: string | null;
  /** The channel's (or chat's) name when Teams sent one (`channelData.channel.name`, else `conversation.name`); null in personal chats. */
  name: string | null;
}

interface Common {
  activityId: string;
  actor: TeamsActor;
  conversation: TeamsConversation;
  /** Where replies and the card go: the thread, for a channel post. Opaque to the core. */
  conversationReference: TeamsConversationRef;
  tenantId: string | null;
  /** Same activity redelivered by Teams → same key. */
  dedupeKey: string;
}

export type TeamsIngressEvent =
  | ({ kind: 'command'; text: string; mentioned: boolean } & Common)
  | ({
      kind: 'action';
      /** The signed button token (src/commands/button-token.ts). */
      buttonValue: string;
      via: 'execute' | 'submit';
      verb: string | null;
      /** The card the button was on. */
      replyToId: string | null;
    } & Common)
  | ({
      kind: 'act';
      /** The signed act token (src/act/token.ts). */
      buttonValue: string;
      /** The card's reason box, when it had one (Teams merges inputs into the data). */
      reason: string | undefined;
      via: 'execute' | 'submit';
      /** The message the button was on. */
      replyToId: string | null;
    } & Common)
  | {
      kind: 'channel_created';
      channel: { id: string; name: string };
      team: { id: string; name: string | null };
      /** The new channel's root: the card goes in as a new post. */
      conversationReference: TeamsConversationRef;
      tenantId: string | null;
      dedupeKey: string;
    }
  | { kind: 'ignored'; reason: string };

export type ParseActivityResult = { ok: true; event: TeamsIngressEvent } | { ok: false; message: string };

const Str = z.string().max(4096);
const Id = z.string().min(1).max(1024);

const Account = z.object({ id: Id, name: Str.nullish(), aadObjectId: Str.nullish(), role: Str.nullish() });

const Mention = z.object({
  type: z.literal('mention'),
  mentioned: z.object({ id: Id, name: Str.nullish() }),
  text: Str.nullish(),
});

const ChannelData = z
  .object({
    eventType: Str.nullish(),
    tenant: z.object({ id: Id }).nullish(),
    team: z.object({ id: Id, name: Str.nullish() }).nullish(),
    channel: z.object({ id: Id, name: Str.nullish(), membershipType: Str.nullish() }).nullish(),
  })
  .nullish();

/** Fields every activity we act on carries. */
const Base = z.object({
  type: z.string().min(1).max(64),
  id: Id,
  channelId: z.string().min(1).max(64),
  serviceUrl: ServiceUrl,
  from: Account,
  recipient: Account,
  conversation: z.object({
    id: Id,
    conversationType: Str.nullish(),
    tenantId: Str.nullish(),
    isGroup: z.boolean().nullish(),
    name: Str.nullish(),
  }),
  channelData: ChannelData,
  entities: z.array(z.unknown()).max(200).nullish(),
  text: z.string().max(100_000).nullish(),
  value: z.unknown().optional(),
  name: Str.nullish(),
  replyToId: Str.nullish(),
  locale: Str.nullish(),
});
type Base = z.infer<typeof Base>;

const Envelope = z.object({ type: z.string().min(1).max(64), channelId: z.string().max(64).nullish() });

const ExecuteValue = z.object({
  action: z.object({ type: z.literal('Action.Execute'), verb: Str.nullish(), data: z.unknown().optional() }),
});

function kindOf(a: Base): ConversationKind {
  const t = a.conversation.conversationType;
  if (t === 'channel' || t === 'groupChat' || t === 'personal') return t;
  if (a.channelData?.channel || a.channelData?.team) return 'channel';
  return a.conversation.isGroup ? 'groupChat' : 'personal';
}

function tenantOf(a: Base): string | null {
  return a.conversation.tenantId ?? a.channelData?.tenant?.id ?? null;
}

function dedupeKey(parts: string[]): string {
  return `teams:${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 40)}`;
}

function reference(a: Base, kind: ConversationKind, conversationId: string, replyTo: string | null = a.id): TeamsConversationRef {
  const tenantId = tenantOf(a);
  return {
    channelId: 'msteams',
    serviceUrl: a.serviceUrl,
    conversation: { id: conversationId, conversationType: kind, isGroup: kind !== 'personal', ...(tenantId ? { tenantId } : {}) },
    bot: { id: a.recipient.id, ...(a.recipient.name ? { name: a.recipient.name } : {}) },
    user: { id: a.from.id, ...(a.from.name ? { name: a.from.name } : {}), ...(a.from.aadObjectId ? { aadObjectId: a.from.aadObjectId } : {}) },
    ...(replyTo ? { activityId: replyTo } : {}),
    ...(a.locale ? { locale: a.locale } : {}),
  };
}

function common(a: Base): Common {
  const kind = kindOf(a);
  const { base, rootMessageId } = splitConversationId(a.conversation.id);
  // A channel post names its thread; a new post mentioning the bot is its own root.
  const threadId = kind === 'channel' ? (rootMessageId ? a.conversation.id : `${base};messageid=${a.id}`) : a.conversation.id;
  return {
    activityId: a.id,
    actor: { id: a.from.aadObjectId ?? a.from.id, ...(a.from.name ? { name: a.from.name } : {}), teamsUserId: a.from.id },
    conversation: {
      kind,
      id: a.conversation.id,
      channelId: kind === 'channel' ? (a.channelData?.channel?.id ?? base) : null,
      threadRootId: kind === 'channel' ? (rootMessageId ?? a.id) : null,
      teamId: a.channelData?.team?.id ?? null,
      name: kind === 'personal' ? null : (a.channelData?.channel?.name ?? a.conversation.name)?.trim() || null,
    },
    conversationReference: reference(a, kind, threadId),
    tenantId: tenantOf(a),
    dedupeKey: dedupeKey([a.conversation.id, a.id, a.type]),
  };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});/gi, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/**
 * The command text: every mention of the bot removed, other `<at>Name</at>` kept as the name,
 * remaining tags dropped (line breaks kept), entities decoded, non-breaking spaces normal.
 */
export function commandText(text: string, botMentions: string[]): string {
  let s = text;
  for (const m of botMentions) s = s.split(m).join(' ');
  s = s.replace(/<at[^>]*>(.*?)<\/at>/gis, '$1');
  s = s.replace(/<br\s*\/?>|<\/(p|div)>/gi, '\n').replace(/<[^>]*>/g, '');
  return decodeEntities(s).replace(/\u00a0/g, ' ').trim();
}

function botMentions(a: Base): string[] {
  const texts: string[] = [];
  for (const e of a.entities ?? []) {
    const m = Mention.safeParse(e);
    if (m.success && m.data.mentioned.id === a.recipient.id) texts.push(m.data.text ?? `<at>${m.data.mentioned.name ?? ''}</at>`);
  }
  return texts;
}

/** Our buttons' data (render/card-schema.ts ButtonData); Teams may merge other keys into it, which are dropped. */
const IncomingButton = z.object({ caracal: z.literal('button'), value: z.string().min(1).max(2000) });
/** An act button's data, with the card's reason box merged in by Teams when there was one. */
const IncomingAct = z.object({ caracal: z.literal('act'), value: z.string().min(1).max(2000), reason: z.string().max(5000).optional() });

function buttonValue(data: unknown): string | null {
  const b = IncomingButton.safeParse(data);
  return b.success ? b.data.value : null;
}

function actValue(data: unknown): { value: string; reason: string | undefined } | null {
  const a = IncomingAct.safeParse(data);
  return a.success ? { value: a.data.value, reason: a.data.reason } : null;
}

function fromMessage(a: Base): TeamsIngressEvent {
  const c = common(a);
  const submitted = buttonValue(a.value);
  if (submitted) return { kind: 'action', buttonValue: submitted, via: 'submit', verb: null, replyToId: a.replyToId ?? null, ...c };
  const act = actValue(a.value);
  if (act) return { kind: 'act', buttonValue: act.value, reason: act.reason, via: 'submit', replyToId: a.replyToId ?? null, ...c };
  if (a.value !== undefined && a.value !== null && !a.text) return { kind: 'ignored', reason: 'a card submission that is not one of our buttons' };
  const mentions = botMentions(a);
  if (c.conversation.kind !== 'personal' && mentions.length === 0) {
    return { kind: 'ignored', reason: `a ${c.conversation.kind === 'channel' ? 'channel' : 'group chat'} message that does not @mention the bot` };
  }
  return { kind: 'command', text: commandText(a.text ?? '', mentions), mentioned: mentions.length > 0, ...c };
}

function fromInvoke(a: Base): TeamsIngressEvent {
  if (a.name !== 'adaptiveCard/action') return { kind: 'ignored', reason: `invoke ${a.name ?? '(unnamed)'} is not handled` };
  const v = ExecuteValue.safeParse(a.value);
  if (!v.success) return { kind: 'ignored', reason: 'an adaptiveCard/action invoke without Action.Execute data' };
  const act = actValue(v.data.action.data);
  if (act) return { kind: 'act', buttonValue: act.value, reason: act.reason, via: 'execute', replyToId: a.replyToId ?? null, ...common(a) };
  const value = buttonValue(v.data.action.data);
  if (!value) return { kind: 'ignored', reason: 'an Action.Execute that is not one of our buttons' };
  return { kind: 'action', buttonValue: value, via: 'execute', verb: v.data.action.verb ?? null, replyToId: a.replyToId ?? null, ...common(a) };
}

function fromConversationUpdate(a: Base): TeamsIngressEvent {
  const cd = a.channelData;
  if (cd?.eventType !== 'channelCreated') return { kind: 'ignored', reason: `conversationUpdate ${cd?.eventType ?? '(no eventType)'} is not handled` };
  if (!cd.channel || !cd.team) return { kind: 'ignored', reason: 'channelCreated without channel or team' };
  if (cd.channel.membershipType === 'private') return { kind: 'ignored', reason: 'a private channel: bots cannot post there' };
  const channelId = splitConversationId(cd.channel.id).base;
  return {
    kind: 'channel_created',
    channel: { id: channelId, name: cd.channel.name ?? '' },
    team: { id: cd.team.id, name: cd.team.name ?? null },
    conversationReference: reference(a, 'channel', channelId, null),
    tenantId: tenantOf(a),
    dedupeKey: dedupeKey(['channelCreated', channelId]),
  };
}

function explain(error: z.ZodError): string {
  const i = error.issues[0];
  return `malformed Teams activity: ${i.path.join('.') || 'activity'}: ${i.message}`;
}

export function parseActivity(body: unknown): ParseActivityResult {
  const env = Envelope.safeParse(body);
  if (!env.success) return { ok: false, message: explain(env.error) };
  const { type, channelId } = env.data;
  if (type !== 'message' && type !== 'invoke' && type !== 'conversationUpdate') return { ok: true, event: { kind: 'ignored', reason: `activity type ${type} is not handled` } };
  if (channelId && channelId !== 'msteams') return { ok: true, event: { kind: 'ignored', reason: `channel ${channelId} is not Teams` } };
  const parsed = Base.safeParse(body);
  if (!parsed.success) return { ok: false, message: explain(parsed.error) };
  const a = parsed.data;
  if (a.from.id === a.recipient.id) return { ok: true, event: { kind: 'ignored', reason: "the bot's own activity" } };
  switch (type) {
    case 'message':
      return { ok: true, event: fromMessage(a) };
    case 'invoke':
      return { ok: true, event: fromInvoke(a) };
    default:
      return { ok: true, event: fromConversationUpdate(a) };
  }
}
