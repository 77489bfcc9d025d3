/**
 * Channel addresses as operators write them: the Slack and Teams IDs they copy from the
 * apps are accepted, lookalikes are refused with an example of the right form.
 */
import { CHANNEL_ADDRESSES } from '../../src/app/platforms';

const parseChannelAddress = (text: string) => CHANNEL_ADDRESSES.parse(text);

describe('channel addresses', () => {
  it.each([
    ['slack:C0123ABCDEF', { platform: 'slack', channel: 'C0123ABCDEF' }],
    ['slack:G01PRIVATE9', { platform: 'slack', channel: 'G01PRIVATE9' }],
    [' Slack:D024BE91L ', { platform: 'slack', channel: 'D024BE91L' }],
    ['teams:19:3f2a9c1b7d4e4f5a@thread.tacv2', { platform: 'teams', conversationId: '19:3f2a9c1b7d4e4f5a@thread.tacv2' }],
    ['teams:19:3f2a9c1b@thread.tacv2;messageid=1700000000000', { platform: 'teams', conversationId: '19:3f2a9c1b@thread.tacv2;messageid=1700000000000' }],
    ['teams:a:1Xy-9_ZqW', { platform: 'teams', conversationId: 'a:1Xy-9_ZqW' }],
  ])('accepts %s', (text, address) => {
    expect(parseChannelAddress(text)).toEqual({ ok: true, address });
  });

  it.each([
    ['C0123ABCDEF', /is not a channel: write slack:C0123ABCDEF or teams:19:abc123@thread.tacv2/],
    ['slack:#incidents', /is not a Slack channel ID/],
    ['slack:c0123abcdef', /is not a Slack channel ID/],
    ['slack:U0123ABCDEF', /is not a Slack channel ID/],
    ['slack:', /is not a Slack channel ID/],
    ['teams:general', /is not a Teams conversation ID/],
    ['teams:19:has space@thread.tacv2', /is not a Teams conversation ID/],
    [`teams:19:${'x'.repeat(600)}`, /is not a Teams conversation ID/],
    ['mattermost:abc', /is not a channel/],
  ])('refuses %s', (text, message) => {
    const r = parseChannelAddress(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it('writes an address back the way it is read', () => {
    for (const text of ['slack:C0123ABCDEF', 'teams:19:abc@thread.tacv2']) {
      const r = parseChannelAddress(text);
      expect(r.ok && CHANNEL_ADDRESSES.format(r.address)).toBe(text);
    }
  });
});
