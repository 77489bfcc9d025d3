/**
 * The deny watcher's card on both platforms: what is denied, "N denials in 5 min, latest …,
 * K applications", the last hour as a text sparkline, when it opens and closes, the previous
 * triage of a pattern that came back, and a closed pattern's quiet line, and the last hour as
 * an image (Slack: a signed link to the web process; Teams: inside the card); outside values (a
 * resource or application name Caracal recorded) stay inert. Built through the real mapping,
 * state machine and renderers.
 */
import { buildStatusCard as slackCard } from '../../adapters/slack/render';
import { buildStatusCard as teamsCard } from '../../adapters/teams/render';
import { sparkline } from '../../src/chat/render/watch';
import { NO_LINKS } from '../../src/report/config';
import { checkPageLink } from '../../src/report/page-link';
import type { TriageRecord, WatchPatternView } from '../../src/triage/record';
import { watchNotice, watchTriageRecord, watchView } from '../support/watch-records';

const KEY = 'k'.repeat(48);
const NOW = new Date('2026-12-01T14:03:00.000Z');

const view = watchView({
  applicationName: 'Anton *bold* <!channel>',
  windowCount: 37,
  total: 412,
  firstAt: '2026-12-01T13:40:03.000Z',
  applications: 3,
  lastHour: [0, 0, 0, 0, 0, 1, 2, 5, 12, 20, 30, 37],
  previous: { triageId: 'tri-01jdxyz0123456789abcdefghj', closedAt: '2026-12-01T13:10:00.000Z', link: 'https://example.slack.com/archives/C0/p1' },
});

function record(v: WatchPatternView, signal: 'firing' | 'resolved' = 'firing'): TriageRecord {
  return watchTriageRecord('tri-01jdxyz0123456789abcdefghk', watchNotice(v, { idPart: 'ab', requestId: 'req-42', signal }), NOW);
}

const slackText = (r: TriageRecord): string => JSON.stringify(slackCard(r, { signingKey: KEY, now: NOW }).blocks);
const teamsText = (r: TriageRecord): string => JSON.stringify(teamsCard(r, { signingKey: KEY, now: NOW }).body);

test('the sparkline: an empty bucket is the lowest bar, the busiest the highest', () => {
  expect(sparkline([0, 1, 5, 10])).toBe('▁▂▅█');
  expect(sparkline([0, 0, 0])).toBe('▁▁▁');
});

test.each([
  ['Slack', slackText, '`Anton *bold* &lt;!channel&gt;`'],
  ['Teams', teamsText, '`Anton *bold* <!channel>`'],
])('%s: the pattern, its counts, latest time, applications and last hour, on the card the deny watcher opened', (platform, text, appName) => {
  const card = text(record(view));
  expect(card).toContain('the deny watcher');
  expect(card).toContain('37 denials in 5 min, latest 14:02:11 UTC; 412 since 13:40:03 UTC; 3 applications denied on this resource for this reason.');
  expect(card).toContain('`▁▁▁▁▁▂▂▂▃▅▇█`');
  expect(card).toContain('most in one mark: 37');
  expect(card).toContain('Opens at 5 denials in 5 min and above 3× its own rate over the 24 h before; closes after 15 min without one.');
  expect(card).toContain('its previous triage `tri-01jdxyz0123456789abcdefghj` closed at 13:10:00 UTC');
  expect(card).toContain('https://example.slack.com/archives/C0/p1');
  // The application's name is Caracal's text: inside a code span, nothing in it formats or pings.
  expect(card).toContain(appName);
  if (platform === 'Slack') expect(card).not.toContain('<!channel>');
});

test('a closed pattern says it went quiet; a replay says it opens at its first denial', () => {
  const closed = slackText(record({ ...view, previous: null, quietSince: '2026-12-01T14:17:11.000Z' }, 'resolved'));
  expect(closed).toContain('No denial since 14:02:11 UTC: quiet for 15 min, so this pattern is closed.');
  expect(closed).toContain('(resolved)');
  const replay = teamsText(record({ ...view, reason: 'replay_detected', thresholds: { minDenials: 1, windowMs: 300_000, baselineFactor: 0 } }));
  expect(replay).toContain('Opens at its first denial');
  expect(replay).toContain('resource_verifier');
});

describe('the chart as an image', () => {
  const perMinute = Array.from({ length: 60 }, (_, i) => (i >= 40 ? i - 39 : 0));
  const charted = { ...view, perMinute };
  const links = { ...NO_LINKS, publicUrl: 'https://triage.example.com' };

  test('Slack: with TRIAGE_PUBLIC_URL, an image block whose URL is the signed, expiring chart of this triage', () => {
    const r = record(charted);
    const image = slackCard(r, { signingKey: KEY, now: NOW, links }).blocks.find((b) => b.type === 'image') as { image_url: string; alt_text: string } | undefined;
    expect(image).toBeDefined();
    expect(image!.alt_text).toBe('Denied requests per minute over the last hour: 210 in all, 20 in the busiest minute.');
    const url = new URL(image!.image_url);
    expect(`${url.origin}${url.pathname}`).toBe(`https://triage.example.com/triage/${r.id}.png`);
    const check = checkPageLink(`${url.pathname}${url.search}`, KEY, NOW);
    expect(check).toMatchObject({ ok: true, triageId: r.id, format: 'png' });
    expect((check as { expiresAt: Date }).expiresAt.getTime()).toBe(Math.floor((NOW.getTime() + NO_LINKS.pageTtlMs) / 1000) * 1000);
    // It holds no secret: only the triage ID, the expiry, the signature and the counts' version.
    expect([...url.searchParams.keys()].sort()).toEqual(['exp', 'sig', 'v']);
    expect(image!.image_url).not.toContain(KEY);
    // The image's link opens the image only, not the page.
    expect(checkPageLink(`/triage/${r.id}${url.search}`, KEY, NOW)).toMatchObject({ ok: false, status: 403 });
  });

  test('Slack: without TRIAGE_PUBLIC_URL only the text sparkline is drawn', () => {
    const blocks = slackCard(record(charted), { signingKey: KEY, now: NOW }).blocks;
    expect(blocks.some((b) => b.type === 'image')).toBe(false);
    expect(JSON.stringify(blocks)).toContain('Last hour, 5 min a mark');
  });

  test('Teams: the PNG inside the card as a data URI, with its alternative text', () => {
    const body = JSON.stringify(teamsCard(record(charted), { signingKey: KEY, now: NOW }).body);
    const m = /"type":"Image","url":"data:image\/png;base64,([A-Za-z0-9+/=]+)","altText":"([^"]+)"/.exec(body);
    expect(m).not.toBeNull();
    expect(Buffer.from(m![1]!, 'base64').subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(m![2]).toContain('210 in all');
    // A record written before the per-minute counts: text only.
    expect(JSON.stringify(teamsCard(record(view), { signingKey: KEY, now: NOW }).body)).not.toContain('"Image"');
  });
});
