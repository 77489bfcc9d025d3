import { Writable } from 'node:stream';
import { orThrow } from '../src/config/problems';
import { knownSecrets } from '../src/app/config';
import { createLogger, parseLogLevel } from '../src/log';

const TOKEN = 'cat_' + 'Q'.repeat(43);
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVl';
const BOT_TOKEN = 'xoxb-1111-2222-abcdefghijkl';

function logged(env: Record<string, string>, write: (l: ReturnType<typeof createLogger>) => void): string {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  write(createLogger('test', { level: orThrow(parseLogLevel(env)), secrets: knownSecrets(env) }, sink));
  return chunks.join('');
}

describe('process logger', () => {
  it('redacts secrets in log fields and messages, at any depth', () => {
    const out = logged({ SLACK_BOT_TOKEN: BOT_TOKEN }, (log) => {
      log.error({ err: `GET /v1/zones answered 500: token ${TOKEN} rejected`, nested: { authorization: 'Bearer abc.def', list: [JWT] } }, 'failed with %s', BOT_TOKEN);
      log.warn(`mandate ${JWT} expired`);
    });
    expect(out).toContain('[redacted]');
    for (const secret of [TOKEN, JWT, BOT_TOKEN, 'abc.def']) expect(out).not.toContain(secret);
    expect(out).toContain('GET /v1/zones answered 500');
  });

  it('keeps an error\'s message and stack, redacted', () => {
    const out = logged({}, (log) => {
      log.error({ err: new Error(`boom ${TOKEN}`) }, 'failed');
      log.error(new Error(`direct ${JWT}`));
    });
    const [first, second] = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(first.err.message).toBe('boom [redacted]');
    expect(first.err.stack).toContain('log.test.ts');
    expect(second.msg).toBe('direct [redacted]');
    expect(out).not.toContain(TOKEN);
    expect(out).not.toContain(JWT);
  });

  it('honours LOG_LEVEL, including silent', () => {
    expect(logged({ LOG_LEVEL: 'warn' }, (log) => log.info('hidden'))).toBe('');
    expect(logged({ LOG_LEVEL: 'silent' }, (log) => log.error('hidden'))).toBe('');
    expect(logged({}, (log) => log.info('shown'))).toContain('shown');
  });
});
