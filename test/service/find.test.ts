/**
 * Finding triages again through the TriageService, over real Redis: a channel's triages are
 * listed whether a person typed the command there or an incident route sent the triage there
 * (the destinations differ, the place is the same), open means neither resolved nor
 * abandoned, a person's own triages are the ones they started or clicked, an expired triage
 * drops out of every list, and an export's audit trail holds the triage's entries and says
 * whether the chain verifies.
 */
import type { Redis } from 'ioredis';
import { openService } from '../support/halves';
import type { RedisTriageService } from '../../src/service/triage-service';
import type { StartTriageRequest } from '../../src/ingress/service-api';
import { SIGNING_KEY, deleteByPrefix, uniquePrefix } from '../queue/harness';

const prefix = uniquePrefix('find');
let service: RedisTriageService;
let redis: Redis;

beforeAll(async () => {
  service = await openService({ redisUrl: process.env.REDIS_URL!, signingKey: SIGNING_KEY, prefix });
  redis = service.store.redis;
});
afterAll(async () => {
  await deleteByPrefix(redis, prefix);
  await service.close();
});

let n = 0;
/** Starts one triage; a few ms apart, so "newest first" is decided by time, not by a tie (same-ms starts sort by ID). */
const start = async (over: Partial<StartTriageRequest> = {}): Promise<string> => {
  await new Promise((r) => setTimeout(r, 3));
  return service
    .start({
      input: { requestId: `req-find-${++n}`, zoneId: null, symptom: null, error: null },
      destination: { platform: 'slack', channel: 'C0FIND001', teamId: 'T0TEST01' },
      actor: { kind: 'user', id: 'U0ADA001', name: 'ada' },
      dedupeKey: `find-${n}-${Math.random()}`,
      source: 'slack_command',
      ...over,
    })
    .then((r) => r.triageId);
};

describe('list', () => {
  it('finds a channel\'s triages by place, typed there or routed there, newest first', async () => {
    const typed = await start();
    // An incident route's destination has no workspace: a different address, the same channel.
    const routed = await start({ destination: { platform: 'slack', channel: 'C0FIND001' }, actor: { kind: 'webhook', id: 'alertmanager' }, source: 'alertmanager' });
    const elsewhere = await start({ destination: { platform: 'slack', channel: 'C0OTHER01', teamId: 'T0TEST01' } });
    const here = await service.list({ in: { platform: 'slack', channel: 'C0FIND001', teamId: 'T0TEST01' } });
    expect(here.triages.map((t) => t.record.id)).toEqual([routed, typed]);
    expect(here.triages.every((t) => t.place === 'slack:C0FIND001')).toBe(true);
    expect((await service.list({ place: 'slack:C0OTHER01' })).triages.map((t) => t.record.id)).toEqual([elsewhere]);
    expect(here.triages[0]!.startedBy).toEqual({ kind: 'webhook', id: 'alertmanager' });
    expect(here.triages[0]!.source).toBe('alertmanager');
  });

  it('open leaves out resolved and abandoned triages, and keeps escalated ones', async () => {
    const place = 'slack:C0FIND002';
    const dest = { platform: 'slack', channel: 'C0FIND002' };
    const [a, b, c] = [await start({ destination: dest }), await start({ destination: dest }), await start({ destination: dest })];
    for (const id of [a, b, c]) expect((await service.store.apply(id, { type: 'collection_finished', zoneId: 'z', symptom: null, surface: null, diagnosis: null, bundle: null })).ok).toBe(true);
    expect((await service.apply(a, { type: 'resolve', actor: { kind: 'user', id: 'U0BOB0001', name: 'bob' } }, 'test')).ok).toBe(true);
    expect((await service.apply(b, { type: 'escalate', actor: { kind: 'user', id: 'U0BOB0001', name: 'bob' } }, 'test')).ok).toBe(true);
    expect((await service.list({ place, open: true })).triages.map((t) => t.record.id)).toEqual([c, b]);
    expect((await service.list({ place })).triages.map((t) => t.record.id)).toEqual([c, b, a]);
    // Every open triage, workspace-wide.
    const all = (await service.list({ open: true, limit: 200 })).triages.map((t) => t.record.id);
    expect(all).toEqual(expect.arrayContaining([b, c]));
    expect(all).not.toContain(a);
  });

  it('a person\'s own: the triages they started or clicked on, most recently touched first', async () => {
    const mine = await start({ actor: { kind: 'user', id: 'U0CARL001', name: 'carl' } });
    const clicked = await start();
    expect((await service.store.apply(clicked, { type: 'collection_finished', zoneId: 'z', symptom: null, surface: null, diagnosis: null, bundle: null })).ok).toBe(true);
    expect((await service.apply(clicked, { type: 'next', actor: { kind: 'user', id: 'U0CARL001', name: 'carl' } }, 'test')).ok).toBe(true);
    expect((await service.list({ actor: 'U0CARL001' })).triages.map((t) => t.record.id)).toEqual([clicked, mine]);
  });

  it('pages: a limit, and `more` when there were more', async () => {
    const dest = { platform: 'slack', channel: 'C0FIND003' };
    for (let i = 0; i < 4; i++) await start({ destination: dest });
    const page = await service.list({ place: 'slack:C0FIND003', limit: 3 });
    expect(page.triages).toHaveLength(3);
    expect(page.more).toBe(true);
    expect((await service.list({ place: 'slack:C0FIND003', limit: 4 })).more).toBe(false);
  });

  it('a triage whose record expired drops out of the lists and of find', async () => {
    const dest = { platform: 'slack', channel: 'C0FIND004' };
    const kept = await start({ destination: dest });
    const gone = await start({ destination: dest });
    await redis.del(service.store.keys.triage(gone));
    expect((await service.list({ place: 'slack:C0FIND004' })).triages.map((t) => t.record.id)).toEqual([kept]);
    expect(await service.find(gone)).toBeNull();
    // …and from the index itself, so it is not read again.
    expect(await redis.zscore(service.store.keys.place('slack:C0FIND004'), gone)).toBeNull();
  });

  it('a destination no platform reads lists nothing (not everything)', async () => {
    expect((await service.list({ in: { platform: 'nowhere', room: 'x' } })).triages).toEqual([]);
  });
});

