/**
 * The Slack ChatPort: what the posting job calls to show a triage in Slack. The card is a
 * channel message (chat.postMessage, later chat.update); step evidence and the bundle are
 * replies in its thread; long content is uploaded into the thread as a file
 * (files.uploadV2) when the capability is on. Rate limits and permanent failures are
 * reported in the port's error taxonomy (errors.ts): a 429 comes back at once as an error carrying
 * Retry-After, so the posting job is delayed instead of holding a worker. Only a file upload
 * retries once after a short (≤ 2 s) limit.
 */
import type { webApi } from '@slack/bolt';
import pino, { type Logger } from 'pino';
import { ChatPermanentError, type ChatCapabilities, type ChatPort, type Destination, type MessageRef } from '../../src/chat/port';
import type { TriageRecord } from '../../src/triage/machine';
import type { StepId } from '../../src/triage/model';
import { asSlackDestination, asSlackRef, slackConversation, type SlackMessageRef } from './address';
import { createSlackWebClient } from './client';
import { isRateLimited, slackErrorCode, toChatError } from './errors';
import { BlockLimitError, buildBundleMessage, buildStatusCard, buildStepMessage, type FileAttachment, type SlackMessage } from './render';

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

export class SlackChatPort implements ChatPort {
  readonly platform = 'slack' as const;
  readonly capabilities: ChatCapabilities;
  private readonly client: webApi.WebClient;
  private readonly log: Logger;
  private readonly now: () => Date;

  constructor(private readonly opts: SlackChatPortOptions) {
    const base = opts.logger ?? pino({ level: 'silent' });
    this.log = base.child({ component: 'slack-port' });
    this.client = opts.client ?? createSlackWebClient(opts.token, { apiUrl: opts.apiUrl, logger: base });
    this.capabilities = { updates: true, threads: true, ephemeral: true, files: opts.files ?? true };
    this.now = opts.now ?? (() => new Date());
  }

  private card(triage: TriageRecord): SlackMessage {
    return render(() => buildStatusCard(triage, { signingKey: this.opts.signingKey, now: this.now(), buttonTtlSeconds: this.opts.buttonTtlSeconds }));
  }

  private async call<T>(method: string, channel: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toChatError(e, `slack:${method}:${channel}`);
    }
  }

  conversationOf(where: Destination | MessageRef): string {
    return slackConversation(where);
  }

  async postCard(to: Destination, triage: TriageRecord): Promise<MessageRef> {
    const dest = asSlackDestination(to);
    const msg = this.card(triage);
    const post = () => this.client.chat.postMessage({ channel: dest.channel, text: msg.text, blocks: msg.blocks, unfurl_links: false, unfurl_media: false });
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
        throw new ChatPermanentError('not_in_channel', `Slack refused slack:chat.postMessage:${dest.channel}: the bot is not in this channel and cannot join it (${slackErrorCode(joinError) ?? 'error'}); invite it with /invite @Caracal`);
      }
      res = await this.call('chat.postMessage', dest.channel, post);
    }
    if (!res.ts) throw new Error('chat.postMessage returned no ts');
    const ref: SlackMessageRef = { platform: 'slack', channel: res.channel ?? dest.channel, ts: res.ts };
    if (dest.teamId) ref.teamId = dest.teamId;
    return ref;
  }

  async updateCard(ref: MessageRef, triage: TriageRecord): Promise<void> {
    const r = asSlackRef(ref);
    const msg = this.card(triage);
    await this.call('chat.update', r.channel, () => this.client.chat.update({ channel: r.channel, ts: r.ts, text: msg.text, blocks: msg.blocks }));
  }

  async postStep(ref: MessageRef, triage: TriageRecord, step: StepId): Promise<void> {
    const r = asSlackRef(ref);
    await this.reply(r, render(() => buildStepMessage(triage, step, { files: this.capabilities.files })));
  }

  async postBundle(ref: MessageRef, triage: TriageRecord): Promise<void> {
    const r = asSlackRef(ref);
    await this.reply(r, render(() => buildBundleMessage(triage, { files: this.capabilities.files })));
  }

  private async reply(r: SlackMessageRef, msg: SlackMessage & { file?: FileAttachment }): Promise<void> {
    await this.call('chat.postMessage', r.channel, () =>
      this.client.chat.postMessage({ channel: r.channel, thread_ts: r.ts, text: msg.text, blocks: msg.blocks, unfurl_links: false, unfurl_media: false }),
    );
    if (msg.file) await this.upload(r, msg.file);
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
}
