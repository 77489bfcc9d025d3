/**
 * What a platform calls: the one command flow, as the contract it is written against.
 *
 *   text → parse → authorize → start (TriageService) → CommandOutcome
 *   button value → verify → authorize → apply → ActionOutcome
 *
 * A platform turns its request into a `CommandRequest` / `ActionRequest` and the outcome into
 * its own message; how the flow parses, verifies and counts is src/commands/flow.ts, which
 * implements this interface. Declared here, with the rest of the seam, so a platform is
 * written against src/ingress alone.
 */
import type { Destination, MessageRef } from '../chat/port';
import type { Actor, TriageInput, TriageRecord } from '../triage/record';
import type { FoundTriage, StartTriageRequest, TriageService } from './service-api';
import type { ReadinessReport } from './readiness';
import type { TriageLinks } from '../report/links';

export type AuthzDecision = { ok: true } | { ok: false; message: string };

/** Which triages `list` shows: this conversation's open ones, the asker's, or every open one. */
export type ListScope = 'here' | 'mine' | 'all';

/** A triage as `list` and `show` answer with it: where it is, and its links (page, Console, runbook). */
export interface ListedTriage {
  found: FoundTriage;
  links: TriageLinks;
}

/** A command that starts work, as its outcome carries it back to the platform. */
export type StartingCommand =
  /** Start a triage. `input.requestId` null means readiness first, then symptom buttons. */
  | { kind: 'triage'; input: TriageInput }
  /** Collect and post the diagnostic bundle (a readiness-first triage that posts the bundle). */
  | { kind: 'bundle'; zoneId: string | null; deployment?: string | null };

export interface CommandRequest {
  /** Metrics label: the platform's registered name. */
  platform: string;
  /** What the person typed, with the platform's own escaping and the bot mention removed. */
  text: string;
  /** How the command is spelt on this platform (`/caracal`, `@Caracal`), for help and examples. */
  prefix: string;
  actor: Actor;
  /** Where the card goes. */
  destination: Destination;
  /**
   * The conversation's name when the platform gives one with the command (Slack's slash
   * command `channel_name`, a Teams channel's name): deployments bound by name pattern match it.
   * Absent or null: only bindings by ID apply.
   */
  channelName?: string | null;
  /** Idempotency key of the inbound delivery (a redelivery starts nothing new). */
  dedupeKey: string;
  /** For the audit log: `<platform>_command`, `<platform>_mention`, … */
  source: string;
  /** The platform's allow-list check, in memory. */
  authorize: () => AuthzDecision;
  /**
   * Whether this person may see triages of every conversation (`list all`, `show` of a triage
   * elsewhere), private channels included: the platform's decision (adapters' authz.ts).
   * Absent: nobody may.
   */
  mayListAll?: () => AuthzDecision;
}

export type CommandOutcome =
  | { kind: 'help'; text: string }
  /** `list`: newest first (at most a page; `more` when there were more). */
  | { kind: 'list'; scope: ListScope; triages: ListedTriage[]; more: boolean }
  /** `show <id>`: the triage, where its card is, its links. */
  | { kind: 'show'; triage: ListedTriage }
  /** `show <id>` of a triage that does not exist (or has expired): `message` says so. */
  | { kind: 'missing'; triageId: string; message: string }
  | { kind: 'status'; readiness: ReadinessReport | null }
  | { kind: 'invalid'; message: string }
  | { kind: 'unauthorized'; message: string }
  | { kind: 'started'; command: StartingCommand; triageId: string; created: boolean }
  /**
   * The same command (channel, request ID, zone, symptom) has a triage that is still open:
   * nothing new was started; answer with its card (null until posted) and its link.
   */
  | { kind: 'open'; command: StartingCommand; triageId: string; card: MessageRef | null; link: string | null; restarted?: boolean }
  /** Still starting after the time budget; the card appears if it starts. */
  | { kind: 'slow'; command: StartingCommand }
  /** The queue (Redis) is unreachable; nothing was started. */
  | { kind: 'unavailable'; command: StartingCommand };

export interface ActionRequest {
  platform: string;
  /** The button's signed value, verbatim. */
  value: unknown;
  actor: Actor;
  authorize: () => AuthzDecision;
  source: string;
  /**
   * Whether the click came from this stored card (same conversation and message): a signed
   * value copied onto another card, or replayed from another channel, applies to nothing.
   */
  fromCard: (card: MessageRef) => boolean;
  /**
   * Whether the click came from the same conversation (the same channel, for a channel's
   * posts) as this stored card. A click on a card that is not the stored one, in the same
   * conversation, comes from a card the triage left behind (a worker killed while the platform
   * held its post; another run posted the card again): answered with `replaced`.
   */
  sameConversation?: (card: MessageRef) => boolean;
}

export type ActionOutcome =
  | { kind: 'applied'; triageId: string; record: TriageRecord }
  /**
   * *Export* on a resolved or escalated card: the postmortem as one Markdown document, for the
   * platform to attach where the card is; nothing about the triage changed.
   */
  | { kind: 'export'; triageId: string; record: TriageRecord; fileName: string; title: string; markdown: string; links: TriageLinks }
  /** `replacedBy`: with reason `replaced`, the triage's card that took the clicked one's place. */
  | { kind: 'refused'; reason: string; message: string; triageId?: string; replacedBy?: MessageRef };

/** What a personal home (Slack's Home tab) asks for: the person's triages and the open ones where they are. */
export interface HomeRequest {
  platform: string;
  actor: Actor;
  /**
   * The conversations the person is in, as places (`slack:C0123`), when the platform could tell;
   * null when it could not (then only their own triages are shown, and the home says why).
   */
  places: ReadonlySet<string> | null;
}

export interface HomeOutcome {
  /** Triages the person started or acted on, newest first. */
  mine: ListedTriage[];
  /** Open triages in the conversations the person is in (null: not known, see HomeRequest.places). */
  open: ListedTriage[] | null;
  /** The queue (Redis) could not be read: say so instead of an empty home. */
  unavailable: boolean;
}

export interface CommandFlow {
  command(req: CommandRequest): Promise<CommandOutcome>;
  action(req: ActionRequest): Promise<ActionOutcome>;
  /** A person's own triages and the open ones where they are (Slack's Home tab). */
  home(req: HomeRequest): Promise<HomeOutcome>;
  /** Start a triage the platform itself decided on (an incident channel, a webhook). */
  start(req: StartTriageRequest): ReturnType<TriageService['start']>;
}
