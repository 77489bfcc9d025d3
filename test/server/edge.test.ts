/**
 * The hardened edge, probed as a hostile client would against `caracal-triage serve` started
 * from the built binary (Slack on HTTP, a fake Slack Web API, real Redis): unauthenticated and
 * oversized bodies cost no memory, slow clients are cut off, timestamps outside ±5 minutes are
 * refused either way, odd signed bodies get an answer at once.
 */
import { type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { request } from 'node:http';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api';
import { freePort } from '../support/redis-server';
import { SIGNING_SECRET, commandBody, eventBody, sendSigned, slackSignature } from '../support/slack-signing';
import { spawnBinary, waitForOutput } from '../support/binary';

let slack: FakeSlackApi;
let bot: ChildProcess;
let port: number;
let logs = '';
const url = (): string => `http://127.0.0.1:${port}/slack/events`;

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

beforeAll(async () => {
  slack = await startFakeSlackApi();
  port = await freePort();
  bot = spawnBinary(['serve'], {
    env: {
      REDIS_URL: process.env.REDIS_URL,
      TRIAGE_SIGNING_KEY: 'k'.repeat(40),
      PORT: String(port),
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url,
      // The shortest the settings allow: the slow-client cases wait these out.
      HTTP_HEADERS_TIMEOUT_MS: '1000',
      HTTP_REQUEST_TIMEOUT_MS: '1500',
      LOG_LEVEL: 'info',
    },
  });
  bot.stdout!.on('data', (c: Buffer) => (logs += c.toString()));
  await waitForOutput(bot, /web running/);
}, 45_000);
afterAll(async () => {
  const exited = new Promise((r) => bot.once('exit', r));
  bot.kill('SIGTERM');
  await exited;
  await slack.close();
});

/** POSTs `size` bytes with the given headers; resolves with the status, or 'closed' when the socket went first. */
function postBig(size: number, headers: Record<string, string>): Promise<number | 'closed'> {
  return new Promise((resolve) => {
    const req = request(url(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(size), ...headers } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve('closed'));
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const pump = (): void => {
      while (sent < size) {
        const n = Math.min(chunk.length, size - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('refusing before reading', () => {
  it('answers 50 concurrent unsigned 3.9 MB bodies with 401 from the headers, without the memory for them', async () => {
    const before = rssKb(bot.pid!);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssKb(bot.pid!))), 20);
    const results = await Promise.all(Array.from({ length: 50 }, () => postBig(Math.floor(3.9 * 1024 * 1024), {})));
    clearInterval(sampler);
    for (const r of results) expect([401, 'closed']).toContain(r);
    expect(results.filter((r) => r === 401).length).toBeGreaterThan(0);
    // 50 × 3.9 MB is 195 MB; the bot must not hold the bodies. Refusing from the headers costs
    // the process tens of MB (50 sockets, their parsers, garbage a loaded machine collects late:
    // 41 MB at a load of 11), so the bound is 80 MB: under half of what holding the bodies takes.
    expect((peak - before) / 1024).toBeLessThan(80);
  });

  it('answers bodies over the cap with 413 from Content-Length, signed or not, and bad signatures with 401', async () => {
    const ts = Math.floor(Date.now() / 1000);
    const before = rssKb(bot.pid!);
    const results = await Promise.all(Array.from({ length: 30 }, () => postBig(Math.floor(3.9 * 1024 * 1024), { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': `v0=${'0'.repeat(64)}` })));
    for (const r of results) expect([413, 'closed']).toContain(r);
    expect(rssKb(bot.pid!) / 1024 - before / 1024).toBeLessThan(40);
    const badSig = await sendSigned(url(), commandBody({ text: 'help' }), 'application/x-www-form-urlencoded', { signature: `v0=${'1'.repeat(64)}` });
    expect(badSig.status).toBe(401);
  });

  it('refuses timestamps outside ±5 minutes, in the future as in the past', async () => {
    // Each timestamp is counted from the moment its request is sent: a "301 s ahead" fixed before
    // the loop would be only 299 s ahead by the time a loaded machine sent the third request.
    const now = (): number => Math.floor(Date.now() / 1000);
    for (const ahead of [30 * 86400, 301, -301]) {
      const r = await sendSigned(url(), commandBody({ text: 'help' }), 'application/x-www-form-urlencoded', { timestamp: now() + ahead });
      expect(r.status).toBe(401);
    }
    expect((await sendSigned(url(), commandBody({ text: 'help' }), 'application/x-www-form-urlencoded', { timestamp: now() + 200 })).status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/caracal_triage_rejected_signatures_total\{platform="slack"\} [1-9]/);
  });
});

// Side by side: each case waits on its own connections.
describe('slow clients', () => {
  it.concurrent('closes a body sent at 1 byte per second within the request timeout', async () => {
    const started = Date.now();
    const closedAfter = await new Promise<number>((resolve) => {
      const ts = Math.floor(Date.now() / 1000);
      const s: Socket = connect(port, '127.0.0.1', () => {
        s.write(`POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\nX-Slack-Request-Timestamp: ${ts}\r\nX-Slack-Signature: v0=${'0'.repeat(64)}\r\n\r\n`);
        const t = setInterval(() => s.writable && s.write('a'), 1000);
        s.on('close', () => {
          clearInterval(t);
          resolve(Date.now() - started);
        });
      });
      s.on('error', () => undefined);
    });
    expect(closedAfter).toBeLessThan(5000);
  });

  it.concurrent('closes 200 connections that never finish their headers within the headers timeout', async () => {
    let closed = 0;
    const sockets = await Promise.all(
      Array.from({ length: 200 }, () => new Promise<Socket>((resolve) => {
        const s = connect(port, '127.0.0.1', () => {
          s.write('POST /slack/events HTTP/1.1\r\nHost: x\r\nX-Slack-');
          resolve(s);
        });
        s.on('close', () => closed++);
        s.resume(); // read the server's 408, so its close is seen
        s.on('error', () => undefined);
      })),
    );
    const deadline = Date.now() + 6000;
    while (closed < 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(200);
    for (const s of sockets) s.destroy();
  }, 20_000);
});

describe('odd signed bodies', () => {
  const form = 'application/x-www-form-urlencoded';
  it.each([
    ['a payload that is a JSON string', `payload=${encodeURIComponent('"just a string"')}`, form, 400],
    ['a payload that is an array', `payload=${encodeURIComponent('[1,2,3]')}`, form, 400],
    ['a payload that is null', 'payload=null', form, 400],
    ['an empty body', '', form, 400],
    ['an event that is null', JSON.stringify({ type: 'event_callback', event: null, team_id: 'T0TEST01' }), 'application/json', 400],
    ['a body that is not JSON', '{nope', 'application/json', 400],
    ['a type nobody sends', JSON.stringify({ type: 'app_rate_limited', minute_rate_limited: 1 }), 'application/json', 200],
    ['a modal submission', `payload=${encodeURIComponent(JSON.stringify({ type: 'view_submission', user: { id: 'U1' } }))}`, form, 200],
    ['someone else\'s button', `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U1' }, actions: [{ action_id: 'other:thing' }] }))}`, form, 200],
  ])('%s gets %s at once', async (_what, body, type, status) => {
    const r = await sendSigned(url(), body, type);
    expect(r.status).toBe(status);
    expect(r.ms).toBeLessThan(1000);
  });

  it('a channel_created without its channel is acknowledged and logged as ignored, not a TypeError', async () => {
    const r = await sendSigned(url(), eventBody({ type: 'channel_created' }), 'application/json');
    expect(r.status).toBe(200);
    await new Promise((res) => setTimeout(res, 300));
    expect(logs).toContain('ignored a channel_created event without its channel');
    expect(logs).not.toMatch(/TypeError|"level":50/);
  });

  it('still answers a well-formed signed command', async () => {
    const body = commandBody({ text: 'help' });
    const ts = Math.floor(Date.now() / 1000);
    const r = await fetch(url(), { method: 'POST', headers: { 'content-type': form, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(body, ts) }, body });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { text: string }).text).toContain('triage');
  });
});
