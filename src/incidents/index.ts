/**
 * Incident sources, platform-free: Alertmanager (Caracal's alert rules), PagerDuty V3 and
 * the generic signed webhook. Authentication, payload schemas, the Caracal alert catalogue,
 * the mapping to a triage and the routes file. No HTTP server, chat SDK or Redis in here:
 * the web host mounts `enabledIncidentSources(...)`, the command flow starts what
 * `receiveIncident` accepts, and `destinationFor` says where its card goes.
 */
export * from './auth/common';
export * from './auth/alertmanager';
export * from './auth/pagerduty';
export * from './auth/generic';
export * from './payloads/parse';
export * from './payloads/alertmanager';
export * from './payloads/pagerduty';
export * from './payloads/generic';
export * from './catalogue';
export * from './channel';
export * from './incident';
export * from './from-alertmanager';
export * from './from-pagerduty';
export * from './from-generic';
export * from './routes/format';
export * from './routes/load';
export * from './routes/route';
export * from './sources';
