/**
 * The Home tab's view (views.publish; at most 100 blocks, here at most 28): how to start, the
 * person's recent triages, the open ones in the channels they are in, each line as `list`
 * draws it (find.ts: where it stands, request, zone by name, channel, started in the reader's
 * zone, links to its card and page). Checked against the Block Kit limits like every message.
 */
import type { types } from '@slack/bolt';
import type { HomeOutcome } from '../../../src/ingress/flow';
import { slackDate } from './dates';
import { triageLine } from './find';
import { LIMITS, validateMessage } from './limits';
import { esc } from './mrkdwn';

export const HOME_BLOCKS_MAX = 100;

export interface HomeViewOptions {
  /** users.conversations' error, when the channels the person is in could not be read. */
  channelsProblem: string | null;
  /** Who may use the bot (authz.describe()). */
  access: string;
  now?: Date;
}

const section = (text: string): types.KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, LIMITS.sectionText) } });
const context = (text: string): types.KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });

export function buildHomeView(home: HomeOutcome, o: HomeViewOptions): types.HomeView {
  const now = o.now ?? new Date();
  const blocks: types.KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'Caracal triage', emoji: false } },
    section(
      [
        '*Start a triage* in any channel the bot is in, or here in Messages:',
        '• `/caracal triage <request-id> [zone]`: why that call was denied (the zone by ID, slug or name)',
        '• `/caracal triage`: readiness first, then pick the symptom',
        '• `/caracal list` · `list mine` · `show <triage-id>` · `help`',
        `Who may use it: ${esc(o.access)}.`,
      ].join('\n'),
    ),
    { type: 'divider' },
  ];
  if (home.unavailable) {
    blocks.push(section(':warning: The bot cannot read its triages right now (its store is unavailable). Open this tab again in a minute.'));
  } else {
    blocks.push(section('*Your recent triages*'));
    if (home.mine.length === 0) blocks.push(context('None yet: the triages you start or click on appear here.'));
    for (const t of home.mine) blocks.push(section(triageLine(t)));
    blocks.push({ type: 'divider' }, section('*Open in your channels*'));
    if (home.open === null) {
      blocks.push(context(`The bot could not tell which channels you are in${o.channelsProblem ? ` (Slack answered ${esc(o.channelsProblem)})` : ''}; \`/caracal list\` in a channel shows its open triages.`));
    } else if (home.open.length === 0) {
      blocks.push(context('No open triage in the channels you are in.'));
    } else {
      for (const t of home.open) blocks.push(section(triageLine(t)));
    }
    blocks.push(context(`Channels: the public ones you are in and the private ones the bot is in too (Slack shows a bot no others). Updated ${slackDate(now.toISOString())}.`));
  }
  // Each block is held to Block Kit's limits as a message's are (a view takes up to 100 blocks
  // and has no message-size ceiling, so they are checked a few at a time).
  for (let i = 0; i < blocks.length; i += 10) validateMessage({ text: 'Caracal triage', blocks: blocks.slice(i, i + 10) });
  return { type: 'home', blocks: blocks.slice(0, HOME_BLOCKS_MAX) };
}
