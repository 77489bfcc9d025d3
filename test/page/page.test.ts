/**
 * Each triage's page, as a person opens it: the web host built as `serve` builds it (with
 * TRIAGE_PUBLIC_URL set), over real Redis, opened in a real headless browser (Debian's
 * chromium driven by playwright-core, a fresh profile each run). The page loads without a
 * console error (a CSP violation is one), shows the diagnosis, and a hostile request ID and
 * actor name render as text; its own script runs (the CSP allows it by hash) and puts times in
 * the reader's zone. Over plain HTTP: no signature is 401 answered before the body, a tampered
 * or expired link 403, a body 400 (or 413 over the cap), a gone triage 404, and every answer
 * carries the strict headers.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import pino from 'pino';
import { chromium, type BrowserContext } from 'playwright-core';
import { createWebHost, type WebHost } from '../../src/app/web';
import { NO_LINKS } from '../../src/report/config';
import { pageLink } from '../../src/report/page-link';
import { PAGE_CSP } from '../../src/page/html';
import type { RedisTriageService } from '../../src/service/triage-service';
import { openService } from '../support/halves';
import { SIGNING_KEY, deleteByPrefix, uniquePrefix } from '../queue/harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const HOSTILE_ID = '<img/src=x/onerror=window.__pwned=1>';
const HOSTILE_NAME = '<script>window.__pwned=2</script><b>Mallory</b>';
const TTL = 7 * 86_400_000;

const prefix = uniquePrefix('page');
let service: RedisTriageService;
let host: WebHost;
let base: string;
let triageId: string;
let profile: string;
let browser: BrowserContext;

const linkTo = (id: string, at = new Date(), format: 'html' | 'md' = 'html') => pageLink({ publicUrl: base, signingKey: SIGNING_KEY, ttlMs: TTL }, id, at, format);

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does`);
  service = await openService({ redisUrl: process.env.REDIS_URL!, signingKey: SIGNING_KEY, prefix });
  host = createWebHost({ service, platforms: [], signingKey: SIGNING_KEY, links: { ...NO_LINKS, publicUrl: 'https://triage.example.com', consoleUrl: 'https://console.example.com' }, logger: pino({ level: 'silent' }) });
  base = `http://127.0.0.1:${await host.listen(0, '127.0.0.1')}`;
  const started = await service.start({
    input: { requestId: HOSTILE_ID, zoneId: null, symptom: null, error: null },
    destination: { platform: 'slack', channel: 'C0PAGE001' },
    actor: { kind: 'user', id: 'U0MAL0001', name: HOSTILE_NAME },
    dedupeKey: `page-${Date.now()}`,
    source: 'slack_command',
  });
  triageId = started.triageId;
  const diagnosis = { surface: 'resource_definition' as const, step: 'requested_scopes' as const, cause: 'scope_mismatch', summary: 'STS denied the exchange because `payments:wirte` is not a scope of resource://payments.', confidence: 'high' as const };
  const r = await service.store.apply(triageId, {
    type: 'collection_finished',
    zoneId: 'zone-1',
    symptom: 'token_exchange_denied',
    surface: 'resource_definition',
    diagnosis,
    bundle: { items: [{ id: 'readiness', status: 'ok', summary: 'All services ready.', evidence: { api: 'ready' } }], redactions: 1 },
    names: { zones: { 'zone-1': 'Payments EU' }, applications: {}, resources: {}, policySets: {} },
  });
  if (!r.ok) throw new Error(r.message);
  profile = mkdtempSync(join(tmpdir(), 'caracal-triage-page-'));
  browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, timezoneId: 'America/New_York', locale: 'en-GB' });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await host?.close();
  if (service) {
    await deleteByPrefix(service.store.redis, prefix);
    await service.close();
  }
});

describe('in a real browser', () => {
  it('loads with no console error, shows the diagnosis, renders hostile text as text, and shows times in the reader\'s zone', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    const res = await page.goto(linkTo(triageId));
    expect(res?.status()).toBe(200);
    await page.waitForLoadState('load');
    expect(errors).toEqual([]);
    expect(dialogs).toBe(0);
    const text = await page.locator('body').innerText();
    expect(text).toContain('Failing surface: Resource definition');
    expect(text).toContain('payments:wirte');
    expect(text).toContain('Needs you: step 6 of 8 (Requested scopes)');
    expect(text).toContain('Payments EU');
    // The hostile values are on the page as the characters they are, and did nothing.
    expect(text).toContain(HOSTILE_ID);
    expect(text).toContain(HOSTILE_NAME);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('main b').count()).toBe(0);
    expect(await page.evaluate('window.__pwned ?? null')).toBeNull();
    // The page's own script ran (its CSP hash matched) and put times in America/New_York.
    expect(await page.locator('#tz').innerText()).toContain('America/New_York');
    const started = page.locator('time').first();
    expect(await started.getAttribute('datetime')).toMatch(/Z$/);
    expect(await started.innerText()).not.toMatch(/UTC/);
    // Readable on a phone: nothing wider than the screen.
    await page.setViewportSize({ width: 360, height: 740 });
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await page.close();
  }, 60_000);

  it('an injected script or style is refused by the CSP (a console error), so only the page\'s own run', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(linkTo(triageId));
    // (Strings: the page's code runs in the browser, which this project's types do not describe.)
    await page.evaluate("const s = document.createElement('script'); s.textContent = 'window.__pwned = 3'; document.body.appendChild(s);");
    expect(await page.evaluate('window.__pwned ?? null')).toBeNull();
    expect(errors.join('\n')).toMatch(/Content Security Policy/);
    await page.close();
  }, 60_000);
});

/** A raw request: `declared` bytes announced, `body` sent (or nothing). */
function send(path: string, declared = 0, body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: 'GET', headers: declared ? { 'content-length': String(declared), 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else if (declared) req.flushHeaders();
    else req.end();
  });
}
const pathOf = (url: string) => url.slice(base.length);

