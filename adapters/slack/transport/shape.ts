/**
 * What a verified Slack body is, before Bolt sees it (zod). Bolt waits up to 3 s for a listener
 * to acknowledge anything it does not recognise and then answers 404, and it fails with a 500 on
 * shapes it does not expect (`payload=null`, `"event": null`): so a signed body that is not one
 * of Slack's shapes is answered 400 at once, and a well-formed one the bot does not handle (a
 * modal, a shortcut, someone else's button) is acknowledged with 200 at once and dropped.
 */
import { z } from 'zod';
import { ACTION_PREFIX } from '../render/card';
import { ACT_ACTION_PREFIX, REASON_VIEW } from '../render/act-message';

export type SlackBodyVerdict = { kind: 'bolt' } | { kind: 'ack'; why: string } | { kind: 'bad'; message: string };

const SlashCommand = z.looseObject({
  command: z.string().regex(/^\/\S+$/),
  text: z.string().optional(),
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
  team_id: z.string().optional(),
  trigger_id: z.string().optional(),
});
const BlockActions = z.looseObject({
  type: z.literal('block_actions'),
  user: z.looseObject({ id: z.string().min(1) }),
  actions: z.array(z.looseObject({ action_id: z.string(), value: z.string().optional() })).min(1),
});
const Interactive = z.looseObject({ type: z.string().min(1) });
const ViewSubmission = z.looseObject({
  type: z.literal('view_submission'),
  user: z.looseObject({ id: z.string().min(1) }),
  view: z.looseObject({ callback_id: z.string(), private_metadata: z.string().optional() }),
});
const EventCallback = z.looseObject({ type: z.literal('event_callback'), event: z.looseObject({ type: z.string().min(1) }) });
const UrlVerification = z.looseObject({ type: z.literal('url_verification'), challenge: z.string().min(1) });
const Envelope = z.looseObject({ type: z.string().min(1) });

function json(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

const bad = (message: string): SlackBodyVerdict => ({ kind: 'bad', message });

function formBody(raw: string): SlackBodyVerdict {
  const form = new URLSearchParams(raw);
  if (form.has('ssl_check')) return { kind: 'bolt' };
  const payload = form.get('payload');
  if (payload !== null) {
    const parsed = json(payload);
    if (!parsed.ok) return bad('payload is not JSON');
    const interactive = Interactive.safeParse(parsed.value);
    if (!interactive.success) return bad('payload is not an interaction object with a type');
    if (interactive.data.type === 'view_submission') {
      const v = ViewSubmission.safeParse(parsed.value);
      return v.success && v.data.view.callback_id === REASON_VIEW ? { kind: 'bolt' } : { kind: 'ack', why: 'not one of the bot\'s dialogs' };
    }
    if (interactive.data.type !== 'block_actions') return { kind: 'ack', why: `interaction type ${interactive.data.type} is not handled` };
    const actions = BlockActions.safeParse(parsed.value);
    if (!actions.success) return bad('block_actions payload without a user or actions');
    return actions.data.actions.some((a) => a.action_id.startsWith(ACTION_PREFIX) || a.action_id.startsWith(ACT_ACTION_PREFIX)) ? { kind: 'bolt' } : { kind: 'ack', why: 'not one of the bot\'s buttons' };
  }
  if (form.has('command')) return SlashCommand.safeParse(Object.fromEntries(form)).success ? { kind: 'bolt' } : bad('slash command without command, user_id or channel_id');
  return bad('neither a slash command nor an interaction payload');
}

function jsonBody(raw: string): SlackBodyVerdict {
  const parsed = json(raw);
  if (!parsed.ok) return bad('body is not JSON');
  const envelope = Envelope.safeParse(parsed.value);
  if (!envelope.success) return bad('body is not an object with a type');
  switch (envelope.data.type) {
    case 'event_callback':
      return EventCallback.safeParse(parsed.value).success ? { kind: 'bolt' } : bad('event_callback without an event object');
    case 'url_verification':
      return UrlVerification.safeParse(parsed.value).success ? { kind: 'bolt' } : bad('url_verification without a challenge');
    default:
      return { kind: 'ack', why: `envelope type ${envelope.data.type} is not handled` };
  }
}

export function classifySlackBody(raw: Buffer, contentType: string | undefined): SlackBodyVerdict {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const text = raw.toString('utf8');
  if (type === 'application/x-www-form-urlencoded') return formBody(text);
  if (type === 'application/json') return jsonBody(text);
  return bad(`content type ${JSON.stringify(type || 'none')} is not one Slack sends`);
}
