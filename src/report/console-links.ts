/**
 * Links into Caracal's Console (CARACAL_CONSOLE_URL), the ONE place that knows its routes:
 *
 *   request trace   <console>/zones/<zoneId>/audit?request_id=<requestId>
 *   policy set      <console>/zones/<zoneId>/policy-sets/<policySetId>
 *   resource        <console>/zones/<zoneId>/resources/<resourceId>
 *   approvals       <console>/zones/<zoneId>/approvals
 *
 * These are the routes assumed for Caracal 6b5b47f and were not checked against a running
 * Console: its web app (apps/web, TanStack file routes) has moved them between versions (an
 * `/app/audit` page, and `/<account>/<org>/<zone>/app/audit` with the account and organisation
 * in the path, which the bot does not know). Correct them here if your Console differs; every
 * card, the terminal and the triage page build their links through this file. Every part that
 * came from outside is percent-encoded, so no ID can leave its path segment or add a query.
 */
export interface ConsoleLinks {
  requestTrace(zoneId: string, requestId: string): string;
  policySet(zoneId: string, policySetId: string): string;
  resource(zoneId: string, resourceId: string): string;
  approvals(zoneId: string): string;
}

const seg = (s: string): string => encodeURIComponent(s);

/** Links under the Console's base URL (already validated as http(s), no trailing slash needed). */
export function consoleLinks(base: string): ConsoleLinks {
  const root = base.replace(/\/+$/, '');
  const zone = (zoneId: string) => `${root}/zones/${seg(zoneId)}`;
  return {
    requestTrace: (zoneId, requestId) => `${zone(zoneId)}/audit?request_id=${seg(requestId)}`,
    policySet: (zoneId, id) => `${zone(zoneId)}/policy-sets/${seg(id)}`,
    resource: (zoneId, id) => `${zone(zoneId)}/resources/${seg(id)}`,
    approvals: (zoneId) => `${zone(zoneId)}/approvals`,
  };
}
