/**
 * Changes in words: who, what was done to which entity (field names only: Caracal records no
 * values), when, and how long before the denial. Pure. Every phrase says only what the
 * admin-audit row holds; names come from the state the triage read (a resource's identifier,
 * a policy set's name) where the row's entity is one the triage knows.
 */
import { formatDuration } from '../../config/duration';
import { tick } from '../steps/step';
import type { Anchor, ChangeRow, ChangeSubject, ChangeWindow } from './change';

const MAX_FIELDS = 6;

export function actorPhrase(row: Pick<ChangeRow, 'actor' | 'via'>): string {
  return row.via === 'console' ? `Console account ${tick(row.actor)}` : tick(row.actor);
}

const SINGULAR: Record<string, string> = {
  applications: 'application',
  workloads: 'workload',
  resources: 'resource',
  providers: 'provider',
  'provider-connections': 'provider connection',
  policies: 'policy',
  'policy-sets': 'policy set',
  'policy-templates': 'policy template',
  grants: 'grant',
  'subject-issuers': 'subject issuer',
  subjects: 'subject',
  approvals: 'approval',
  'admin-tokens': 'admin token',
  'operator-conversations': 'operator conversation',
};

/** The entity as people know it: the resource's identifier, the set's name, else `<kind> <id>`. */
export function entityPhrase(row: Pick<ChangeRow, 'entityType' | 'entityId'>, s: ChangeSubject): string {
  const { entityType: type, entityId: id } = row;
  if (!type || !id) return 'an entity Caracal did not record';
  if (type === 'resources' && s.resource?.id === id) return s.resource.identifier;
  if (type === 'policy-sets') {
    const set = s.policySets.find((p) => p.id === id);
    if (set?.name) return `policy set ${set.name}`;
  }
  if (type === 'providers' && s.resource?.providerId === id) return `the credential provider ${id} of ${s.resource.identifier}`;
  if (type === 'zones') return 'the zone';
  return `${SINGULAR[type] ?? type} ${id}`;
}

/** "the `a`, `b` and `c`" (at most MAX_FIELDS named). */
export function fieldList(fields: readonly string[]): string {
  const named = fields.slice(0, MAX_FIELDS).map(tick);
  if (fields.length > MAX_FIELDS) named.push(`${fields.length - MAX_FIELDS} more`);
  return `the ${named.length > 1 ? `${named.slice(0, -1).join(', ')} and ${named.at(-1)}` : named[0]}`;
}

export function fieldsPhrase(fields: readonly string[]): string {
  if (fields.length === 0) return '';
  const shown = fields.slice(0, MAX_FIELDS).map(tick).join(', ');
  return ` (${shown}${fields.length > MAX_FIELDS ? ` and ${fields.length - MAX_FIELDS} more` : ''})`;
}

/** Collections whose DELETE archives the entity rather than erasing it (apps/api routes). */
const ARCHIVED_ON_DELETE = new Set(['resources', 'applications', 'providers', 'policy-sets']);

/** What the change did, e.g. `edited the \`scopes\` of resource://payments`, `activated policy set main (\`version_id\`)`. */
export function deedPhrase(row: ChangeRow, s: ChangeSubject): string {
  const what = entityPhrase(row, s);
  const fields = fieldsPhrase(row.changedFields);
  const kind = row.changeKind ?? (row.method === 'DELETE' ? 'delete' : row.method === 'PATCH' || row.method === 'PUT' ? 'update' : null);
  // Sinks and other zone settings log as the zone itself: the route says more than "the zone".
  if (row.entityType === 'zones' || !row.entityType) return `made ${tick(row.action)}${fields}`;
  switch (kind) {
    case 'create':
      return `created ${what}${row.changedFields.length ? ` with ${fieldList(row.changedFields).replace(/^the /, '')}` : ''}`;
    case 'update':
      return row.changedFields.length ? `edited ${fieldList(row.changedFields)} of ${what}` : `edited ${what}`;
    case 'delete':
      return row.entityType === 'grants' ? `revoked ${what}` : ARCHIVED_ON_DELETE.has(row.entityType) ? `archived ${what}` : `deleted ${what}`;
    case 'secret_rotation':
      return `rotated the secret of ${what}${fields}`;
    case 'action':
      if (row.verb === 'activate') return `activated ${what}${fields}`;
      if (row.verb === 'versions') return `added a version to ${what}${fields}`;
      return row.verb ? `ran ${tick(row.verb)} on ${what}${fields}` : `changed ${what}${fields}`;
    default:
      return `made ${tick(row.action)}${fields}`;
  }
}

const ANCHOR_NOUN: Record<Anchor, string> = { denial: 'the denial', request: 'the request', now: 'this triage' };

/** `3 min before the denial`, `under a minute before the denial`, `1 d 2 h before this triage`. */
export function beforePhrase(at: string, window: Pick<ChangeWindow, 'until' | 'anchor'>, noun = ANCHOR_NOUN[window.anchor]): string {
  const ms = Date.parse(window.until) - Date.parse(at);
  const how = ms < 60_000 ? 'under a minute' : formatDuration(Math.floor(ms / 60_000) * 60_000);
  return `${how} before ${noun}`;
}

/** `16:37 UTC`, with the date when it is not the day the window ends. */
export function clockPhrase(at: string, until: string): string {
  const time = `${at.slice(11, 16)} UTC`;
  return at.slice(0, 10) === until.slice(0, 10) ? time : `${at.slice(0, 10)} ${time}`;
}

/** The change in one sentence, for `changes[].summary`. */
export function changeSummary(row: ChangeRow, s: ChangeSubject, window: Pick<ChangeWindow, 'until' | 'anchor'>): string {
  return `${actorPhrase(row)} ${deedPhrase(row, s)} at ${clockPhrase(row.at, window.until)}, ${beforePhrase(row.at, window)}.`;
}
