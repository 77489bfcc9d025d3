/**
 * `list --json` and `show <id> --json` as one function each, read through a `TriageFinder` (the
 * store's index in the terminal and in `caracal-triage mcp`, the TriageService in the web
 * process), so the terminal and the MCP tools `list_triages` and `get_triage` print the same
 * object by construction. Whatever is read passes the redactor on the way out, as chat and the
 * terminal's triage do: records were redacted when stored, and this pass covers what was not
 * (a record written before a secret was configured, the links built here).
 */
import { z } from 'zod';
import type { Redactor } from '../redact/redact';
import type { FoundTriage } from './found';
import type { LinkContext } from './links';
import { showJson, summaryJson, type TriageShowJson, type TriageSummaryJson } from './summary';

/** A triage ID as people paste it (case and surrounding spaces forgiven): what the store's IDs look like. */
export const TRIAGE_ID_PATTERN = /^tri-[0-9a-z]{10,40}$/;
export const TRIAGE_ID_EXAMPLE = 'tri-01jf3k2m4n5p6q7r8s9t0v1w2x';
export const TriageIdRef = z
  .string()
  .trim()
  .toLowerCase()
  .regex(TRIAGE_ID_PATTERN, `a triage ID looks like ${TRIAGE_ID_EXAMPLE} (list shows them)`);

/** How many triages a list gives unless told (and at most). */
export const DEFAULT_LIST_LIMIT = 20;
export const MAX_LIST_LIMIT = 200;

export interface FinderQuery {
  /** Only triages of this place (`slack:C0123`). */
  place?: string;
  /** Only open triages (neither resolved nor abandoned). */
  open?: boolean;
  limit?: number;
}

/** What finding reads: the store's index or the TriageService, each newest first. */
export interface TriageFinder {
  list(q: FinderQuery): Promise<{ triages: FoundTriage[]; more: boolean }>;
  find(triageId: string): Promise<FoundTriage | null>;
}

/** `list --json`: the triages found, newest first, and whether more matched than the limit. */
export interface TriageListJson {
  triages: TriageSummaryJson[];
  more: boolean;
}

export async function listTriagesJson(finder: TriageFinder, q: FinderQuery, ctx: LinkContext, redactor: Redactor): Promise<TriageListJson> {
  const page = await finder.list({ ...q, open: !!q.open, limit: q.limit ?? DEFAULT_LIST_LIMIT });
  return redactor.redact({ triages: page.triages.map((f) => summaryJson(f, ctx)), more: page.more }).value;
}

/** `show <id> --json`; null when there is no such triage (or it has expired). */
export async function showTriageJson(finder: TriageFinder, triageId: string, ctx: LinkContext, redactor: Redactor): Promise<TriageShowJson | null> {
  const found = await finder.find(triageId);
  return found ? redactor.redact(showJson(found, ctx)).value : null;
}
