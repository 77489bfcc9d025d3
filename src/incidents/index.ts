/**
 * Incident sources, platform-free: Alertmanager (Caracal's alert rules), PagerDuty V3 and
 * the generic signed webhook. Authentication, payload schemas, the Caracal alert catalogue,
 * the mapping to a triage and the routes file. No HTTP server, chat SDK or Redis in here:
 * the web host mounts `enabledIncidentSources(...)`, the command flow starts what
 * `receiveIncident` accepts (after `lifecycleAction` against the stored state), and
 * `destinationFor` says where its card goes.
 */
export { headerValue, type AuthFailure, type AuthReason, type AuthResult, type BodyCheck, type HeaderBag, type Precheck } from '../ingress/edge';
export { type Secrets } from './auth/common';
export { precheckAlertmanager, verifyAlertmanager } from './auth/alertmanager';
export { PAGERDUTY_SIGNATURE_HEADER, precheckPagerDuty, signPagerDuty, verifyPagerDuty } from './auth/pagerduty';
export {
  SIGNATURE_HEADER,
  SIGNATURE_TIMESTAMP_HEADER,
  SIGNATURE_WINDOW_SECONDS,
  precheckGenericHook,
  signGenericHook,
  verifyGenericHook,
} from './auth/generic';

export { decodeJson, type Parsed } from './payloads/parse';
export { ALERTMANAGER_MAX_BODY_BYTES, AlertmanagerAlert, AlertmanagerWebhook, GO_ZERO_TIME, parseAlertmanagerWebhook } from './payloads/alertmanager';
export { PAGERDUTY_MAX_BODY_BYTES, PagerDutyIncident, parsePagerDutyWebhook, type PagerDutySubject, type PagerDutyWebhook } from './payloads/pagerduty';
export { GENERIC_HOOK_MAX_BODY_BYTES, GenericIncidentHook, parseGenericHook } from './payloads/generic';

export {
  CARACAL_ALERT_NAMES,
  CARACAL_COMPONENTS,
  RUNBOOK_BASE,
  caracalAlertsIn,
  guideForAlert,
  isCaracalAlert,
  runbookUrlFor,
  unknownAlertGuide,
  type AlertGuide,
  type CaracalAlertName,
  type CaracalComponent,
  type CaracalSeverity,
} from './catalogue';
export {
  ChannelAddressText,
  PLATFORMS,
  formatChannelAddress,
  parseChannelAddress,
  unconfiguredPlatform,
  type ChannelAddress,
  type ChannelParse,
  type ChatPlatformName,
} from './channel';

export {
  INCIDENT_SOURCES,
  lifecycleAction,
  type IncidentAlert,
  type IncidentSignal,
  type IncidentSource,
  type IncidentState,
  type IncidentTriage,
  type LifecycleAction,
  type RoutingFacts,
} from './incident';
export { triageForAlertGroup } from './from-alertmanager';
export { triageForPagerDuty } from './from-pagerduty';
export { triageForGenericHook } from './from-generic';

export { MATCH_KEYS, ROUTED_SOURCES, type MatchKey, type RouteMatch } from './routes/format';
export {
  DEFAULT_CHANNEL_VARIABLE,
  ROUTES_VARIABLE,
  loadRoutes,
  parseRoutes,
  type IncidentRoute,
  type RoutesLoad,
  type RoutesOptions,
  type RoutingTable,
} from './routes/load';
export { describeFacts, destinationFor, routeIncident, routeMatches, type RouteDecision } from './routes/route';

export {
  alertmanagerSource,
  enabledIncidentSources,
  genericHookSource,
  pagerDutySource,
  receiveIncident,
  type IncidentSecrets,
  type IncidentSourceSpec,
  type Received,
} from './sources';
