/**
 * A pasted Caracal error (an error code, a JSON envelope such as
 * `{"error":"access_denied","error_description":"policy denied (…)","requestId":"…"}`, or an
 * SDK message ending in `(request_id=…)`): normalised so the engine can route it, plus the
 * request ID it carries, if any (FACTS §4, §5: `requestId` in the shared envelope,
 * `request_id` on the Coordinator, `(request_id=<id>)` appended by the OAuth client).
 */
import { RequestId } from '../triage/model';

/** Longest error text we keep; Slack command text is about 4000 characters anyway. */
export const MAX_ERROR_TEXT = 4000;

/** Chat clients "smarten" quotes; JSON needs the plain ones back. */
export function plainQuotes(text: string): string {
  return text.replace(/[\u201c\u201d\u201e\u201f\u2033]/g, '"').replace(/[\u2018\u2019\u201a\u201b\u2032]/g, "'");
}

export function normaliseErrorText(text: string): string {
  return plainQuotes(text).trim().slice(0, MAX_ERROR_TEXT);
}

function validId(v: unknown): string | null {
  return typeof v === 'string' && RequestId.safeParse(v).success ? v : null;
}

/** The request ID a pasted error carries, or null. */
export function requestIdFromError(text: string): string | null {
  const body = normaliseErrorText(text);
  if (body.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed && typeof parsed === 'object') {
        const o = parsed as Record<string, unknown>;
        const id = validId(o.requestId) ?? validId(o.request_id);
        if (id) return id;
      }
    } catch {
      /* not JSON after all: fall through to the text forms */
    }
  }
  const m = /\brequest_?id["']?\s*[=:]\s*["']?([\x21-\x7e]{1,128}?)["')\s,}]/i.exec(`${body} `);
  return m ? validId(m[1]) : null;
}
