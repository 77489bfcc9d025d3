/**
 * The Slack ChatPort: what the posting jobs call to show a triage in Slack. The card is a
 * channel message (chat.postMessage, later chat.update); step evidence (one step, or several
 * folded into one reply when the channel is busy) and the bundle are replies in its thread;
 * long content is uploaded into the thread as a file (files.uploadV2) when the capability is on.
 *
 * Exactly once: every post carries its identity as message metadata (`caracal_triage_post`,
 * payload `triage_id` and `post_key`), and `findPost` finds it again after a crash with
 * conversations.history (the card) or conversations.replies (a reply), both with
 * include_all_metadata (scopes channels:history, groups:history). Posts are sent without the
 * SDK's own retries: a request that timed out may have been stored, and the posting job looks
 * before it posts again. Rate limits and permanent failures are reported in the port's error
 * taxonomy (errors.ts): a 429 comes back at once carrying Retry-After, so the posting job is
 * delayed instead of holding a worker. Only a file upload retries once after a short (≤ 2 s) limit.
 */
import { webApi, type types } from '@slack/bolt';
import pino, { type Logger } from 'pino';
import { z } from 'zod';
import { ChatPermanentError, type CardExtras, type ChatCapabilities, type ChatPort, type Destination, type FoundPost, type MessageRef, type PostIdentity, type PostOptions } from '../../src/chat/port';
import type { TriageRecord } from '../../src/triage/record';
import type { LinksConfig } from '../../src/report/config';
import type { StepId } from '../../src/triage/model';
import { asSlackDestination, asSlackRef, SlackMessageRef, slackConversation } from './address';
import { slackClientOptions } from './client';
import { isRateLimited, METADATA_SLACK_ERRORS, slackErrorCode, toChatError } from './errors';
import { BlockLimitError, buildBundleMessage, buildNoticeMessage, buildStatusCard, buildStepMessage, buildStepsMessage, type FileAttachment, type SlackMessage } from './render';
import { buildActMessage } from './render/act-message';
import type { ActMessage } from '../../src/chat/act-message';
import type { ProposeFix } from '../../src/ingress/platform';

/** The metadata event type every post of ours carries. */
export const POST_EVENT_TYPE = 'caracal_triage_post';

export interface SlackChatPortOptions {
  /** SLACK_BOT_TOKEN. */
  token: string;
  /** TRIAGE_SIGNING_KEY: signs the card's buttons. */
  signingKey: string;
  /** SLACK_API_URL. */
  apiUrl?: string | null;
  /** Upload long evidence and bundles as files (needs files:write). Default true. */
  files?: boolean;
  logger?: Logger;
  /** A ready client (tests, shared pools); otherwise one is built from token/apiUrl. */
  client?: webApi.WebClient;
  buttonTtlSeconds?: number;
  now?: () => Date;
  /** The triage card offers *Propose fix* (CARACAL_FIX_TOKEN is set in this worker). */
  proposeFix?: ProposeFix;
  /** Where the card's links point (page, Console, runbook). */
  links?: LinksConfig;
}

/** A thread reply's reference: the card's fields plus the reply's own ts. */
const ReplyRef = SlackMessageRef.extend({ threadTs: z.string().regex(/^\d+\.\d+$/).optional() });
type ReplyRef = z.infer<typeof ReplyRef>;

/** What we read of a message from conversations.history / replies. */
const SlackMessageItem = z.looseObject({
  ts: z.string(),
  bot_id: z.string().optional(),
  metadata: z.looseObject({ event_type: z.string(), event_payload: z.record(z.string(), z.unknown()).optional() }).optional(),
  files: z.array(z.looseObject({ name: z.string().optional() })).optional(),
});
const MessagePage = z.looseObject({
  messages: z.array(z.unknown()).optional(),
  has_more: z.boolean().optional(),
  response_metadata: z.looseObject({ next_cursor: z.string().optional() }).optional(),
});

/** Pages read per look-up (200 messages each): a busy channel's last few hours, a long thread. */
const LOOKUP_PAGES = 5;

/** What `findPost` hands back to the post methods: the file names already in the thread. */
interface FoundDetail {
  files: string[];
}

/** A message our renderer cannot fit in Block Kit will not fit on a retry either. */
function render<M>(build: () => M): M {
  try {
    return build();
  } catch (e) {
    if (e instanceof BlockLimitError) throw new ChatPermanentError('invalid_blocks', e.message);
    throw e;
  }
}

const metadataOf = (identity: PostIdentity | undefined): webApi.ChatPostMessageArguments['metadata'] =>
  identity ? { event_type: POST_EVENT_TYPE, event_payload: { triage_id: identity.triageId, post_key: identity.key } } : undefined;

