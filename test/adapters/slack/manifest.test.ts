/** manifest.yml declares exactly what the code uses: events it listens to, scopes its calls need. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(__dirname, '..', '..', '..');
const manifest = parse(readFileSync(join(root, 'manifest.yml'), 'utf8'));

/** Web API methods the bot calls → the bot scopes each needs (null: none; several: one per channel kind). */
const METHOD_SCOPES: Record<string, string | string[] | null> = {
  'auth.test': null,
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'conversations.join': 'channels:join',
  'conversations.info': 'channels:read',
  // Exactly-once posting looks a post up again after a crash, in public and private channels.
  'conversations.history': ['channels:history', 'groups:history'],
  'conversations.replies': ['channels:history', 'groups:history'],
  'files.uploadV2': 'files:write',
  'usergroups.users.list': 'usergroups:read',
  // The dialog that asks a rejection's reason (src/act); needs no scope.
  'views.open': null,
  // The Home tab: the channels the person is in, as far as the bot sees them; publishing needs no scope.
  'users.conversations': ['channels:read', 'groups:read'],
  'views.publish': null,
};
/** Scopes needed for events rather than calls. */
const EVENT_SCOPES: Record<string, string[]> = {
  app_mention: ['app_mentions:read'],
  channel_created: ['channels:read'],
  member_joined_channel: ['channels:read', 'groups:read'],
  'message.im': ['im:history'],
  app_home_opened: [],
};

/** Bolt's event name → the subscription in the manifest (Bolt hears every `message`; the bot subscribes to DMs only). */
const SUBSCRIPTION: Record<string, string> = { message: 'message.im' };

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('manifest.yml', () => {
  it('has the Home tab and the Messages tab (direct messages take commands)', () => {
    expect(manifest.features.app_home).toEqual({ home_tab_enabled: true, messages_tab_enabled: true, messages_tab_read_only_enabled: false });
  });

  it('points every URL at /slack/events', () => {
    expect(manifest.features.slash_commands).toEqual([expect.objectContaining({ command: '/caracal', url: 'https://YOUR_HOST/slack/events' })]);
    expect(manifest.settings.event_subscriptions.request_url).toBe('https://YOUR_HOST/slack/events');
    expect(manifest.settings.interactivity).toEqual({ is_enabled: true, request_url: 'https://YOUR_HOST/slack/events' });
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });

  it('subscribes to exactly the events the app listens to', () => {
    const app = readFileSync(join(root, 'adapters/slack/ingress.ts'), 'utf8');
    const listened = [...app.matchAll(/bolt\.event\('([a-z_]+)'/g)].map((m) => SUBSCRIPTION[m[1]!] ?? m[1]).sort();
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual(listened);
  });

  it('asks for exactly the scopes the calls and events need', () => {
    const code = sources(join(root, 'adapters/slack')).map((f) => readFileSync(f, 'utf8')).join('\n');
    const called = new Set([...code.matchAll(/client\.([a-z]+(?:\.[a-zA-Z0-9]+)+)\(/g)].map((m) => m[1]));
    for (const m of called) expect(Object.keys(METHOD_SCOPES)).toContain(m);
    const needed = new Set<string>(['commands']);
    for (const m of called) for (const scope of [METHOD_SCOPES[m] ?? []].flat()) needed.add(scope);
    for (const e of manifest.settings.event_subscriptions.bot_events as string[]) for (const s of EVENT_SCOPES[e] ?? []) needed.add(s);
    // usergroups:read: members of the user groups in TRIAGE_ALLOWED_USERGROUPS, TRIAGE_APPROVERS and TRIAGE_FIXERS.
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });
});
