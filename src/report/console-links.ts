/**
 * Links into Caracal's Console (CARACAL_CONSOLE_URL), the ONE place that knows its routes. The
 * Console (Caracal's apps/web, TanStack file routes, as of 6b5b47f) serves every zone page under
 * `/<accountId>/<orgId>/<zoneId>/app/…`; the bot knows zones but not the Console's account and
 * organisation, so CARACAL_CONSOLE_URL names them: `https://console.example.com/<account>/<org>`.
 *
 *   request trace   <console>/<zoneId>/app/audit?request=<requestId>
 *   policy set      <console>/<zoneId>/app/policies?tab=sets&focus=<policySetId>
 *   resource        <console>/<zoneId>/app/resources?focus=<resourceId>
 *   approvals       <console>/<zoneId>/app/approvals   (the page takes no approval to focus)
 *
 * Every part that came from outside is percent-encoded, so no ID can leave its path segment or
 * add a query parameter.
 */
export interface ConsoleLinks {
  requestTrace(zoneId: string, requestId: string): string;
  policySet(zoneId: string, policySetId: string): string;
  resource(zoneId: string, resourceId: string): string;
  approvals(zoneId: string): string;
}

const seg = (s: string): string => encodeURIComponent(s);

/** Links under the Console's base URL (validated as http(s); a trailing slash is fine). */
export function consoleLinks(base: string): ConsoleLinks {
  const root = base.replace(/\/+$/, '');
  const app = (zoneId: string) => `${root}/${seg(zoneId)}/app`;
  return {
    requestTrace: (zoneId, requestId) => `${app(zoneId)}/audit?request=${seg(requestId)}`,
    policySet: (zoneId, id) => `${app(zoneId)}/policies?tab=sets&focus=${seg(id)}`,
    resource: (zoneId, id) => `${app(zoneId)}/resources?focus=${seg(id)}`,
    approvals: (zoneId) => `${app(zoneId)}/approvals`,
  };
}
