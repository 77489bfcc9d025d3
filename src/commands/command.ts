/**
 * What a chat user can ask the bot, as a discriminated union. Platform-free: Slack's
 * `/caracal …` and Teams' `@Caracal …` both parse into this; adapters decide how to answer.
 */
import type { TriageInput } from '../triage/record';

export type Command =
  /** Start a triage. `input.requestId` null means readiness first, then symptom buttons. */
  | { kind: 'triage'; input: TriageInput }
  /** Collect and post the diagnostic bundle (a readiness-first triage that posts the bundle). */
  | { kind: 'bundle'; zoneId: string | null }
  | { kind: 'status' }
  | { kind: 'help' }
  /** The text could not be understood: `message` is the one explanation to show, with an example. */
  | { kind: 'invalid'; message: string };

export type CommandKind = Command['kind'];

/** How the platform spells the command in examples (`/caracal` in Slack, `@Caracal` in Teams). */
export interface GrammarOptions {
  prefix: string;
}

export const EXAMPLE_REQUEST_ID = '0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b';
