/**
 * A pasted Caracal error (code, status, JSON envelope, SDK message): normalised for the
 * engine's `routeError`, which also finds the request ID it carries.
 */

/** Longest error text we keep; Slack command text is about 4000 characters anyway. */
export const MAX_ERROR_TEXT = 4000;

/** Chat clients "smarten" quotes; JSON needs the plain ones back. */
export function plainQuotes(text: string): string {
  return text.replace(/[\u201c\u201d\u201e\u201f\u2033]/g, '"').replace(/[\u2018\u2019\u201a\u201b\u2032]/g, "'");
}

export function normaliseErrorText(text: string): string {
  return plainQuotes(text).trim().slice(0, MAX_ERROR_TEXT);
}
