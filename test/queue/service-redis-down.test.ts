import pino from 'pino';
import { openService } from '../support/halves';
import { startRedis } from '../support/redis-server';
import { SIGNING_KEY, waitFor } from './harness';

test('with Redis down, TriageService.start fails fast (the adapter can still answer within its 3 s)', async () => {
  const redis = await startRedis();
  const service = await openService({ redisUrl: redis.url, signingKey: SIGNING_KEY, prefix: 'ct-test-down:', logger: pino({ level: 'silent' }) });
  try {
    await redis.stop();
    const t0 = Date.now();
    await expect(
      service.start({
        input: { requestId: 'req-1', zoneId: null, symptom: null, error: null },
        destination: { platform: 'slack', channel: 'C1' },
        actor: { kind: 'user', id: 'U1' },
        dedupeKey: 'down-1',
        source: 'command',
      }),
    ).rejects.toThrow();
    expect(Date.now() - t0).toBeLessThan(1000);
  } finally {
    await service.close();
    await redis.destroy();
  }
});

test('in `start`, over the worker connections it shares (which wait out an outage), it still fails fast once Redis is lost', async () => {
  const redis = await startRedis();
  const service = await openService({ redisUrl: redis.url, role: 'worker', signingKey: SIGNING_KEY, prefix: 'ct-test-down-start:', logger: pino({ level: 'silent' }) });
  const lost = (): boolean => {
    try {
      service.ensureConnected();
      return false;
    } catch {
      return true;
    }
  };
  try {
    await redis.stop();
    await waitFor('the connections to notice', async () => lost(), 5000, 20);
    const t0 = Date.now();
    await expect(
      service.start({
        input: { requestId: 'req-1', zoneId: null, symptom: null, error: null },
        destination: { platform: 'slack', channel: 'C1' },
        actor: { kind: 'user', id: 'U1' },
        dedupeKey: 'down-start-1',
        source: 'command',
      }),
    ).rejects.toThrow('Redis is not connected');
    await expect(service.messageRef('tri-0000000000-abc')).rejects.toThrow('Redis is not connected');
    expect(Date.now() - t0).toBeLessThan(1000);
  } finally {
    await service.close();
    await redis.destroy();
  }
});
