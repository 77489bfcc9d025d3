/**
 * The chat port: what the worker needs from a chat platform to show a triage. Each adapter
 * (adapters/slack, adapters/teams) implements it; the posting jobs call it. Destinations and
 * message references are opaque to the core (address.ts): the port parses its own.
 *
 * Ordering, folding and identity are the core's (src/posting): the port
 * only says what it can do. A port that can carry a post's identity on the message and look it
 * up again (`findPost`, Slack message metadata) gets exactly-once posts across worker crashes;
 * one without (Teams: no lookup) gets at-least-once in the crash window (README "What a channel sees").
 */
import type { StepId } from '../triage/model';
import type { ActMessage } from './act-message';
import type { TriageRecord } from '../triage/record';
import type { Destination, MessageRef, Platform } from './address';

export type { ChatAddress, Destination, MessageRef, Platform } from './address';
export type { ActMessage, ActButton, ActTone } from './act-message';

export interface ChatCapabilities {
  /** Messages can be edited in place (both platforms). */
  updates: boolean;
  /** Replies can be threaded under the card. */
  threads: boolean;
  /** Ephemeral, user-only messages. */
  ephemeral: boolean;
  /** Long content can be attached as a file/snippet. */
  files: boolean;
  /**
   * Most steps one reply may carry when a busy conversation's backlog is folded (`postSteps`);
   * absent or 1: every step is its own reply.
   */
  foldSteps?: number;
}

/** How often one kind of call may go to one conversation: `points` calls per `durationSec`. */
export interface RateLimit {
  points: number;
  durationSec: number;
}

/**
 * A platform's posting limits per conversation, which the shared limiter (src/posting/limiter.ts)
 * spaces every process's calls by. Each platform declares its own (src/ingress/platform.ts).
 */
export interface PostingLimits {
  post: RateLimit;
  update: RateLimit;
}

/** Thrown by a port when the platform says "slow down"; the posting job is delayed by `retryAfterMs`. */
export class ChatRateLimitedError extends Error {
  constructor(
    readonly retryAfterMs: number,
    readonly scope: string,
  ) {
    super(`chat platform rate limited ${scope}; retry after ${retryAfterMs} ms`);
    this.name = 'ChatRateLimitedError';
  }
}

/**
 * Thrown when retrying cannot help (channel gone, bot removed, invalid auth). `affects` says
 * whether only this message is refused (too long, bad blocks) or every post to the
 * conversation (the thread's remaining replies are then not attempted).
 */
export class ChatPermanentError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly affects: 'message' | 'conversation' = 'message',
  ) {
    super(message);
    this.name = 'ChatPermanentError';
  }
}

/**
 * Who a post is: its triage and its key within the triage (`card`, `step.<id>.v<n>` for the
 * first step a reply carries, `bundle`, a notice's key). Ports that can attach it to the message do (Slack:
 * message metadata), so `findPost` can find the message again.
 */
export interface PostIdentity {
  triageId: string;
  key: string;
}

/** A message found by `findPost`: where it lives, plus what only its port reads (files seen…). */
export interface FoundPost {
  ref: MessageRef;
  detail?: unknown;
}

export interface PostOptions {
  identity?: PostIdentity;
  /**
   * The message already exists (an earlier run posted it, then died before recording it): do
   * not post it again, only finish what follows it (a file upload), and return where it is.
   */
  found?: FoundPost;
}

/** What the card shows besides the record. */
export interface CardExtras {
  /** The bundle's reply, linked from an escalated card (the top of the thread). */
  bundle?: { ref: MessageRef; link: string | null };
}

export interface ChatPort {
  readonly platform: Platform;
  readonly capabilities: ChatCapabilities;
  /**
   * A short stable key for the conversation a destination or card is in (a Slack channel, a
   * Teams thread): what the shared posting limits count per. Throws ChatPermanentError for an
   * address this port cannot read.
   */
  conversationOf(where: Destination | MessageRef): string;
  /** Post the status card for a triage; returns where it lives. */
  postCard(dest: Destination, triage: TriageRecord, opts?: PostOptions): Promise<MessageRef>;
  /** Replace the card with the triage's current state. */
  updateCard(ref: MessageRef, triage: TriageRecord, extras?: CardExtras): Promise<void>;
  /** Reply in the card's thread with one step's evidence; returns the reply's reference when known. */
  postStep(ref: MessageRef, triage: TriageRecord, step: StepId, opts?: PostOptions): Promise<MessageRef | void>;
  /**
   * Reply with several consecutive steps in one message, in step order, each with its verdict
   * and evidence (cut to fit, the whole attached as a file when files are allowed).
   */
  postSteps?(ref: MessageRef, triage: TriageRecord, steps: StepId[], opts?: PostOptions): Promise<MessageRef | void>;
  /** Reply in the card's thread with the whole diagnostic bundle (attached as a file when long). */
  postBundle(ref: MessageRef, triage: TriageRecord, opts?: PostOptions): Promise<MessageRef | void>;
  /**
   * Reply in the card's thread with the notice `key` of `triage.notices`: an escalation, which
   * mentions whom it names on this platform (a user group, a user), or a reminder naming the step
   * that waits. A port without it has its notices refused (logged; the card still says it all).
   */
  postNotice?(ref: MessageRef, triage: TriageRecord, key: string, opts?: PostOptions): Promise<MessageRef | void>;
  /**
   * The message posted earlier with this identity, if the platform can look it up: the card
   * (`where` is its destination) or a reply in the card's thread (`where` is the card). `since`
   * is when the post was first attempted. Needed for exactly-once posting across crashes.
   */
  findPost?(where: Destination | MessageRef, identity: PostIdentity, since: Date): Promise<FoundPost | null>;
  /** A link people can click to open this message, when the platform has one. */
  permalink?(ref: MessageRef): Promise<string | null>;
  /**
   * Post a message that is not a triage card (src/act: an approval card, a fix proposal, a fix
   * result): into the conversation (`where` a destination) or into a message's thread (`where`
   * a message reference). Returns where the new message lives; with `opts.found`, posts nothing
   * and returns it. `opts.identity` is carried as on cards (findPost finds it again).
   */
  postActMessage?(where: Destination | MessageRef, message: ActMessage, opts?: PostOptions): Promise<MessageRef>;
  /** Redraw a message postActMessage made. */
  updateActMessage?(ref: MessageRef, message: ActMessage): Promise<void>;
}
