import pino from 'pino';
import { openTriageService } from '../../src/service/triage-service';
import { startRedis } from '../support/redis-server';
import { SIGNING_KEY } from './harness';

test('with Redis down, TriageService.start fails fast (the adapter can still answer within its 3 s)', async () => {
  const redis = await startRedis();
  const service = await openTriageService({ redisUrl: redis.url, signingKey: SIGNING_KEY, prefix: 'ct-test-down:', logger: pino({ level: 'silent' }) });
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
