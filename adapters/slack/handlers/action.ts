/**
 * Card buttons: ack at once (the card itself is redrawn by the worker), then hand the signed
 * value to the command flow. Anything refused (altered, expired, stale, replayed, finished, not
 * allowed) gets one ephemeral explanation through response_url and changes nothing. *Export*
 * (on a resolved or escalated card) comes back as the postmortem, which is uploaded into the
 * card's thread as a Markdown file (files.uploadV2, as the bundle is; with SLACK_FILE_UPLOADS
 * off, the thread gets the export's link or the command that prints it).
 */
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs, webApi } from '@slack/bolt';
import type { ActionOutcome } from '../../../src/ingress/flow';
import { SlackMessageRef } from '../address';
import { slackErrorCode } from '../errors';
import { slackLink } from '../render/dates';
import { code, esc, userRef } from '../render/mrkdwn';
import { type SlackHandlerDeps, slackActor } from './deps';

type Exported = Extract<ActionOutcome, { kind: 'export' }>;

/** The postmortem into the card's thread: a file when uploads are on, else a pointer to it. */
async function postExport(deps: SlackHandlerDeps, client: webApi.WebClient, channel: string, thread: string, userId: string, e: Exported): Promise<void> {
  const who = userRef(userId);
  if (deps.fileUploads) {
    await client.files.uploadV2({ channel_id: channel, thread_ts: thread, content: e.markdown, filename: e.fileName, title: e.title, initial_comment: `:page_with_curl: Postmortem export for ${who}: timeline, diagnosis, steps, changes, the redacted bundle and the audit chain's check.` });
    return;
  }
  const where = e.links.export ? slackLink(e.links.export, 'download the Markdown') : `run ${code(`caracal-triage show ${e.triageId} --markdown`)} where the bot runs`;
  await client.chat.postMessage({ channel, thread_ts: thread, text: `:page_with_curl: Postmortem export for ${who}: file uploads are off here, so ${where}.`, unfurl_links: false });
}

export function actionListener(deps: SlackHandlerDeps) {
  return async ({ ack, body, action, respond, client }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
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
    let message: string;
    if (outcome.kind === 'export') {
      try {
        await postExport(deps, client, channelId!, messageTs!, body.user.id, outcome);
        return;
      } catch (e) {
        deps.logger.warn({ error: slackErrorCode(e) ?? (e as Error).message, triageId: outcome.triageId }, 'could not post the export');
        message = `The export could not be posted here (${slackErrorCode(e) ?? 'Slack refused it'}); \`caracal-triage show ${outcome.triageId} --markdown\` prints it where the bot runs.`;
      }
    } else {
      message = outcome.message;
    }
    try {
      // Explanations are plain text with `code` spans; esc() keeps `<request-id>` from becoming a link.
      await respond({ response_type: 'ephemeral', replace_original: false, text: `:warning: ${esc(message)}` });
    } catch (e) {
      deps.logger.warn({ error: (e as Error).message }, 'could not send an ephemeral explanation');
    }
  };
}
