/**
 * The links a triage carries wherever it is shown (cards, `show`, the terminal, the page, the
 * export): its page (signed, page-link.ts), the Console's request trace, policy set, resource
 * and approvals (console-links.ts), and the runbook section of its cause (runbooks.ts). Pure:
 * built from the record and the settings (config.ts); a link whose setting is absent is null.
 */
import type { TriageRecord } from '../triage/record';
import type { LinksConfig } from './config';
import { consoleLinks } from './console-links';
import { CHART_MINUTES, chartVersion } from '../chat/render/watch-chart';
import { pageLink } from './page-link';
import { runbookRef, type RunbookRef } from './runbooks';

export interface TriageLinks {
  /** The triage's page, or null without TRIAGE_PUBLIC_URL (or a signing key). */
  page: string | null;
  /** The same triage as one Markdown document (the postmortem export). */
  export: string | null;
  /**
   * A deny pattern's chart of its last hour as a PNG (signed apart from the page, page-link.ts),
   * for platforms that fetch images by URL; null without TRIAGE_PUBLIC_URL or a watch pattern.
   */
  chart: string | null;
  /** Console: the request's trace in the audit view. */
  requestTrace: string | null;
  /** Console: the zone's active policy set. */
  policySet: string | null;
  /** Console: the resource the request named. */
  resource: string | null;
  /** Console: the zone's approvals. */
  approvals: string | null;
  /** The runbook section of the diagnosed cause, when there is a diagnosis. */
  runbook: RunbookRef | null;
}

export interface LinkContext {
  config: LinksConfig;
  /** TRIAGE_SIGNING_KEY (signs page links); null where the process has none (no page links). */
  signingKey: string | null;
  now: Date;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the links are read from: a stored triage, or a terminal report. */
type WithSteps = Pick<TriageRecord, 'steps'>;

function evidenceOf(r: WithSteps, step: string): Record<string, unknown> {
  return r.steps.find((s) => s.id === step)?.evidence ?? {};
}

/** The resource the request named, as the configuration or grant step read it. */
export function resourceIdOf(r: WithSteps): string | null {
  for (const step of ['configuration', 'grant_policy']) {
    const res = evidenceOf(r, step).resource;
    if (isRecord(res) && typeof res.id === 'string') return res.id;
  }
  return null;
}

/** The zone's active policy set (else its only one), as the activation step read them. */
export function policySetIdOf(r: WithSteps): string | null {
  const sets = evidenceOf(r, 'policy_set_activation').policySets;
  if (!Array.isArray(sets)) return null;
  const listed = sets.filter(isRecord).filter((s) => typeof s.id === 'string');
  const active = listed.find((s) => typeof s.activeVersionId === 'string') ?? (listed.length === 1 ? listed[0] : undefined);
  return active ? (active.id as string) : null;
}

/** The Console's views and the runbook section of a triage or a terminal report (no page: that needs a stored triage). */
export function reportLinks(r: WithSteps & { zoneId: string | null; requestId: string | null; diagnosis: { cause: string } | null; deployment?: string }, config: LinksConfig): Omit<TriageLinks, 'page' | 'export' | 'chart'> {
  // The Console of the deployment read: never another deployment's.
  const base = r.deployment && config.consoleUrls ? (config.consoleUrls[r.deployment] ?? null) : config.consoleUrl;
  const console = base ? consoleLinks(base) : null;
  const zone = r.zoneId;
  const resource = resourceIdOf(r);
  const policySet = policySetIdOf(r);
  return {
    requestTrace: console && zone && r.requestId ? console.requestTrace(zone, r.requestId) : null,
    policySet: console && zone && policySet ? console.policySet(zone, policySet) : null,
    resource: console && zone && resource ? console.resource(zone, resource) : null,
    approvals: console && zone ? console.approvals(zone) : null,
    runbook: r.diagnosis ? runbookRef(r.diagnosis.cause, config.runbookUrl) : null,
  };
}

export function triageLinks(r: TriageRecord, ctx: LinkContext): TriageLinks {
  const { config } = ctx;
  const page = config.publicUrl && ctx.signingKey ? { publicUrl: config.publicUrl, signingKey: ctx.signingKey, ttlMs: config.pageTtlMs } : null;
  // `v` changes with the counts, so a redrawn card's image is fetched again; it is not signed (the image is drawn from the record anyway).
  const perMinute = r.incident?.watch?.perMinute;
  const chart = page && perMinute && perMinute.length === CHART_MINUTES ? { version: chartVersion(perMinute) } : null;
  return {
    page: page ? pageLink(page, r.id, ctx.now) : null,
    export: page ? pageLink(page, r.id, ctx.now, 'md') : null,
    chart: page && chart ? `${pageLink(page, r.id, ctx.now, 'png')}&v=${chart.version}` : null,
    ...reportLinks({ steps: r.steps, zoneId: r.zoneId, requestId: r.input.requestId, diagnosis: r.diagnosis, deployment: r.deployment }, config),
  };
}
