/**
 * Channel addresses as people write them in the routes file, TRIAGE_DEFAULT_CHANNEL and the
 * generic hook's `channel`: `<platform>:<id>`. The platform named before the colon (any case,
 * surrounding spaces ignored) reads the rest with its own parser (src/ingress/platform.ts), so
 * this file knows no platform: it is handed every platform the build has (src/app/platforms.ts)
 * and, where it matters, the ones this bot runs.
 */
import { z } from 'zod';
import type { ChatAddress } from '../chat/address';
import type { ChannelAddress, ChatPlatform } from '../ingress/platform';
import type { MentionPlatform } from '../triage/escalation';

export type { ChannelAddress } from '../ingress/platform';

/** What this file needs of a chat platform. */
export type AddressablePlatform = Pick<ChatPlatform, 'name' | 'title' | 'enabledBy' | 'channels'>;

export type ChannelParse = { ok: true; address: ChannelAddress } | { ok: false; message: string };

/** Reads and writes `<platform>:<id>` for every platform the build has. */
export interface ChannelAddresses {
  /** The address, or what is wrong with the text, with an example. */
  parse(text: string): ChannelParse;
  /** The zod form, for schemas that carry a channel (the generic hook body, the routes file). */
  readonly text: z.ZodType<ChannelAddress, string>;
  format(address: ChannelAddress): string;
  /** One right address per platform: `a:… or b:…`. */
  readonly example: string;
  /** The first platform's short form (`<name>:X…`), for examples inside other sentences. */
  readonly sketch: string;
  /** The variables that turn a platform on: `A or B`. */
  readonly enabledBy: string;
  /** A destination on a platform the bot does not run is refused with this message; null when fine. */
  unconfigured(address: ChannelAddress, running: ReadonlySet<string>): string | null;
  /** The conversation a destination or card posts into, `<platform>:<id>` as settings write it; null when no platform reads it. */
  place(where: ChatAddress): string | null;
}

export function channelAddresses(known: readonly AddressablePlatform[]): ChannelAddresses {
  const byName = new Map(known.map((p) => [p.name, p]));
  const example = known.map((p) => `${p.name}:${p.channels.example}`).join(' or ');
  const parse = (text: string): ChannelParse => {
    const value = text.trim();
    const colon = value.indexOf(':');
    const platform = colon < 0 ? undefined : byName.get(value.slice(0, colon).toLowerCase());
    if (!platform) return { ok: false, message: `"${shown(value)}" is not a channel: write ${example}` };
    const id = value.slice(colon + 1);
    const r = platform.channels.parse(id);
    return r.ok ? r : { ok: false, message: `"${shown(id)}" ${r.problem}` };
  };
  return {
    parse,
    text: z.string().transform((v, ctx): ChannelAddress => {
      const r = parse(v);
      if (r.ok) return r.address;
      ctx.addIssue({ code: 'custom', message: r.message });
      return z.NEVER;
    }),
    format: (a) => {
      const platform = byName.get(a.platform);
      return platform ? `${a.platform}:${platform.channels.format(a)}` : a.platform;
    },
    example,
    sketch: known[0] ? `${known[0].name}:${known[0].channels.sketch}` : '<platform>:<id>',
    enabledBy: known.map((p) => p.enabledBy).join(' or '),
    place: (where) => {
      const id = byName.get(where.platform)?.channels.placeOf(where);
      return id ? `${where.platform}:${id}` : null;
    },
    unconfigured: (a, running) => {
      if (running.has(a.platform)) return null;
      const list = running.size > 0 ? [...running].join(', ') : 'none';
      return `${byName.get(a.platform)?.title ?? a.platform} is not configured in this bot (configured platforms: ${list})`;
    },
  };
}

/**
 * The chat platforms as the incidents room sees them: how to read an address on any platform
 * the build has, and which ones this bot runs (an address on another is refused).
 */
export interface ChatPlatformsInUse {
  readonly addresses: ChannelAddresses;
  readonly running: ReadonlySet<string>;
  /** Every platform the build has, with whom it can mention (a route's `escalate:`). */
  readonly people: readonly MentionPlatform[];
}

function shown(s: string): string {
  const clean = s.replace(/[\x00-\x1f\x7f]/g, '?');
  return clean.length > 60 ? `${clean.slice(0, 59)}…` : clean;
}