export class SlackChatPort implements ChatPort {
  readonly platform = 'slack' as const;
  readonly capabilities: ChatCapabilities;
  private readonly client: webApi.WebClient;
  /** Posts go without SDK retries (see the file comment). */
  private readonly poster: webApi.WebClient;
  private readonly log: Logger;
  private readonly now: () => Date;
  private workspace: Promise<{ url: string | null; botId: string | null }> | null = null;

  constructor(private readonly opts: SlackChatPortOptions) {
    const base = opts.logger ?? pino({ level: 'silent' });
    this.log = base.child({ component: 'slack-port' });
    const options = slackClientOptions({ apiUrl: opts.apiUrl, logger: base });
    this.client = opts.client ?? new webApi.WebClient(opts.token, options);
    this.poster = opts.client ?? new webApi.WebClient(opts.token, { ...options, retryConfig: { retries: 0 } });
    this.capabilities = { updates: true, threads: true, ephemeral: true, files: opts.files ?? true, foldSteps: 8 };
    this.now = opts.now ?? (() => new Date());
  }

  private card(triage: TriageRecord, extras: CardExtras = {}): SlackMessage {
    return render(() =>
      buildStatusCard(triage, {
        signingKey: this.opts.signingKey,
        now: this.now(),
        buttonTtlSeconds: this.opts.buttonTtlSeconds,
        proposeFix: this.opts.proposeFix,
        links: this.opts.links,
        ...(extras.bundle ? { bundleLink: extras.bundle.link } : {}),
      }),
    );
  }

