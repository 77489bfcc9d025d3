/**
 * Reading act messages off the fake Slack (test/support/fake-slack-api.ts) and clicking them as
 * Slack sends clicks: the message's text and buttons, a signed block_actions for a button, a
 * signed view_submission for the reason dialog.
 */
import type { FakeMessage, FakeSlackApi } from '../support/fake-slack-api';
import { sendSigned, sendClick, type SlackReply } from '../support/slack-signing';

export interface Button {
  action_id: string;
  value: string;
  text: { text: string };
}

export function blocksOf(m: FakeMessage): Array<Record<string, unknown>> {
  return m.blocks ? (JSON.parse(m.blocks) as Array<Record<string, unknown>>) : [];
}

/** Every text of the message's blocks, joined (what a person reads). */
export function textOf(m: FakeMessage): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.text === 'string') out.push(o.text);
      for (const [k, x] of Object.entries(o)) if (k !== 'value') walk(x);
    }
  };
  walk(blocksOf(m));
  return out.join('\n');
}

export function buttonsOf(m: FakeMessage): Button[] {
  return blocksOf(m).flatMap((b) => (b.type === 'actions' ? (b.elements as Button[]) : []));
}

export function button(m: FakeMessage, label: string): Button {
  const b = buttonsOf(m).find((x) => x.text.text === label);
  if (!b) throw new Error(`no "${label}" button on the message; it has ${buttonsOf(m).map((x) => x.text.text).join(', ') || 'none'}`);
  return b;
}

/** The latest version of the message with this ts (chat.update edits it in place). */
export const current = (slack: FakeSlackApi, m: FakeMessage): FakeMessage => slack.messages.find((x) => x.channel === m.channel && x.ts === m.ts)!;

export async function waitForMessage(slack: FakeSlackApi, pred: (m: FakeMessage) => boolean, timeoutMs = 15_000): Promise<FakeMessage> {
  return slack.waitFor(() => slack.messages.find(pred), timeoutMs);
}

let clicks = 0;

/** A click on `b` by `userId`; the ephemeral answer goes to `slack.responses` under id `<user>-<n>`. */
export function clickButton(events: string, slack: FakeSlackApi, m: FakeMessage, b: Button, userId: string): Promise<SlackReply> {
  return sendClick(events, { actionId: b.action_id, value: b.value, userId, channelId: m.channel, messageTs: m.ts, responseUrl: `${slack.responseUrlBase}${userId}-${++clicks}` });
}

/** The ephemeral answers `userId` got. */
export const answersTo = (slack: FakeSlackApi, userId: string): string[] => slack.responses.filter((r) => r.id.startsWith(`${userId}-`)).map((r) => String(r.body.text ?? ''));

/** The reason dialog's submission, as Slack posts it. */
export function submitReason(events: string, view: Record<string, unknown>, userId: string, reason: string): Promise<SlackReply> {
  const payload = {
    type: 'view_submission',
    team: { id: 'T0TEST01', domain: 'test' },
    user: { id: userId, username: 'oncall', name: 'oncall', team_id: 'T0TEST01' },
    api_app_id: 'A0APP001',
    token: 'deprecated-verification-token',
    trigger_id: `${Date.now()}.view`,
    view: {
      id: 'V00000001',
      type: 'modal',
      callback_id: view.callback_id,
      private_metadata: view.private_metadata,
      blocks: view.blocks,
      state: { values: { reason: { reason: { type: 'plain_text_input', value: reason } } } },
      hash: '1700000000.abcdef',
    },
  };
  return sendSigned(events, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded');
}
