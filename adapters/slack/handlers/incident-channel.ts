/**
 * Incident channels: when a channel whose name matches SLACK_INCIDENT_CHANNEL_PATTERN is
 * created (the bot joins it) or the bot is added to one, a readiness-first triage starts
 * there and posts the diagnostic bundle, once per channel (dedupe key on the channel ID, so
 * channel_created + the bot's own member_joined_channel + Slack's redeliveries give one
 * triage). A request ID (and zone) in the channel topic or purpose is used when present.
 * Bolt has already acked these events; this runs after the ack.
 */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs, webApi } from '@slack/bolt';
import { z } from 'zod';
import { idsFromText } from '../../../src/commands/ids-from-text';
import { slackDestination } from '../address';
import { unescapeSlack } from '../text';
import type { SlackHandlerDeps } from './deps';

interface ChannelInfo {
  id: string;
  name: string;
  topic: string;
  purpose: string;
}

async function channelInfo(client: webApi.WebClient, channel: string): Promise<ChannelInfo | null> {
  const res = await client.conversations.info({ channel });
  const c = res.channel;
  if (!c?.id || !c.name) return null;
  return { id: c.id, name: c.name, topic: unescapeSlack(c.topic?.value ?? ''), purpose: unescapeSlack(c.purpose?.value ?? '') };
}

async function startIncidentTriage(deps: SlackHandlerDeps, info: ChannelInfo, teamId: string, type: string): Promise<void> {
  const fromTopic = idsFromText(info.topic);
  const fromPurpose = idsFromText(info.purpose);
  const result = await deps.flow.start({
    input: {
      requestId: fromTopic.requestId ?? fromPurpose.requestId,
      zoneId: fromTopic.zoneId ?? fromPurpose.zoneId,
      symptom: null,
      error: null,
    },
    destination: slackDestination(info.id, teamId),
    actor: { kind: 'system', id: 'slack-incident-channel', name: `#${info.name}` },
    dedupeKey: `slack:${teamId}:incident_channel:${info.id}`,
    source: 'incident_channel',
    postBundle: true,
  });
  deps.metrics.events.inc({ platform: 'slack', type, outcome: result.created ? 'started' : 'duplicate' });
  deps.logger.info({ channel: info.id, triageId: result.triageId, created: result.created }, 'incident channel triage');
}

/** The fields read, checked before use: a signed event can still lack them. */
const ChannelCreated = z.looseObject({ channel: z.looseObject({ id: z.string().min(1).max(64), name: z.string().min(1).max(200) }) });
const MemberJoined = z.looseObject({ user: z.string().min(1), channel: z.string().min(1).max(64), team: z.string().optional() });

export function channelCreatedListener(deps: SlackHandlerDeps) {
  return async ({ event, client, context, body }: SlackEventMiddlewareArgs<'channel_created'> & AllMiddlewareArgs): Promise<void> => {
    const parsed = ChannelCreated.safeParse(event);
    if (!parsed.success) {
      deps.metrics.events.inc({ platform: 'slack', type: 'channel_created', outcome: 'invalid' });
      deps.logger.warn({ issue: parsed.error.issues[0]?.message }, 'ignored a channel_created event without its channel');
      return;
    }
    const { id, name } = parsed.data.channel;
    if (!deps.incidentChannelPattern.test(name)) {
      deps.metrics.events.inc({ platform: 'slack', type: 'channel_created', outcome: 'ignored' });
      return;
    }
    const teamId = context.teamId ?? (body as { team_id?: string }).team_id ?? 'unknown';
    try {
      // The bot is not a member of a new channel; joining (channels:join) lets it post there.
      await client.conversations.join({ channel: id });
      const info = (await channelInfo(client, id)) ?? { id, name, topic: '', purpose: '' };
      await startIncidentTriage(deps, info, teamId, 'channel_created');
    } catch (e) {
      deps.metrics.events.inc({ platform: 'slack', type: 'channel_created', outcome: 'error' });
      deps.logger.error({ err: e, channel: id }, 'could not start the incident channel triage');
    }
  };
}

export function memberJoinedListener(deps: SlackHandlerDeps) {
  return async ({ event: raw, client, context, body }: SlackEventMiddlewareArgs<'member_joined_channel'> & AllMiddlewareArgs): Promise<void> => {
    const parsed = MemberJoined.safeParse(raw);
    if (!parsed.success) {
      deps.metrics.events.inc({ platform: 'slack', type: 'member_joined_channel', outcome: 'invalid' });
      return;
    }
    const event = parsed.data;
    const botUserId = context.botUserId ?? deps.identity.current()?.botUserId;
    if (!botUserId || event.user !== botUserId) return;
    const teamId = context.teamId ?? event.team ?? (body as { team_id?: string }).team_id ?? 'unknown';
    try {
      const info = await channelInfo(client, event.channel);
      if (!info || !deps.incidentChannelPattern.test(info.name)) {
        deps.metrics.events.inc({ platform: 'slack', type: 'member_joined_channel', outcome: 'ignored' });
        return;
      }
      await startIncidentTriage(deps, info, teamId, 'member_joined_channel');
    } catch (e) {
      deps.metrics.events.inc({ platform: 'slack', type: 'member_joined_channel', outcome: 'error' });
      deps.logger.error({ err: e, channel: event.channel }, 'could not start the incident channel triage');
    }
  };
}
