import { POST_EVENT_TYPE, SlackChatPort } from '../../../adapters/slack/port';
import { ChatPermanentError, ChatRateLimitedError } from '../../../src/chat/port';
import { verifyButton } from '../../../src/commands/button-token';
import { type FakeSlackApi, blocksOf, startFakeSlackApi } from '../../support/fake-slack-api';
import { diagnosedRecord, hugeEvidenceRecord } from './records';
import { NO_LINKS } from '../../../src/report/config';
import { watchNotice, watchTriageRecord, watchView } from '../../support/watch-records';

const KEY = 'k'.repeat(48);
let slack: FakeSlackApi;
let port: SlackChatPort;

beforeAll(async () => {
  slack = await startFakeSlackApi();
  port = new SlackChatPort({ token: 'xoxb-test-token', apiUrl: slack.url, signingKey: KEY });
});
afterAll(() => slack.close());
beforeEach(() => {
  slack.reset();
  slack.channels.clear();
});

describe('SlackChatPort', () => {
  it('posts the card, then updates it in place', async () => {
    const r = diagnosedRecord();
    const ref = await port.postCard({ platform: 'slack', channel: 'C0INC001', teamId: 'T0TEST01' }, r);
    expect(ref).toEqual({ platform: 'slack', channel: 'C0INC001', ts: expect.any(String), teamId: 'T0TEST01' });
    const [post] = slack.callsTo('chat.postMessage');
    expect(post.body.channel).toBe('C0INC001');
    expect(post.body.unfurl_links).toBe('false');
    expect(post.body.link_names).toBeUndefined();
    expect(post.body.text).toContain('resource_definition');
    const blocks = blocksOf(post);
    expect(JSON.stringify(blocks)).toContain('&lt;!channel&gt;');
    expect(JSON.stringify(blocks)).not.toContain('<!channel>');

    await port.updateCard(ref, { ...r, version: 4, state: 'walking', current: 'requested_scopes' });
    const [update] = slack.callsTo('chat.update');
    expect(update.body).toMatchObject({ channel: 'C0INC001', ts: ref.platform === 'slack' ? ref.ts : '' });
    const actions = blocksOf(update).find((b) => b.type === 'actions') as { elements: Array<{ value: string }> };
    const claim = verifyButton(actions.elements[0].value, KEY);
    expect(claim.ok && claim.claim.version).toBe(4);
  });

  it('replies in the thread and uploads long evidence as a file into it', async () => {
    const r = hugeEvidenceRecord();
    const ref = { platform: 'slack' as const, channel: 'C0INC001', ts: '1700000000.000001' };
    await port.postStep(ref, r, 'request_trace');
    const [reply] = slack.callsTo('chat.postMessage');
    expect(reply.body.thread_ts).toBe(ref.ts);
    const [complete] = slack.callsTo('files.completeUploadExternal');
    expect(complete.body).toMatchObject({ channel_id: 'C0INC001', thread_ts: ref.ts });
    expect(slack.uploads).toHaveLength(1);
    expect(JSON.parse(slack.uploads[0].content).evidence.rows).toHaveLength(2000);

    await port.postBundle(ref, r);
    expect(slack.callsTo('chat.postMessage')[1].body.thread_ts).toBe(ref.ts);
    expect(slack.uploads).toHaveLength(2);
  });

  it('posts without files when the capability is off', async () => {
    const noFiles = new SlackChatPort({ token: 'xoxb-test-token', apiUrl: slack.url, signingKey: KEY, files: false });
    expect(noFiles.capabilities.files).toBe(false);
    await noFiles.postBundle({ platform: 'slack', channel: 'C1', ts: '1.2' }, hugeEvidenceRecord());
    expect(slack.callsTo('files.getUploadURLExternal')).toHaveLength(0);
  });

  it('turns a 429 into ChatRateLimitedError at once, without waiting', async () => {
    slack.rateLimit('chat.postMessage', 30);
    const started = Date.now();
    const err = await port.postCard({ platform: 'slack', channel: 'C0INC001' }, diagnosedRecord()).catch((e) => e);
    expect(err).toBeInstanceOf(ChatRateLimitedError);
    expect(err.retryAfterMs).toBe(30_000);
    expect(err.scope).toBe('slack:chat.postMessage:C0INC001');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('maps permanent failures to ChatPermanentError', async () => {
    for (const code of ['channel_not_found', 'is_archived', 'account_inactive']) {
      slack.failWith('chat.update', code);
      const err = await port.updateCard({ platform: 'slack', channel: 'C9', ts: '1.1' }, diagnosedRecord()).catch((e) => e);
      expect(err).toBeInstanceOf(ChatPermanentError);
      expect(err.code).toBe(code);
    }
    const badToken = new SlackChatPort({ token: 'xoxb-wrong', apiUrl: slack.url, signingKey: KEY });
    const err = await badToken.postCard({ platform: 'slack', channel: 'C9' }, diagnosedRecord()).catch((e) => e);
    expect(err).toBeInstanceOf(ChatPermanentError);
    expect(err.code).toBe('invalid_auth');
    expect(err.message).not.toContain('xoxb');
  });

  it('joins a public channel it is not in, and explains a private one', async () => {
    slack.channels.set('C0PUB', { id: 'C0PUB', name: 'inc-pub', is_member: false });
    const ref = await port.postCard({ platform: 'slack', channel: 'C0PUB' }, diagnosedRecord());
    expect(ref.platform === 'slack' && ref.channel).toBe('C0PUB');
    expect(slack.calls.map((c) => c.method)).toEqual(['chat.postMessage', 'conversations.join', 'chat.postMessage']);

    slack.channels.set('G0PRIV', { id: 'G0PRIV', name: 'inc-priv', is_member: false, is_private: true });
    const err = await port.postCard({ platform: 'slack', channel: 'G0PRIV' }, diagnosedRecord()).catch((e) => e);
    expect(err).toBeInstanceOf(ChatPermanentError);
    expect(err.code).toBe('not_in_channel');
    expect(err.message).toContain('/invite');
  });
});

describe('exactly-once support', () => {
  const dest = { platform: 'slack' as const, channel: 'C0ONCE01', teamId: 'T0TEST01' };
  const metadataOf = (c: { body: Record<string, string> }) => JSON.parse(c.body.metadata ?? 'null') as { event_type: string; event_payload: Record<string, string> } | null;

  it('carries every post\'s identity as message metadata', async () => {
    const r = diagnosedRecord();
    const card = await port.postCard(dest, r, { identity: { triageId: r.id, key: 'card' } });
    await port.postSteps(card, r, ['readiness', 'configuration'], { identity: { triageId: r.id, key: 'step.readiness.v2' } });
    const [cardCall, replyCall] = slack.callsTo('chat.postMessage');
    expect(metadataOf(cardCall!)).toEqual({ event_type: POST_EVENT_TYPE, event_payload: { triage_id: r.id, post_key: 'card' } });
    expect(metadataOf(replyCall!)).toEqual({ event_type: POST_EVENT_TYPE, event_payload: { triage_id: r.id, post_key: 'step.readiness.v2' } });
    // One reply for both steps, in order.
    expect(blocksOf(replyCall!).flatMap((b) => (String(b.block_id ?? '').startsWith('step:') ? [b.block_id] : []))).toEqual(['step:readiness', 'step:configuration']);
  });

  it('finds the card and a reply again by their metadata, with the files already in the thread', async () => {
    const r = hugeEvidenceRecord();
    const since = new Date(Date.now() - 60_000);
    const card = await port.postCard(dest, r, { identity: { triageId: r.id, key: 'card' } });
    await port.postStep(card, r, 'request_trace', { identity: { triageId: r.id, key: 'step.request_trace.v4' } });
    const foundCard = await port.findPost(dest, { triageId: r.id, key: 'card' }, since);
    expect(foundCard?.ref).toEqual(card);
    expect(slack.callsTo('conversations.history').at(-1)!.body).toMatchObject({ channel: 'C0ONCE01', include_all_metadata: 'true' });
    const foundReply = await port.findPost(card, { triageId: r.id, key: 'step.request_trace.v4' }, since);
    const reply = slack.replies('C0ONCE01', String(card.ts))[0]!;
    expect(foundReply?.ref).toMatchObject({ channel: 'C0ONCE01', ts: reply.ts });
    expect(foundReply?.detail).toEqual({ files: [`triage-${r.id}-step-3-request_trace.json`] });
    expect(slack.callsTo('conversations.replies').at(-1)!.body).toMatchObject({ include_all_metadata: 'true' });
    expect(await port.findPost(card, { triageId: r.id, key: 'step.grant_policy.v5' }, since)).toBeNull();
    expect(await port.findPost(dest, { triageId: 'tri-someone-else', key: 'card' }, since)).toBeNull();
  });

  it('posts nothing again for a found post, and uploads only a file that is missing', async () => {
    const r = hugeEvidenceRecord();
    const card = await port.postCard(dest, r);
    slack.reset();
    const found = { ref: { ...card, ts: '1796000000.000777' } };
    await port.postBundle(card, r, { found: { ...found, detail: { files: [`caracal-bundle-${r.id}.json`] } } });
    expect(slack.calls).toEqual([]);
    await port.postBundle(card, r, { found: { ...found, detail: { files: [] } } });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(0);
    expect(slack.callsTo('files.completeUploadExternal')).toHaveLength(1);
  });

  it('builds permalinks from the workspace URL auth.test gives', async () => {
    const card = { platform: 'slack' as const, channel: 'C0ONCE01', ts: '1796000000.000100' };
    expect(await port.permalink(card)).toBe('https://test.slack.com/archives/C0ONCE01/p1796000000000100');
    expect(await port.permalink({ ...card, ts: '1796000000.000200', threadTs: card.ts } as never)).toBe(
      'https://test.slack.com/archives/C0ONCE01/p1796000000000200?thread_ts=1796000000.000100&cid=C0ONCE01',
    );
  });

  it('posts without metadata when Slack refuses the metadata, rather than not at all', async () => {
    slack.failWith('chat.postMessage', 'invalid_metadata_format');
    const r = diagnosedRecord();
    await port.postCard(dest, r, { identity: { triageId: r.id, key: 'card' } });
    const calls = slack.callsTo('chat.postMessage');
    expect(calls).toHaveLength(2);
    expect(calls[1]!.body.metadata).toBeUndefined();
    expect(slack.channelMessages('C0ONCE01')).toHaveLength(1);
  });
});

describe("the watch card's chart image", () => {
  const perMinute = Array.from({ length: 60 }, (_, i) => i % 5);
  const view = watchView({ perMinute });
  const watchRecord = () => watchTriageRecord('tri-01jdxyz0123456789abcdefimg', watchNotice(view, { idPart: 'ef', requestId: 'req-img' }), new Date());

  it('posts and updates the card without its image when Slack cannot fetch it (invalid_blocks), rather than not at all', async () => {
    const withLinks = new SlackChatPort({ token: 'xoxb-test-token', apiUrl: slack.url, signingKey: KEY, links: { ...NO_LINKS, publicUrl: 'https://triage.internal.example' } });
    slack.failWith('chat.postMessage', 'invalid_blocks');
    const r = watchRecord();
    const ref = await withLinks.postCard({ platform: 'slack', channel: 'C0IMG001' }, r);
    const posts = slack.callsTo('chat.postMessage');
    expect(posts).toHaveLength(2);
    expect(blocksOf(posts[0]!).some((b) => b.type === 'image')).toBe(true);
    expect(blocksOf(posts[1]!).some((b) => b.type === 'image')).toBe(false);
    expect(JSON.stringify(blocksOf(posts[1]!))).toContain('Last hour, 5 min a mark');
    expect(slack.channelMessages('C0IMG001')).toHaveLength(1);
    slack.failWith('chat.update', 'invalid_blocks');
    await withLinks.updateCard(ref, r);
    const updates = slack.callsTo('chat.update');
    expect(updates).toHaveLength(2);
    expect(blocksOf(updates[1]!).some((b) => b.type === 'image')).toBe(false);
    // A refusal of blocks without an image is the message's own: permanent, as before.
    slack.failWith('chat.postMessage', 'invalid_blocks');
    await expect(port.postCard({ platform: 'slack', channel: 'C0IMG001' }, r)).rejects.toBeInstanceOf(ChatPermanentError);
  });
});
