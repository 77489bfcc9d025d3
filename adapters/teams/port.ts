/**
 * The Teams ChatPort: what the posting job calls to show a triage in Teams, from any worker
 * process, with its own CloudAdapter and no inbound server (continueConversationAsync with
 * the stored conversation reference gives an authenticated connector for its service URL).
 *
 * - postCard: into the channel thread the command came from (`…;messageid=<root>`), as a new
 *   post when the destination is a channel without a thread (POST /v3/conversations; the
 *   thread is then the new post), or as a message in a group or personal chat;
 * - updateCard: PUT the card's activity;
 * - postStep / postBundle: replies to the card in its thread, sent in the order called
 *   (calls for one conversation are chained in this process).
 * Failures come out in the port's taxonomy (errors.ts); nothing here waits on Teams.
 */
import { type CloudAdapter, type ConversationReference, type Activity as BotActivity } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import { ChatPermanentError, type ChatCapabilities, type ChatPort, type Destination, type MessageRef } from '../../src/chat/port';
import type { TriageRecord } from '../../src/triage/record';
import type { StepId } from '../../src/triage/model';
import { createTeamsAdapter } from './adapter';
import type { TeamsConfig } from './config';
import { toChatError } from './errors';
import {
  type TeamsConversationRef,
  type TeamsMessageRef,
  conversationKey,
  isChannelRoot,
  parseTeamsDestination,
  parseTeamsMessageRef,
  splitConversationId,
  threadConversationId,
} from './reference';
import type { LinksConfig } from '../../src/report/config';
import { type AdaptiveCard, CARD_CONTENT_TYPE, CardLimitError, buildBundleMessage, buildNoticeMessage, buildStatusCard, buildStepMessage, buildStepsMessage } from './render';
import { buildActCard } from './render/act-card';
import type { ActMessage } from '../../src/chat/act-message';
import type { ProposeFix } from '../../src/ingress/platform';

export interface TeamsChatPortOptions {
  config: TeamsConfig;
  /** TRIAGE_SIGNING_KEY: signs the card's buttons. */
  signingKey: string;
  /** A ready adapter (shared with the web host); otherwise one is built from config. */
  adapter?: CloudAdapter;
  buttonTtlSeconds?: number;
  now?: () => Date;
  /** The triage card offers *Propose fix* (CARACAL_FIX_TOKEN is set in this worker). */
  proposeFix?: ProposeFix;
  /** Where the card's links point (page, Console, runbook). */
  links?: LinksConfig;
}


/** A card our renderer cannot fit will not fit on a retry either. */
function render(build: () => AdaptiveCard): AdaptiveCard {
  try {
    return build();
  } catch (e) {
    if (e instanceof CardLimitError) throw new ChatPermanentError('invalid_card', e.message);
    throw e;
  }
}

function messageOf(card: AdaptiveCard, ref: TeamsConversationRef, conversationId: string, replyToId?: string): Partial<BotActivity> {
  return {
    type: 'message',
    channelId: 'msteams',
    serviceUrl: ref.serviceUrl,
    from: { id: ref.bot.id, name: ref.bot.name ?? '' },
    conversation: { id: conversationId, conversationType: ref.conversation.conversationType, isGroup: ref.conversation.isGroup ?? false, name: '', ...(ref.conversation.tenantId ? { tenantId: ref.conversation.tenantId } : {}) },
    ...(replyToId ? { replyToId } : {}),
    summary: card.fallbackText,
    attachments: [{ contentType: CARD_CONTENT_TYPE, content: card }],
  };
}

function botReference(ref: TeamsConversationRef): Partial<ConversationReference> {
  return {
    channelId: ref.channelId,
    serviceUrl: ref.serviceUrl,
    conversation: { id: ref.conversation.id, conversationType: ref.conversation.conversationType, isGroup: ref.conversation.isGroup ?? false, name: '', ...(ref.conversation.tenantId ? { tenantId: ref.conversation.tenantId } : {}) },
    bot: { id: ref.bot.id, name: ref.bot.name ?? '' },
    ...(ref.user ? { user: { id: ref.user.id, name: ref.user.name ?? '' } } : {}),
    ...(ref.locale ? { locale: ref.locale } : {}),
  };
}

