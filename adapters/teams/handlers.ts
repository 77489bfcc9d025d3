/**
 * Teams events through the one command flow. A command answers at once in the conversation
 * (into the thread, for a channel post) and leaves the rest to the worker; a card button
 * (Action.Execute, or the Action.Submit fallback) is applied through the flow and answered with
 * the card as it is now, or with the refusal; a new channel whose name matches the incident
 * pattern gets a readiness-first triage with the bundle, once.
 */
import type { Logger } from 'pino';
import { idsFromText } from '../../src/commands/ids-from-text';
import type { IngressContext } from '../../src/ingress/ingress';
import type { TeamsActor } from './activity';
import { checkAccess, describeAccess, isListed, mayListAll } from './authz';
import { buildExportCard } from './render/export';
import type { TeamsEventHandler } from './ingress';
import { isActionOnCard, parseTeamsMessageRef, splitConversationId } from './reference';
import { buildReplacedCard, buildStatusCard } from './render';
import { teamsOutcomeText } from './render/outcome';
import type { TeamsSettings } from './settings';

export const TEAMS_PREFIX = '@Caracal';

const actorOf = (a: TeamsActor) => (a.name ? { kind: 'user' as const, id: a.id, name: a.name } : { kind: 'user' as const, id: a.id });

export function teamsEventHandler(ctx: IngressContext, settings: TeamsSettings, logger: Logger): TeamsEventHandler {
  const facts = { access: describeAccess(settings), incidentChannelPattern: settings.incidentChannelPattern };
  return async (event, turn) => {
    switch (event.kind) {
      case 'command': {
        const outcome = await ctx.flow.command({
          platform: 'teams',
          text: event.text,
          prefix: TEAMS_PREFIX,
          actor: actorOf(event.actor),
          destination: { platform: 'teams', conversationRef: event.conversationReference },
          channelName: event.conversation.name,
          dedupeKey: event.dedupeKey,
          source: 'teams_message',
          authorize: () => checkAccess(settings, event.actor, event.conversation),
          mayListAll: () => mayListAll(settings, event.actor),
        });
        // A redelivered activity already got its answer.
        if (outcome.kind === 'started' && !outcome.created) return;
        // The triage runs whether or not this answer gets through (Teams may throttle it).
        await turn.replyText(teamsOutcomeText(outcome, facts)).catch((e: Error) => logger.warn({ err: e.message, outcome: outcome.kind }, 'could not answer a Teams command'));
        return;
      }
      case 'action': {
        const outcome = await ctx.flow.action({
          platform: 'teams',
          value: event.buttonValue,
          actor: actorOf(event.actor),
          authorize: () => checkAccess(settings, event.actor, event.conversation),
          source: 'teams_button',
          fromCard: (card) => {
            const ref = parseTeamsMessageRef(card);
            return ref.ok && isActionOnCard(ref.value, { conversationId: event.conversation.id, replyToId: event.replyToId });
          },
          // The same channel (a card posted as a new channel post is a thread of its own) or chat.
          sameConversation: (card) => {
            const ref = parseTeamsMessageRef(card);
            return ref.ok && splitConversationId(ref.value.conversationRef.conversation.id).base === splitConversationId(event.conversation.id).base;
          },
        });
        if (outcome.kind === 'applied') return { card: buildStatusCard(outcome.record, { signingKey: ctx.signingKey, links: ctx.links }) };
        if (outcome.kind === 'export') {
          // Posted beside the card (the status card itself stays as it is).
          const posted = await turn.replyCard(buildExportCard(outcome)).then(
            () => true,
            (e: Error) => (logger.warn({ err: e.message, triageId: outcome.triageId }, 'could not post the export'), false),
          );
          return { message: posted ? '📃 The postmortem export is posted below the card.' : `⚠️ The export could not be posted here; \`caracal-triage show ${outcome.triageId} --markdown\` prints it where the bot runs.` };
        }
        if (outcome.reason === 'replaced' && outcome.triageId && event.replyToId) {
          // The left-behind card is redrawn for everyone (an invoke response alone may show only
          // to the clicker), then returned as the answer too.
          const card = buildReplacedCard(outcome.message, outcome.triageId);
          if (event.via === 'execute') await turn.updateCard(event.replyToId, card).catch((e: Error) => logger.warn({ err: e.message }, 'could not redraw a left-behind Teams card'));
          return { card };
        }
        return { message: `⚠️ ${outcome.message}` };
      }
      case 'act': {
        if (!ctx.acts) return { message: '⚠️ Acting from chat is not set up in this bot; nothing was done.' };
        const outcome = await ctx.acts.click({
          platform: 'teams',
          platformTitle: 'Microsoft Teams',
          value: event.buttonValue,
          ...(event.reason !== undefined ? { reason: event.reason } : {}),
          actor: actorOf(event.actor),
          isListed: (ids) => isListed(event.actor, ids),
          authorize: () => checkAccess(settings, event.actor, event.conversation),
          fromMessage: (ref) => {
            const r = parseTeamsMessageRef(ref);
            return r.ok && isActionOnCard(r.value, { conversationId: event.conversation.id, replyToId: event.replyToId });
          },
          source: 'teams_button',
        });
        if (outcome.kind === 'needs_reason') return { message: `✍️ ${outcome.prompt} Type it in the box above the buttons, then click again.` };
        return { message: outcome.kind === 'refused' ? `⚠️ ${outcome.message}` : `⏳ ${outcome.message}` };
      }
      case 'channel_created': {
        if (!settings.incidentChannelPattern.test(event.channel.name)) return;
        const ids = idsFromText(event.channel.name);
        const result = await ctx.flow.start({
          input: { requestId: ids.requestId, zoneId: ids.zoneId, symptom: null, error: null },
          destination: { platform: 'teams', conversationRef: event.conversationReference },
          actor: { kind: 'system', id: 'teams-incident-channel', name: event.channel.name },
          dedupeKey: `teams:incident_channel:${event.channel.id}`,
          source: 'incident_channel',
          postBundle: true,
        });
        ctx.metrics.events.inc({ platform: 'teams', type: 'channel_created', outcome: result.created ? 'started' : 'duplicate' });
        logger.info({ channel: event.channel.id, triageId: result.triageId, created: result.created }, 'incident channel triage');
        return;
      }
    }
  };
}
