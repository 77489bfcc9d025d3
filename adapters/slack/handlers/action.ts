/**
 * Card buttons: ack at once (the card itself is redrawn by the worker), then hand the signed
 * value to the command flow. Anything refused (altered, expired, stale, replayed, finished, not
 * allowed) gets one ephemeral explanation through response_url and changes nothing.
 */
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { SlackMessageRef } from '../address';
import { esc } from '../render/mrkdwn';
import { type SlackHandlerDeps, slackActor } from './deps';

export function actionListener(deps: SlackHandlerDeps) {
  return async ({ ack, body, action, respond }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const channelId = body.channel?.id ?? body.container?.channel_id;
    const messageTs = body.container?.message_ts ?? body.message?.ts;
    const outcome = await deps.flow.action({
      fromCard: (card) => {
        const ref = SlackMessageRef.safeParse(card);
        return ref.success && !!channelId && ref.data.channel === channelId && ref.data.ts === messageTs;
      },
      platform: 'slack',
      value: (action as ButtonAction).value,
      actor: slackActor(body.user.id, body.user.name ?? body.user.username),
      authorize: () => deps.authz.check(body.user.id, channelId),
      source: 'slack_button',
    });
    if (outcome.kind === 'applied') return;
    try {
      // Explanations are plain text with `code` spans; esc() keeps `<request-id>` from becoming a link.
      await respond({ response_type: 'ephemeral', replace_original: false, text: `:warning: ${esc(outcome.message)}` });
    } catch (e) {
      deps.logger.warn({ error: (e as Error).message }, 'could not send an ephemeral explanation');
    }
  };
}
