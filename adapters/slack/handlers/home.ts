/**
 * The Home tab (`app_home_opened`, which Slack sends on every visit): the person's recent
 * triages and the open ones in the channels they are in, published with views.publish (no
 * scope needed). "The channels they are in" is what Slack shows the bot: users.conversations
 * for that user, with the bot token, lists the public channels they are in and the private ones
 * the bot is in as well (channels:read, groups:read), plus their DM with the bot; private
 * channels without the bot stay unknown, and the tab says so.
 */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs, webApi } from '@slack/bolt';
import { z } from 'zod';
import { slackErrorCode } from '../errors';
import { buildHomeView } from '../render/home';
import { type SlackHandlerDeps, slackActor } from './deps';

const HomeOpened = z.looseObject({ user: z.string().regex(/^[UW][A-Z0-9]{2,20}$/), tab: z.string().optional(), channel: z.string().max(64).optional() });

const ConversationsPage = z.looseObject({
  channels: z.array(z.looseObject({ id: z.string() })).optional(),
  response_metadata: z.looseObject({ next_cursor: z.string().optional() }).optional(),
});

/** Pages of users.conversations read per visit (999 channels each). */
const PAGES = 3;

/** The places (`slack:C…`) the person is in, as far as the bot can see; the error code when it cannot. */
async function placesOf(client: webApi.WebClient, user: string, dm: string | undefined): Promise<{ places: Set<string> | null; problem: string | null }> {
  const places = new Set<string>(dm ? [`slack:${dm}`] : []);
  let cursor: string | undefined;
  try {
    for (let page = 0; page < PAGES; page++) {
      const res = ConversationsPage.parse(await client.users.conversations({ user, types: 'public_channel,private_channel', exclude_archived: true, limit: 999, ...(cursor ? { cursor } : {}) }));
      for (const c of res.channels ?? []) places.add(`slack:${c.id}`);
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
    return { places, problem: null };
  } catch (e) {
    return { places: null, problem: slackErrorCode(e) ?? 'no answer' };
  }
}

export function homeListener(deps: SlackHandlerDeps) {
  return async ({ event: raw, client }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs): Promise<void> => {
    const parsed = HomeOpened.safeParse(raw);
    if (!parsed.success || (parsed.data.tab !== undefined && parsed.data.tab !== 'home')) return;
    const { user, channel } = parsed.data;
    const seen = await placesOf(client, user, channel);
    if (seen.problem) deps.logger.warn({ user, error: seen.problem }, 'users.conversations failed; the Home tab shows only the person\'s own triages');
    const home = await deps.flow.home({ platform: 'slack', actor: slackActor(user), places: seen.places });
    deps.metrics.events.inc({ platform: 'slack', type: 'app_home_opened', outcome: home.unavailable ? 'unavailable' : 'published' });
    try {
      await client.views.publish({ user_id: user, view: buildHomeView(home, { channelsProblem: seen.problem, access: deps.authz.describe() }) });
    } catch (e) {
      deps.logger.warn({ user, error: slackErrorCode(e) ?? (e as Error).message }, 'could not publish the Home tab');
    }
  };
}