describe('over HTTP', () => {
  it('serves the page with the strict headers', async () => {
    const r = await send(pathOf(linkTo(triageId)));
    expect(r.status).toBe(200);
    expect(r.headers['content-security-policy']).toBe(PAGE_CSP);
    expect(PAGE_CSP).toMatch(/^default-src 'none'; style-src 'sha256-[^']+'; script-src 'sha256-[^']+'/);
    expect(r.headers).toMatchObject({ 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'cache-control': 'no-store, private' });
    expect(r.body).not.toContain(HOSTILE_ID);
    expect(r.body).toContain('&lt;img/src=x/onerror=window.__pwned=1&gt;');
  });

  it('answers no signature with 401 before reading a body, and a tampered or expired link with 403', async () => {
    expect((await send(`/triage/${triageId}`, 1024)).status).toBe(401);
    const good = pathOf(linkTo(triageId));
    expect((await send(good.replace(/sig=(.)/, (_m, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`))).status).toBe(403);
    expect((await send(good.replace(triageId, `${triageId.slice(0, -1)}${triageId.endsWith('x') ? 'y' : 'x'}`))).status).toBe(403);
    expect((await send(pathOf(linkTo(triageId, new Date(Date.now() - TTL - 60_000))))).status).toBe(403);
  });

  it('takes no body: 413 over the cap before reading it, 400 for one under it', async () => {
    const good = pathOf(linkTo(triageId));
    expect((await send(good, 4096)).status).toBe(413);
    expect((await send(good, 2, '[]')).status).toBe(400);
  });

  it('a valid link to a triage that is gone is 404; the Markdown export is behind the same link', async () => {
    const gone = 'tri-0000000000000000000000000a';
    expect((await send(pathOf(linkTo(gone)))).status).toBe(404);
    const md = await send(pathOf(linkTo(triageId, new Date(), 'md')));
    expect(md.status).toBe(200);
    expect(md.headers['content-type']).toMatch(/^text\/markdown/);
    expect(md.body).toMatch(/^# Caracal triage `tri-/);
    expect(md.body).toContain('## Timeline');
    expect(md.body).toContain('The audit chain verifies');
  });
});