describe('find and the audit trail', () => {
  it('find gives the triage with its place and starter; the trail its audit entries and a verified chain', async () => {
    const id = await start({ destination: { platform: 'slack', channel: 'C0FIND005' } });
    expect((await service.store.apply(id, { type: 'collection_finished', zoneId: 'z', symptom: null, surface: null, diagnosis: null, bundle: null })).ok).toBe(true);
    expect((await service.apply(id, { type: 'resolve', actor: { kind: 'user', id: 'U0BOB0001', name: 'bob' } }, 'slack_button')).ok).toBe(true);
    const found = await service.find(id);
    expect(found).toMatchObject({ place: 'slack:C0FIND005', startedBy: { id: 'U0ADA001' }, source: 'slack_command', card: null, record: { id, state: 'resolved' } });
    const trail = await service.auditTrail(id);
    expect(trail.entries.map((e) => [e.action, e.actor.id, e.source])).toEqual([
      ['start', 'U0ADA001', 'slack_command'],
      ['resolve', 'U0BOB0001', 'slack_button'],
    ]);
    expect(trail.chain).toEqual(expect.objectContaining({ ok: true }));
    expect((await service.auditTrail(id, { verify: false })).chain).toBeNull();
  });

  it('a broken chain is reported as broken', async () => {
    const id = await start({ destination: { platform: 'slack', channel: 'C0FIND006' } });
    const [[streamId, fields]] = (await redis.xrange(service.store.keys.audit(), '-', '+', 'COUNT', 1)) as Array<[string, string[]]>;
    const e = fields[fields.indexOf('e') + 1]!;
    // Alter the first entry of the chain, as someone with Redis access could.
    await redis.xdel(service.store.keys.audit(), streamId!);
    await redis.xadd(service.store.keys.audit(), '*', 'seq', '1', 'hmac', fields[fields.indexOf('hmac') + 1]!, 'e', e.replace('"start"', '"resolve"'));
    const trail = await service.auditTrail(id);
    expect(trail.chain?.ok).toBe(false);
    expect(trail.chain?.reason).toBeTruthy();
  });
});
