/**
 * Reading the names of what a triage touched (names.ts) from its session's evidence gatherer.
 * Apart from names.ts so the record types can name a NameBook without importing the gatherer.
 */
import type { EvidenceGatherer } from './evidence';
import { emptyNames, type NameBook, type NamedKind } from './names';

const named = (id: string, ...names: Array<string | null | undefined>): Array<[string, string]> => {
  const n = names.find((x): x is string => !!x && x.trim() !== '');
  return n ? [[id, n]] : [];
};

/**
 * The names in what a session read: every zone the token lists, the located zone, its
 * resources, the request's application and the zone's policy sets. Reads through the session's
 * gatherer, so each Caracal call is made at most once per session (the steps read them anyway).
 */
export async function namesFrom(gatherer: EvidenceGatherer): Promise<NameBook> {
  const [zones, zone, resources, application, policySets] = await Promise.all([
    gatherer.get('adminApi'),
    gatherer.get('zone'),
    gatherer.get('resources'),
    gatherer.get('application'),
    gatherer.get('policySets'),
  ]);
  const book = emptyNames();
  const put = (kind: NamedKind, pairs: Array<[string, string]>) => {
    for (const [id, name] of pairs) book[kind][id] = name;
  };
  if (zones.ok) put('zones', zones.value.flatMap((z) => named(z.id, z.name, z.slug)));
  if (zone.ok) put('zones', named(zone.value.id, zone.value.name, zone.value.slug));
  if (resources.ok) put('resources', resources.value.flatMap((r) => named(r.id, r.name, r.identifier)));
  if (application.ok) put('applications', named(application.value.id, application.value.name));
  if (policySets.ok) put('policySets', policySets.value.flatMap((s) => named(s.id, s.name)));
  return book;
}
