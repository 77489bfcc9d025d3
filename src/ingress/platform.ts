/**
 * A chat platform as the bot knows it: everything one folder under adapters/ hands the
 * composition root (src/app/platforms.ts, the registry: one line per platform).
 *
 *   ChatPlatform       what the platform is, whether or not it is configured: its name, its
 *                      settings parser, how people write one of its conversations in settings
 *                      (`<name>:<id>`), its posting limits, the variables that hold its secrets
 *   PlatformInstance   the platform set up from its settings: its ingress for web processes,
 *                      its ChatPort for workers, the destination of a conversation named in
 *                      settings
 *
 * A registry entry must load fast (the terminal reads every platform's settings and secrets
 * before it triages), so `open` loads the platform's SDK only when a process runs it.
 */
import type { Logger } from 'pino';
import type { ChatAddress, ChatPort, Destination, Platform, PostingLimits } from '../chat/port';
import type { Env } from '../config/fields';
import type { Parsed } from '../config/problems';
import type { MentionSyntax } from '../triage/escalation';
import type { Ingress, IngressContext } from './ingress';
import type { LinksConfig } from '../report/config';

/**
 * One conversation named in settings (an incident route, the default channel, a webhook's
 * `channel`): the platform's name plus the fields its own parser gave it. Only that platform's
 * `channels` and `destination` read the fields.
 */
export type ChannelAddress = { readonly platform: Platform; readonly [field: string]: string };

export type ChannelIdParse = { ok: true; address: ChannelAddress } | { ok: false; problem: string };

/** How people write one of the platform's conversations after `<name>:`. */
export interface ChannelAddressing {
  /** An ID people can copy, shown in examples after `<name>:`. */
  readonly example: string;
  /** Its telling start, for short examples (`X…`). */
  readonly sketch: string;
  /**
   * The text after the colon → the address, or what is wrong with it: a phrase that follows the
   * quoted ID (`is not a … ID (…, e.g. <name>:<example>)`).
   */
  parse(id: string): ChannelIdParse;
  /** The text after the colon, back from an address `parse` gave. */
  format(address: ChannelAddress): string;
  /**
   * The conversation a destination or card posts into, as the text after the colon (a Slack
   * channel; a Teams channel without its thread): where `list` finds a channel's triages, so a
   * triage an incident route opened and one typed in the channel meet. Null for another
   * platform's address.
   */
  placeOf(where: ChatAddress): string | null;
}

export interface ChatPlatform<Settings = unknown> {
  /** The registered name: metrics label, the scheme of its channel addresses, the `platform` of its addresses. */
  readonly name: Platform;
  /** What people call it, in messages (`… is not configured in this bot`). */
  readonly title: string;
  /** The variable that turns it on, for "set … to run a chat platform". */
  readonly enabledBy: string;
  /** Variables whose values are secrets: redacted wherever they show up. */
  readonly secretVariables: readonly string[];
  readonly channels: ChannelAddressing;
  /** Whom an escalation can mention in a thread, as people write them after `<name>:` in `escalate` (absent: no one). */
  readonly mentions?: MentionSyntax;
  /** Per conversation, shared by every worker (src/posting/limiter.ts). */
  readonly limits: PostingLimits;
  /** Its settings from the environment: null when it is not configured, every problem at once. */
  parseSettings(env: Env): Parsed<Settings | null>;
  /** The platform set up from its settings; loads its SDK. */
  open(settings: Settings): Promise<PlatformInstance>;
}

/** A registered platform with the settings it was configured with. */
export interface ConfiguredPlatform<Settings = unknown> {
  readonly platform: ChatPlatform<Settings>;
  readonly settings: Settings;
}

/**
 * Whether a triage card offers *Propose fix*: always or never, or per the deployment the triage
 * reads (undefined: the one deployment of a bot that names none), as each has its own fix token.
 */
export type ProposeFix = boolean | ((deployment: string | undefined) => boolean);

/** What a worker hands a platform to build its port. */
export interface PortContext {
  signingKey: string;
  logger: Logger;
  /** Acting from chat: a triage card whose diagnosis a version may end offers *Propose fix* (its deployment has a fix token). */
  acts?: { proposeFix: ProposeFix };
  /** Where a card's links point (page, Console, runbook); absent: none. */
  links?: LinksConfig;
}

export interface PlatformInstance {
  readonly platform: Platform;
  /** One line for the start-up log: the name and how it runs. */
  readonly describe: string;
  ingress(ctx: IngressContext): Ingress;
  port(ctx: PortContext): ChatPort;
  /** The platform's destination for a conversation named in settings (an address its `channels` parsed). */
  destination(address: ChannelAddress): Destination;
}
