/**
 * The platform registry: every chat platform this build has. Adding a platform is one folder
 * under adapters/ (its `platform.ts` exporting a `ChatPlatform`, src/ingress/platform.ts) plus
 * its entry here (and the import of it). Nothing else in src/ names a platform: settings,
 * secrets, channel addresses and posting limits all come from these entries.
 */
import { slack } from '../../adapters/slack/platform';
import { teams } from '../../adapters/teams/platform';
import type { Platform, PostingLimits } from '../chat/port';
import { channelAddresses, type ChannelAddresses, type ChatPlatformsInUse } from '../incidents/channel';
import type { ChatPlatform, ConfiguredPlatform, PlatformInstance } from '../ingress/platform';

export const CHAT_PLATFORMS: readonly ChatPlatform[] = [
  slack,
  teams,
];

/** `<platform>:<id>` for every registered platform (routes file, default channel, webhook bodies). */
export const CHANNEL_ADDRESSES: ChannelAddresses = channelAddresses(CHAT_PLATFORMS);

/** The registered platforms as the incidents room sees them, `running` the ones this bot runs. */
export function platformsInUse(running: Iterable<string>): ChatPlatformsInUse {
  return { addresses: CHANNEL_ADDRESSES, running: new Set(running), people: CHAT_PLATFORMS };
}

/** Each registered platform's posting limits, by name (the shared limiter's table). */
export function postingLimits(): Record<Platform, PostingLimits> {
  return Object.fromEntries(CHAT_PLATFORMS.map((p) => [p.name, p.limits]));
}

/** The configured platforms set up (each loads its SDK here, not before). */
export function openPlatforms(configured: readonly ConfiguredPlatform[]): Promise<PlatformInstance[]> {
  return Promise.all(configured.map(({ platform, settings }) => platform.open(settings)));
}
