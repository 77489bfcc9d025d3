/**
 * What a chat user can ask the bot, as a discriminated union. Platform-free: Slack's
 * `/caracal …` and Teams' `@Caracal …` both parse into this; adapters decide how to answer.
 */
import type { ListScope, StartingCommand } from '../ingress/flow';

export type Command =
  /** `triage …` and `bundle …`: the commands that start work (declared with the flow's outcomes). */
  | StartingCommand
  /** `list` (open triages here), `list mine` (yours, anywhere), `list all` (every open one, for allowed people). */
  | { kind: 'list'; scope: ListScope }
  /** `show <triage-id>`: where its card is and where it stands. */
  | { kind: 'show'; triageId: string }
  | { kind: 'status' }
  | { kind: 'help' }
  /** The text could not be understood: `message` is the one explanation to show, with an example. */
  | { kind: 'invalid'; message: string };

export type CommandKind = Command['kind'];

/** How the platform spells the command in examples (`/caracal` in Slack, `@Caracal` in Teams). */
export interface GrammarOptions {
  prefix: string;
  /** The deployments the bot serves, for help and refusals (absent or one: not mentioned). */
  deployments?: readonly string[];
}

export const EXAMPLE_REQUEST_ID = '0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b';
