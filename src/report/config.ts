/**
 * Where a triage's links point, read by every process that shows a triage (the worker's cards,
 * the web's page and chat answers, the terminal's `list` and `show`):
 *
 *   CARACAL_CONSOLE_URL  Caracal's Console: cards and the terminal link the request trace, the
 *                        policy set, the resource and approvals there (console-links.ts)
 *   TRIAGE_PUBLIC_URL    where people reach `serve` (e.g. https://triage.example.com): each
 *                        triage's page is served there behind a signed link (page-link.ts)
 *   TRIAGE_PAGE_TTL      how long such a link works (default 7d; 1m to 90d)
 *   TRIAGE_RUNBOOK_URL   where docs/runbooks.md is served (your Git host's page of it): each
 *                        cause links to its section; unset, the cause names `docs/runbooks.md#<cause>`
 */
import { duration } from '../config/duration';
import { type Env, parseEnvGroup, url } from '../config/fields';
import type { Parsed } from '../config/problems';

export interface LinksConfig {
  consoleUrl: string | null;
  /** Each deployment's Console, by name (CARACAL_DEPLOYMENTS_FILE); a triage of a named deployment links its own. */
  consoleUrls?: Record<string, string | null>;
  publicUrl: string | null;
  pageTtlMs: number;
  runbookUrl: string | null;
}

export const DEFAULT_PAGE_TTL_MS = 7 * 86_400_000;

const shape = {
  CARACAL_CONSOLE_URL: url({ protocols: ['http', 'https'], example: 'https://console.caracal.example.com/<account>/<org>', optional: true }),
  TRIAGE_PUBLIC_URL: url({ protocols: ['http', 'https'], example: 'https://triage.example.com', optional: true }),
  TRIAGE_PAGE_TTL: duration({ dflt: '7d', min: 60_000, max: 90 * 86_400_000, example: '7d' }),
  TRIAGE_RUNBOOK_URL: url({ protocols: ['http', 'https'], example: 'https://git.example.com/you/caracal-triage/blob/main/docs/runbooks.md', optional: true }),
};

export function parseLinksConfig(env: Env): Parsed<LinksConfig> {
  const r = parseEnvGroup(shape, env);
  if (!r.ok) return r;
  const v = r.value;
  return { ok: true, value: { consoleUrl: v.CARACAL_CONSOLE_URL ?? null, publicUrl: v.TRIAGE_PUBLIC_URL ?? null, pageTtlMs: v.TRIAGE_PAGE_TTL, runbookUrl: v.TRIAGE_RUNBOOK_URL ?? null } };
}

export const NO_LINKS: LinksConfig = { consoleUrl: null, publicUrl: null, pageTtlMs: DEFAULT_PAGE_TTL_MS, runbookUrl: null };
