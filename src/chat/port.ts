/**
 * The chat port: what the worker needs from a chat platform to show a triage. Each adapter
 * (adapters/slack, adapters/teams) implements it; the posting job calls it. Destinations and
 * message references are opaque to the core (address.ts): the port parses its own.
 */
import type { StepId } from '../triage/model';
import type { TriageRecord } from '../triage/machine';
import type { Destination, MessageRef, Platform } from './address';

export type { ChatAddress, Destination, MessageRef, Platform } from './address';

export interface ChatCapabilities {
  /** Messages can be edited in place (both platforms). */
  updates: boolean;
  /** Replies can be threaded under the card. */
  threads: boolean;
  /** Ephemeral, user-only messages. */
  ephemeral: boolean;
  /** Long content can be attached as a file/snippet. */
  files: boolean;
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

/** Thrown when retrying cannot help (channel gone, bot removed, invalid auth). */
export class ChatPermanentError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ChatPermanentError';
  }
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
  postCard(dest: Destination, triage: TriageRecord): Promise<MessageRef>;
  /** Replace the card with the triage's current state. */
  updateCard(ref: MessageRef, triage: TriageRecord): Promise<void>;
  /** Reply in the card's thread with one step's evidence. */
  postStep(ref: MessageRef, triage: TriageRecord, step: StepId): Promise<void>;
  /** Reply in the card's thread with the whole diagnostic bundle (attached as a file when long). */
  postBundle(ref: MessageRef, triage: TriageRecord): Promise<void>;
}
