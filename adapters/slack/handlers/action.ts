/**
 * Card buttons: ack at once (the card itself is redrawn by the worker), then verify the
 * signed payload, authorize the clicker and apply the event with the version the card
 * showed. Anything refused (altered, expired, stale, replayed, finished, not allowed) gets one
 * ephemeral explanation through response_url and changes nothing.
 */
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { eventFromClaim, verifyButton } from '../../../src/commands';
import type { Actor } from '../../../src/triage/machine';
import { esc } from '../render/mrkdwn';
import type { SlackHandlerDeps } from './deps';

const APPLY_MESSAGES: Record<string, string> = {
  not_found: 'This triage no longer exists (expired from storage); nothing was changed. Start a new one with `/caracal triage <request-id>`.',
  conflict: 'Someone else changed this triage at the same moment; nothing was changed. Look at the card again and click once more if still needed.',
};

export function actionListener(deps: SlackHandlerDeps) {
  // Explanations are plain text with `code` spans; esc() keeps `<request-id>` from becoming a link.
  return async ({ ack, body, action, respond }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const count = (outcome: string) => deps.metrics.clicks.inc({ platform: 'slack', outcome });
    const explain = async (text: string) => {
      try {
        await respond({ response_type: 'ephemeral', replace_original: false, text: `:warning: ${esc(text)}` });
      } catch (e) {
        deps.logger.warn({ error: (e as Error).message }, 'could not send an ephemeral explanation');
      }
    };
    const verified = verifyButton((action as ButtonAction).value, deps.signingKey);
    if (!verified.ok) {
      count(verified.reason);
      deps.logger.warn({ reason: verified.reason, user: body.user.id }, 'refused a button payload');
      return explain(verified.message);
    }
    const channelId = body.channel?.id ?? body.container?.channel_id;
    const allowed = deps.authz.check(body.user.id, channelId);
    if (!allowed.ok) {
      count('unauthorized');
      return explain(allowed.message);
    }
    const name = body.user.name ?? body.user.username;
    const actor: Actor = name ? { kind: 'user', id: body.user.id, name } : { kind: 'user', id: body.user.id };
    const event = eventFromClaim(verified.claim, actor);
    if (!event) {
      count('malformed');
      return explain('That button is not one of ours (unreadable data); nothing was changed.');
    }
    let result;
    try {
      result = await deps.service.apply(verified.claim.triageId, event, 'slack_button');
    } catch (e) {
      count('error');
      deps.logger.error({ err: e, triageId: verified.claim.triageId }, 'could not apply a button click');
      return explain('The bot could not record that click (its queue is unavailable); nothing was changed. Try again in a minute.');
    }
    if (result.ok) {
      count('applied');
      return;
    }
    count(result.reason);
    return explain(APPLY_MESSAGES[result.reason] ?? result.message);
  };
}