  private async call<T>(method: string, channel: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toChatError(e, `slack:${method}:${channel}`);
    }
  }

  /**
   * chat.postMessage with our metadata; a refusal of the metadata alone posts the message without
   * it, and one of its image (Slack could not fetch the watch chart from TRIAGE_PUBLIC_URL) posts
   * it without the image.
   */
  private async postMessage(args: webApi.ChatPostMessageArguments): Promise<webApi.ChatPostMessageResponse> {
    const client = this.poster;
    try {
      return await client.chat.postMessage(args);
    } catch (e) {
      const code = slackErrorCode(e);
      const plain = this.withoutImage(e, args.channel, (args as { blocks?: unknown }).blocks);
      if (plain) return this.postMessage({ ...args, blocks: plain } as webApi.ChatPostMessageArguments);
      if (!args.metadata || !code || !METADATA_SLACK_ERRORS.has(code)) throw e;
      this.log.warn({ channel: args.channel, error: code }, 'Slack refused the message metadata; posted without it (a crash right now could repeat this post)');
      return client.chat.postMessage({ ...args, metadata: undefined });
    }
  }

  /** chat.update, again without the image when Slack refused the blocks for it (as postMessage). */
  private async updateMessage(r: SlackMessageRef, msg: SlackMessage): Promise<webApi.ChatUpdateResponse> {
    try {
      return await this.client.chat.update({ channel: r.channel, ts: r.ts, text: msg.text, blocks: msg.blocks });
    } catch (e) {
      const plain = this.withoutImage(e, r.channel, msg.blocks);
      if (!plain) throw e;
      return this.client.chat.update({ channel: r.channel, ts: r.ts, text: msg.text, blocks: plain });
    }
  }

  /**
   * The blocks without their image, when Slack refused blocks that hold one (it fetches an
   * image block's URL when the message is posted, and refuses the message when it cannot: a
   * TRIAGE_PUBLIC_URL Slack does not reach). Null when that is not what happened.
   */
  private withoutImage(e: unknown, channel: string, blocks: unknown): types.KnownBlock[] | null {
    if (slackErrorCode(e) !== 'invalid_blocks' || !Array.isArray(blocks)) return null;
    const kept = (blocks as types.KnownBlock[]).filter((b) => b.type !== 'image');
    if (kept.length === blocks.length) return null;
    this.log.warn({ channel }, "Slack refused the card's chart image (can Slack reach TRIAGE_PUBLIC_URL?); posted the card with the text sparkline only");
    return kept;
  }

  conversationOf(where: Destination | MessageRef): string {
    return slackConversation(where);
  }

  async postCard(to: Destination, triage: TriageRecord, opts: PostOptions = {}): Promise<MessageRef> {
    const dest = asSlackDestination(to);
    if (opts.found) return opts.found.ref;
    const msg = this.card(triage);
    const post = () =>
      this.postMessage({ channel: dest.channel, text: msg.text, blocks: msg.blocks, unfurl_links: false, unfurl_media: false, metadata: metadataOf(opts.identity) });
    let res: webApi.ChatPostMessageResponse;
    try {
      res = await post();
    } catch (e) {
      if (slackErrorCode(e) !== 'not_in_channel') throw toChatError(e, `slack:chat.postMessage:${dest.channel}`);
      // Public channels can be joined (channels:join); private ones need an /invite.
      try {
        await this.client.conversations.join({ channel: dest.channel });
      } catch (joinError) {
        if (isRateLimited(joinError)) throw toChatError(joinError, `slack:conversations.join:${dest.channel}`);
        throw new ChatPermanentError(
          'not_in_channel',
          `Slack refused slack:chat.postMessage:${dest.channel}: the bot is not in this channel and cannot join it (${slackErrorCode(joinError) ?? 'error'}); invite it with /invite @Caracal`,
          'conversation',
        );
      }
      res = await this.call('chat.postMessage', dest.channel, post);
    }
    if (!res.ts) throw new Error('chat.postMessage returned no ts');
    const ref: SlackMessageRef = { platform: 'slack', channel: res.channel ?? dest.channel, ts: res.ts };
    if (dest.teamId) ref.teamId = dest.teamId;
    return ref;
  }

  async updateCard(ref: MessageRef, triage: TriageRecord, extras: CardExtras = {}): Promise<void> {
    const r = asSlackRef(ref);
    const msg = this.card(triage, extras);
    await this.call('chat.update', r.channel, () => this.updateMessage(r, msg));
  }

  async postStep(ref: MessageRef, triage: TriageRecord, step: StepId, opts: PostOptions = {}): Promise<MessageRef> {
    return this.reply(asSlackRef(ref), render(() => buildStepMessage(triage, step, { files: this.capabilities.files })), opts);
  }

  async postSteps(ref: MessageRef, triage: TriageRecord, steps: StepId[], opts: PostOptions = {}): Promise<MessageRef> {
    const msg = steps.length === 1 ? () => buildStepMessage(triage, steps[0]!, { files: this.capabilities.files }) : () => buildStepsMessage(triage, steps, { files: this.capabilities.files });
    return this.reply(asSlackRef(ref), render(msg), opts);
  }

  async postBundle(ref: MessageRef, triage: TriageRecord, opts: PostOptions = {}): Promise<MessageRef> {
    return this.reply(asSlackRef(ref), render(() => buildBundleMessage(triage, { files: this.capabilities.files })), opts);
  }

  /** An escalation's mention of the user group or user it names, or a reminder: a reply like any other. */
  async postNotice(ref: MessageRef, triage: TriageRecord, key: string, opts: PostOptions = {}): Promise<MessageRef> {
    return this.reply(asSlackRef(ref), render(() => buildNoticeMessage(triage, key)), opts);
  }

  private async reply(r: SlackMessageRef, msg: SlackMessage & { file?: FileAttachment }, opts: PostOptions): Promise<MessageRef> {
    if (opts.found) {
      // Posted by a run that died before recording it: only its file may be missing.
      const seen = (opts.found.detail as FoundDetail | undefined)?.files ?? [];
      if (msg.file && !seen.includes(msg.file.filename)) await this.upload(r, msg.file);
      return opts.found.ref;
    }
    const res = await this.call('chat.postMessage', r.channel, () =>
      this.postMessage({ channel: r.channel, thread_ts: r.ts, text: msg.text, blocks: msg.blocks, unfurl_links: false, unfurl_media: false, metadata: metadataOf(opts.identity) }),
    );
    if (msg.file) await this.upload(r, msg.file);
    const reply: ReplyRef = { platform: 'slack', channel: r.channel, ts: res.ts ?? r.ts, threadTs: r.ts };
    if (r.teamId) reply.teamId = r.teamId;
    return reply;
  }

  /**
   * An act's message: a new message in the channel (`where` a destination: an approval card), or
   * a reply in a message's thread (`where` a message: a proposal under the triage card, a result
   * under the proposal, which Slack puts in the same thread).
   */
  async postActMessage(where: Destination | MessageRef, message: ActMessage, opts: PostOptions = {}): Promise<MessageRef> {
    if (opts.found) return opts.found.ref;
    const msg = render(() => buildActMessage(message));
    const parent = ReplyRef.safeParse(where);
    if (parent.success) {
      const r = parent.data;
      const threadTs = r.threadTs ?? r.ts;
      const res = await this.call('chat.postMessage', r.channel, () =>
        this.postMessage({ channel: r.channel, thread_ts: threadTs, text: msg.text, blocks: msg.blocks, unfurl_links: false, unfurl_media: false, metadata: metadataOf(opts.identity) }),
      );
      const reply: ReplyRef = { platform: 'slack', channel: r.channel, ts: res.ts ?? r.ts, threadTs };
      if (r.teamId) reply.teamId = r.teamId;
      return reply;
    }
    const dest = asSlackDestination(where);
    const res = await this.call('chat.postMessage', dest.channel, () =>
      this.postMessage({ channel: dest.channel, text: msg.text, blocks: msg.blocks, unfurl_links: false, unfurl_media: false, metadata: metadataOf(opts.identity) }),
    );
    if (!res.ts) throw new Error('chat.postMessage returned no ts');
    const ref: SlackMessageRef = { platform: 'slack', channel: res.channel ?? dest.channel, ts: res.ts };
    if (dest.teamId) ref.teamId = dest.teamId;
    return ref;
  }

  async updateActMessage(ref: MessageRef, message: ActMessage): Promise<void> {
    const r = asSlackRef(ref);
    const msg = render(() => buildActMessage(message));
    await this.call('chat.update', r.channel, () => this.updateMessage(r, msg));
  }

  /**
   * The file goes after its message, so the message (what people read) is never lost to an
   * upload problem. An upload that fails is logged and dropped rather than failing the job:
   * a retried job would post the message twice. One quick retry covers a short rate limit.
   */
  private async upload(r: SlackMessageRef, file: FileAttachment): Promise<void> {
    const send = () =>
      this.client.files.uploadV2({ channel_id: r.channel, thread_ts: r.ts, content: file.content, filename: file.filename, title: file.title });
    try {
      await send();
    } catch (first) {
      let e: unknown = first;
      if (isRateLimited(first) && first.retryAfter <= 2) {
        await new Promise((res) => setTimeout(res, first.retryAfter * 1000));
        try {
          await send();
          return;
        } catch (again) {
          e = again;
        }
      }
      this.log.warn({ channel: r.channel, file: file.filename, error: slackErrorCode(e) ?? (e as Error).message }, 'file upload failed; the message was posted without it');
    }
  }

  /** auth.test once (its workspace URL builds permalinks; its bot ID tells our messages apart), retried after a failure. */
  private identity(): Promise<{ url: string | null; botId: string | null }> {
    this.workspace ??= this.client.auth.test().then(
      (r) => {
        const url = z.url({ protocol: /^https?$/ }).safeParse(r.url);
        return { url: url.success ? url.data.replace(/\/?$/, '/') : null, botId: r.bot_id ?? null };
      },
      (e: unknown) => {
        this.workspace = null;
        this.log.warn({ error: slackErrorCode(e) ?? (e as Error).message }, 'auth.test failed; no permalinks for now');
        return { url: null, botId: null };
      },
    );
    return this.workspace;
  }

  async permalink(ref: MessageRef): Promise<string | null> {
    const r = ReplyRef.safeParse(ref);
    if (!r.success) return null;
    const { url } = await this.identity();
    if (!url) return null;
    const base = `${url}archives/${r.data.channel}/p${r.data.ts.replace('.', '')}`;
    return r.data.threadTs && r.data.threadTs !== r.data.ts ? `${base}?thread_ts=${r.data.threadTs}&cid=${r.data.channel}` : base;
  }

  /**
   * Our message with this identity: among the card's replies (`where` is the card), or among
   * the channel's messages since `since` (`where` is the destination: the card itself).
   */
  async findPost(where: Destination | MessageRef, identity: PostIdentity, since: Date): Promise<FoundPost | null> {
    const card = SlackMessageRef.safeParse(where);
    const dest = asSlackDestination(where);
    const { botId } = await this.identity();
    const files: string[] = [];
    let found: z.infer<typeof SlackMessageItem> | null = null;
    let cursor: string | undefined;
    // A thread is read to its end (files uploaded after the message count); history stops at the find.
    for (let page = 0; page < LOOKUP_PAGES && !(found && !card.success); page++) {
      const raw = card.success
        ? await this.call('conversations.replies', dest.channel, () =>
            this.client.conversations.replies({ channel: dest.channel, ts: card.data.ts, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) }),
          )
        : await this.call('conversations.history', dest.channel, () =>
            this.client.conversations.history({ channel: dest.channel, oldest: (since.getTime() / 1000).toFixed(6), include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) }),
          );
      const body = MessagePage.parse(raw);
      for (const item of body.messages ?? []) {
        const m = SlackMessageItem.safeParse(item);
        if (!m.success) continue;
        for (const f of m.data.files ?? []) if (f.name) files.push(f.name);
        const p = m.data.metadata?.event_payload;
        if (m.data.metadata?.event_type !== POST_EVENT_TYPE || p?.triage_id !== identity.triageId || p?.post_key !== identity.key) continue;
        if (botId && m.data.bot_id && m.data.bot_id !== botId) continue;
        if (card.success && m.data.ts === card.data.ts && identity.key !== 'card') continue;
        found = m.data;
      }
      cursor = body.response_metadata?.next_cursor || undefined;
      if (!body.has_more || !cursor) break;
    }
    if (!found) return null;
    const ref: ReplyRef = card.success ? { platform: 'slack', channel: dest.channel, ts: found.ts, threadTs: card.data.ts } : { platform: 'slack', channel: dest.channel, ts: found.ts };
    if (dest.teamId) ref.teamId = dest.teamId;
    const detail: FoundDetail = { files };
    return { ref, detail };
  }
}
