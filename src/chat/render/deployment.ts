/**
 * What a card says about the Caracal deployment a triage reads, for every chat renderer: a
 * line under its title ("production · zone Payments EU") and, when nothing named the deployment
 * and the bot looked for the request in each, where it was found, or that it was found in none
 * and which deployment to name. Bot sentences with outside values in `tick` code spans
 * (renderers draw them with `sentence`). Nothing is said while the bot serves one deployment it
 * did not need to name (the record then carries none): such a card is as it always was.
 */
import { namesList } from '../../triage/deployment-search';
import { nameOf } from '../../triage/names';
import type { TriageRecord } from '../../triage/record';
import { tick } from '../../triage/steps/step';

/** "production · zone Payments EU", "production", or null (no deployment named). */
export function deploymentLine(r: Pick<TriageRecord, 'deployment' | 'zoneId' | 'names'>): string | null {
  if (!r.deployment) return null;
  const zone = r.zoneId ? (nameOf(r.names, 'zones', r.zoneId) ?? r.zoneId) : null;
  return zone ? `${r.deployment} · zone ${zone}` : r.deployment;
}

/** Where the request was looked for and found, or what to do when it was found nowhere; null when nothing was searched. */
export function deploymentSearchSentence(r: Pick<TriageRecord, 'deployment' | 'deploymentSearch' | 'input'>): string | null {
  const s = r.deploymentSearch;
  if (!s) return null;
  const rid = r.input.requestId ?? r.input.errorRoute?.requestId ?? null;
  const unread = s.unreadable.map((u) => `${u.deployment} could not be read (${u.reason})`);
  if (s.found.length > 0) {
    const others = s.found.filter((n) => n !== r.deployment);
    const more = others.length ? ` This triage reads ${r.deployment}; ${namesList(others)} ${others.length === 1 ? 'has its' : 'have their'} own triage in this channel.` : '';
    return `Found in ${namesList(s.found)} (searched ${namesList(s.searched)}${unread.length ? `; ${unread.join('; ')}` : ''}).${more}`;
  }
  const how = `Name one: ${tick(`triage ${rid ?? '<request-id>'} --deployment NAME`)}.`;
  if (!rid || s.searched.length === 0) {
    return `Nothing says which Caracal deployment to read: this channel is bound to none and there is no request ID to look for. ${how}`;
  }
  const read = s.searched.filter((n) => !s.unreadable.some((u) => u.deployment === n));
  const none = read.length ? `Request ${tick(rid)} is in none of the zones of ${namesList(read)}` : `Request ${tick(rid)} could not be looked up in any deployment`;
  return `${none}${unread.length ? `; ${unread.join('; ')}` : ''}. Which deployment is it in? ${how}`;
}
