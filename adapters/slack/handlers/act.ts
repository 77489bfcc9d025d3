/**
 * Act buttons (src/act: Approve / Reject on an approval card, *Propose fix* on a triage card,
 * *Apply* on a proposal) and the dialog that asks for a reason. A click is acknowledged at once
 * and handed to the act flow; a button that needs a reason (`act:ask:…`) opens a dialog
 * (views.open, within the click's 3-second trigger) once the flow says the click is otherwise
 * fine, and the dialog's submission carries the reason back. A refusal is answered to the
 * clicker alone (ephemeral, or in the dialog); taken clicks get a short "sending" note, and the
 * worker redraws the message with Caracal's answer.
 */
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import type { ActFlow } from '../../../src/ingress/act-flow';
import type { MessageRef } from '../../../src/chat/port';
import { SlackMessageRef } from '../address';
import { esc } from '../render/mrkdwn';
import { REASON_BLOCK, REASON_INPUT, reasonDialog } from '../render/act-message';
import { type SlackHandlerDeps, slackActor } from './deps';

const PLATFORM_TITLE = 'Slack';

const onMessage = (channel: string | undefined, ts: string | undefined) => (ref: MessageRef): boolean => {
  const r = SlackMessageRef.safeParse(ref);
  return r.success && !!channel && r.data.channel === channel && r.data.ts === ts;
};

export function actListener(deps: SlackHandlerDeps, acts: ActFlow) {
  return async ({ ack, body, action, respond, client }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const channelId = body.channel?.id ?? body.container?.channel_id;
    const messageTs = body.container?.message_ts ?? body.message?.ts;
    const value = (action as ButtonAction).value;
    const outcome = await acts.click({
      platform: 'slack',
      platformTitle: PLATFORM_TITLE,
      value,
      actor: slackActor(body.user.id, body.user.name ?? body.user.username),
      isListed: (ids) => deps.authz.isListed(body.user.id, ids),
      authorize: () => deps.authz.check(body.user.id, channelId),
      fromMessage: onMessage(channelId, messageTs),
      source: 'slack_button',
    });
    try {
      if (outcome.kind === 'needs_reason') {
        if (!value || !channelId || !messageTs) return;
        await client.views.open({ trigger_id: body.trigger_id, view: reasonDialog({ value, channel: channelId, ts: messageTs }, outcome.prompt) });
        return;
      }
      const text = outcome.kind === 'refused' ? `:warning: ${esc(outcome.message)}` : `:hourglass_flowing_sand: ${esc(outcome.message)}`;
      await respond({ response_type: 'ephemeral', replace_original: false, text });
    } catch (e) {
      deps.logger.warn({ error: (e as Error).message }, 'could not answer an act click');
    }
  };
}

const ReasonContext = z.object({ value: z.string().min(1).max(2000), channel: z.string().min(1).max(64), ts: z.string().min(1).max(64) });

/** The reason dialog's submission: the reason goes with the click; a refusal shows in the dialog. */
export function reasonSubmitListener(deps: SlackHandlerDeps, acts: ActFlow) {
  return async ({ ack, body, view }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    let ctx: z.infer<typeof ReasonContext>;
    try {
      ctx = ReasonContext.parse(JSON.parse(view.private_metadata));
    } catch {
      await ack();
      deps.logger.warn('a reason dialog came back without the click it was opened for');
      return;
    }
    const reason = view.state.values[REASON_BLOCK]?.[REASON_INPUT]?.value ?? '';
    const outcome = await acts.click({
      platform: 'slack',
      platformTitle: PLATFORM_TITLE,
      value: ctx.value,
      reason,
      actor: slackActor(body.user.id, body.user.name),
      isListed: (ids) => deps.authz.isListed(body.user.id, ids),
      authorize: () => deps.authz.check(body.user.id, ctx.channel),
      fromMessage: onMessage(ctx.channel, ctx.ts),
      source: 'slack_dialog',
    });
    if (outcome.kind === 'refused') await ack({ response_action: 'errors', errors: { [REASON_BLOCK]: outcome.message.slice(0, 150) } });
    else await ack();
  };
}
