/**
 * `GET /triage/<triage id>[.md|.png]?exp=…&sig=…`: each triage on a page of its own (html.ts),
 * as its Markdown export, or (a deny pattern's triage) the chart of its last hour as a PNG, the
 * image of its Slack card (src/chat/render/watch-chart.ts), mounted by the web host when TRIAGE_PUBLIC_URL says where people
 * reach it. The signed, expiring link is the route's authentication (report/page-link.ts),
 * checked from the request target before anything is read: no signature is 401, a signature
 * that does not match or has expired is 403, all with a page that shows no triage. A GET takes
 * no body (one is 400). Answers carry a strict Content-Security-Policy (only the page's own
 * stylesheet and script, by hash), no caching, no referrer (the link is a credential: it must
 * not leak to the Console through a click) and no framing.
 */
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { BODY_NOT_SIGNED, refuse, type HeaderBag, type Precheck } from '../ingress/edge';
import type { Ingress, RawBodyRequest } from '../ingress/ingress';
import type { TriageService } from '../ingress/service-api';
import type { LinksConfig } from '../report/config';
import { triageLinks } from '../report/links';
import { postmortemMarkdown } from '../report/markdown';
import { checkPageLink, PAGE_PATH, type PageLinkCheck } from '../report/page-link';
import { watchChart } from '../chat/render/watch-chart';
import { PAGE_CSP, renderMissingPage, renderRefusedPage, renderTriagePage } from './html';

export interface TriagePageOptions {
  service: TriageService;
  /** TRIAGE_SIGNING_KEY: page links are signed with a key derived from it. */
  signingKey: string;
  links: LinksConfig;
  logger: Logger;
  now?: () => Date;
}

/** Largest body the route reads before refusing it (a GET has none). */
const MAX_BODY = 1024;

function secure(res: Response, type: string): void {
  res.set({
    'content-type': type,
    'content-security-policy': PAGE_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cache-control': 'no-store, private',
  });
}

export function createTriagePageIngress(o: TriagePageOptions): Ingress {
  const now = o.now ?? (() => new Date());
  const log = o.logger.child({ component: 'triage-page' });

  const precheck = (_headers: HeaderBag, at: Date, target: string): Precheck => {
    const c = checkPageLink(target, o.signingKey, at);
    if (c.ok) return { ok: true, body: BODY_NOT_SIGNED };
    return c.status === 401 ? refuse('missing_signature', 'the page link carries no signature') : refuse(c.reason === 'expired' ? 'stale_timestamp' : 'bad_signature', `the page link is ${c.reason === 'expired' ? 'expired' : 'not validly signed'}`, 403);
  };

  async function handler(req: Request, res: Response): Promise<void> {
    const link: PageLinkCheck = checkPageLink(req.originalUrl, o.signingKey, now());
    if (!link.ok) {
      // The edge refused these already; kept so the handler never trusts being reached.
      secure(res, 'text/html; charset=utf-8');
      res.status(link.status).send(renderRefusedPage(link.status, link.reason === 'expired'));
      return;
    }
    if (((req as RawBodyRequest).rawBody?.length ?? 0) > 0) {
      res.status(400).json({ error: 'unexpected_body', message: 'a page is fetched with GET and no body' });
      return;
    }
    const found = await o.service.find(link.triageId);
    if (!found) {
      secure(res, 'text/html; charset=utf-8');
      res.status(404).send(renderMissingPage(link.triageId));
      return;
    }
    if (link.format === 'png') {
      const chart = found.record.incident?.watch ? watchChart(found.record.incident.watch) : null;
      if (!chart) {
        res.status(404).json({ error: 'no_chart', message: 'this triage has no deny pattern chart' });
        return;
      }
      secure(res, 'image/png');
      res.status(200).send(chart.png);
      return;
    }
    const ctx = { config: o.links, signingKey: o.signingKey, now: now() };
    // The chain's check reads the whole log: only the export, which reports it, pays for it.
    const trail = await o.service.auditTrail(link.triageId, { verify: link.format === 'md' });
    if (link.format === 'md') {
      secure(res, 'text/markdown; charset=utf-8');
      res.set('content-disposition', `inline; filename="caracal-triage-${link.triageId}.md"`);
      res.status(200).send(postmortemMarkdown({ found, trail, links: ctx }));
      return;
    }
    const here = new URL(req.originalUrl, 'http://page.invalid');
    const markdownHref = `${PAGE_PATH}/${encodeURIComponent(link.triageId)}.md${here.search}`;
    secure(res, 'text/html; charset=utf-8');
    res.status(200).send(renderTriagePage({ found, links: triageLinks(found.record, ctx), trail: trail.entries, expiresAt: link.expiresAt, markdownHref }));
    log.debug({ triageId: link.triageId }, 'served a triage page');
  }

  return {
    name: 'page',
    routes: [
      {
        method: 'GET',
        path: `${PAGE_PATH}/:triage`,
        maxBodyBytes: MAX_BODY,
        precheck,
        kindOf: () => 'page',
        handler: (req, res, next) => {
          handler(req, res).catch(next);
        },
      },
    ],
    readiness: [],
    start: async () => undefined,
    stop: async () => undefined,
  };
}