export class TeamsChatPort implements ChatPort {
  readonly platform = 'teams' as const;
  /** Bots cannot upload files into channels without Graph; long evidence is cut with the CLI command. */
  /** Up to four steps share one reply when a busy thread's backlog is folded. */
  readonly capabilities: ChatCapabilities = { updates: true, threads: true, ephemeral: false, files: false, foldSteps: 4 };
  private readonly adapter: CloudAdapter;
  private readonly now: () => Date;
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly opts: TeamsChatPortOptions) {
    this.adapter = opts.adapter ?? createTeamsAdapter(opts.config);
    this.now = opts.now ?? (() => new Date());
  }

  private card(triage: TriageRecord): AdaptiveCard {
    return render(() => buildStatusCard(triage, { signingKey: this.opts.signingKey, now: this.now(), buttonTtlSeconds: this.opts.buttonTtlSeconds, links: this.opts.links, proposeFix: this.opts.proposeFix }));
  }

  /** Runs `fn` with an authenticated connector for the reference's service URL; errors in the port's taxonomy. */
  private async connector<T>(method: string, ref: TeamsConversationRef, fn: (c: ConnectorClient) => Promise<T>): Promise<T> {
    const key = conversationKey(ref);
    const run = async (): Promise<T> => {
      let out: T | undefined;
      try {
        await this.adapter.continueConversationAsync(this.opts.config.appId, botReference(ref), async (ctx) => {
          const client = ctx.turnState.get<ConnectorClient>(this.adapter.ConnectorClientKey);
          out = await fn(client);
        });
      } catch (e) {
        // Reported, not logged: the posting job logs a permanent failure once and marks the triage.
        throw toChatError(e, `teams:${method}:${key}`);
      }
      return out as T;
    };
    // Calls for one conversation leave in the order they were made.
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.then(run, run);
    const tail = next.catch(() => undefined);
    this.chains.set(key, tail);
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    return next;
  }

  private destination(dest: Destination): TeamsConversationRef {
    if (dest.platform !== 'teams') throw new ChatPermanentError('wrong_platform', `a ${dest.platform} destination was given to the Teams port`);
    const parsed = parseTeamsDestination(dest);
    if (!parsed.ok) throw new ChatPermanentError('invalid_destination', parsed.message);
    return parsed.value.conversationRef;
  }

  private messageRef(ref: MessageRef): TeamsMessageRef {
    if (ref.platform !== 'teams') throw new ChatPermanentError('wrong_platform', `a ${ref.platform} message reference was given to the Teams port`);
    const parsed = parseTeamsMessageRef(ref);
    if (!parsed.ok) throw new ChatPermanentError('invalid_message_ref', parsed.message);
    return parsed.value;
  }

  conversationOf(where: Destination | MessageRef): string {
    return conversationKey(this.destination(where));
  }

  async postCard(dest: Destination, triage: TriageRecord): Promise<MessageRef> {
    return this.postTop('postCard', dest, this.card(triage));
  }

  /** A new message in a conversation: a new post in a channel (its own thread), or a message in a thread or chat. */
  private async postTop(method: string, dest: Destination, card: AdaptiveCard): Promise<MessageRef> {
    const ref = this.destination(dest);
    let conversationId = ref.conversation.id;
    let activityId: string;
    if (isChannelRoot(ref)) {
      const channelId = splitConversationId(ref.conversation.id).base;
      const created = await this.connector(method, ref, (c) =>
        c.conversations.createConversation({
          isGroup: true,
          bot: { id: ref.bot.id, name: ref.bot.name ?? '' },
          channelData: { channel: { id: channelId } },
          activity: messageOf(card, ref, channelId) as BotActivity,
          ...(ref.conversation.tenantId ? { tenantId: ref.conversation.tenantId } : {}),
          members: [],
        }),
      );
      if (!created.activityId) throw new Error('Teams created the channel post but returned no activity id');
      activityId = created.activityId;
      conversationId = created.id && splitConversationId(created.id).rootMessageId ? created.id : threadConversationId(channelId, activityId);
    } else {
      // In a thread the card replies to the thread's root; in a chat it is a plain message.
      const { rootMessageId } = splitConversationId(ref.conversation.id);
      const sent = await this.connector(method, ref, (c) =>
        rootMessageId
          ? c.conversations.replyToActivity(ref.conversation.id, rootMessageId, messageOf(card, ref, ref.conversation.id, rootMessageId) as BotActivity)
          : c.conversations.sendToConversation(ref.conversation.id, messageOf(card, ref, ref.conversation.id) as BotActivity),
      );
      if (!sent.id) throw new Error('Teams accepted the card but returned no activity id');
      activityId = sent.id;
    }
    const conversationRef: TeamsConversationRef = { ...ref, conversation: { ...ref.conversation, id: conversationId }, activityId };
    return { platform: 'teams', conversationRef, activityId };
  }

  async updateCard(ref: MessageRef, triage: TriageRecord): Promise<void> {
    const r = this.messageRef(ref);
    const card = this.card(triage);
    const conv = r.conversationRef.conversation.id;
    await this.connector('updateCard', r.conversationRef, (c) =>
      c.conversations.updateActivity(conv, r.activityId, { ...messageOf(card, r.conversationRef, conv), id: r.activityId } as BotActivity),
    );
  }

  async postStep(ref: MessageRef, triage: TriageRecord, step: StepId): Promise<void> {
    const r = this.messageRef(ref);
    await this.reply('postStep', r, render(() => buildStepMessage(triage, step)));
  }

  async postSteps(ref: MessageRef, triage: TriageRecord, steps: StepId[]): Promise<void> {
    const r = this.messageRef(ref);
    await this.reply('postSteps', r, render(() => buildStepsMessage(triage, steps)));
  }

  async postBundle(ref: MessageRef, triage: TriageRecord): Promise<void> {
    const r = this.messageRef(ref);
    await this.reply('postBundle', r, render(() => buildBundleMessage(triage)));
  }

  /** An escalation that @mentions the Teams user it names (the card's `msteams.entities`), or a reminder. */
  async postNotice(ref: MessageRef, triage: TriageRecord, key: string): Promise<void> {
    const r = this.messageRef(ref);
    await this.reply('postNotice', r, render(() => buildNoticeMessage(triage, key)));
  }

  private async reply(method: string, r: TeamsMessageRef, card: AdaptiveCard): Promise<MessageRef> {
    const conv = r.conversationRef.conversation.id;
    const sent = await this.connector(method, r.conversationRef, (c) => c.conversations.replyToActivity(conv, r.activityId, messageOf(card, r.conversationRef, conv, r.activityId) as BotActivity));
    return { platform: 'teams', conversationRef: r.conversationRef, activityId: sent.id ?? r.activityId };
  }

  /**
   * An act's message: a new message where `where` is a destination (an approval card), a reply
   * in the thread of `where` when it is a message (a proposal under a triage card, a result
   * under the proposal). Teams has no look-up, so a crash in the post window can repeat one.
   */
  async postActMessage(where: Destination | MessageRef, message: ActMessage): Promise<MessageRef> {
    const card = render(() => buildActCard(message));
    const asMessage = parseTeamsMessageRef(where);
    if (asMessage.ok) return this.reply('postActMessage', asMessage.value, card);
    return this.postTop('postActMessage', where, card);
  }

  async updateActMessage(ref: MessageRef, message: ActMessage): Promise<void> {
    const r = this.messageRef(ref);
    const card = render(() => buildActCard(message));
    const conv = r.conversationRef.conversation.id;
    await this.connector('updateActMessage', r.conversationRef, (c) => c.conversations.updateActivity(conv, r.activityId, { ...messageOf(card, r.conversationRef, conv), id: r.activityId } as BotActivity));
  }
}
