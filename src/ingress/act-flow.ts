/**
 * What a chat platform calls when someone clicks an act button (src/act: Approve / Reject on an
 * approval card, *Propose fix* on a triage card, *Apply* on a proposal): part of the seam, so a
 * platform is written against src/ingress alone. The web side of src/act implements it; only
 * fast work happens before the outcome (token check, an in-memory list check, a Redis claim and
 * a job add): Caracal is called by a worker.
 */
import type { MessageRef } from '../chat/port';
import type { Actor } from '../triage/record';
import type { AuthzDecision } from './flow';

export interface ActClickRequest {
  /** Metrics label: the platform's registered name. */
  platform: string;
  /** The platform as people name it, in the reason sent to Caracal (`Slack`, `Microsoft Teams`). */
  platformTitle: string;
  /** The button's signed value (src/act/token.ts), verbatim. */
  value: unknown;
  /**
   * What the person typed as their reason: a string (maybe empty) when the platform asked (a
   * Slack dialog, a Teams text box), undefined when it has not asked yet.
   */
  reason?: string;
  actor: Actor;
  /** Whether the clicker is one of these IDs (a user ID, an Entra object ID, or a member of a listed user group). */
  isListed: (ids: readonly string[]) => boolean;
  /** The platform's allow-list (who may use the bot here), as for triage buttons. */
  authorize: () => AuthzDecision;
  /** Whether the click came from this stored message (same conversation and message). */
  fromMessage: (ref: MessageRef) => boolean;
  /** For the audit log: `slack_button`, `teams_button`, … */
  source: string;
}

export type ActClickOutcome =
  /** Taken: a worker calls Caracal and redraws the message; `message` is for the clicker alone. */
  | { kind: 'accepted'; message: string }
  /** The click is fine but needs the person's reason first (Slack opens a dialog). */
  | { kind: 'needs_reason'; prompt: string }
  | { kind: 'refused'; reason: string; message: string };

export interface ActFlow {
  click(req: ActClickRequest): Promise<ActClickOutcome>;
  /** Every ID in TRIAGE_APPROVERS and TRIAGE_FIXERS (Slack loads the members of the user groups among them). */
  readonly listedIds: readonly string[];
}
