/**
 * What people call the entities a triage read (zones, applications, resources, policy sets),
 * by ID: cards, the terminal and the triage page show names, while IDs stay in the evidence and
 * in `--json`. Built from the evidence a session gathered (Caracal's own `name`, a zone's slug
 * or a resource's identifier when it has no name); outside text, redacted like everything the
 * session returns and neutralised by each renderer.
 */
export interface NameBook {
  zones: Record<string, string>;
  applications: Record<string, string>;
  resources: Record<string, string>;
  policySets: Record<string, string>;
}

export type NamedKind = keyof NameBook;

export const emptyNames = (): NameBook => ({ zones: {}, applications: {}, resources: {}, policySets: {} });

/** The name of an entity, or null when the triage did not read one. */
export function nameOf(book: NameBook | null | undefined, kind: NamedKind, id: string | null | undefined): string | null {
  if (!book || !id) return null;
  const n = book[kind][id];
  return n && n !== id ? n : null;
}

/** A zone as people read it: its name, else its ID. */
export function zoneLabel(book: NameBook | null | undefined, zoneId: string): string {
  return nameOf(book, 'zones', zoneId) ?? zoneId;
}

/** IDs shorter than this are left alone in sentences (a short ID could be part of a word). */
const MIN_ID_LENGTH = 8;

/**
 * A sentence with every ID the book names replaced by its name: "Zone 01a2…e9 has no active
 * policy set" reads "Zone Payments has no active policy set". A name cannot end the bot's code
 * spans (a backtick in it becomes U+02CB, as `tick` does), so renderers still draw the
 * sentence's own spans as code and the rest as outside text.
 */
export function withNames(text: string, book: NameBook | null | undefined): string {
  if (!book) return text;
  const pairs = (Object.keys(book) as NamedKind[])
    .flatMap((k) => Object.entries(book[k]))
    .filter(([id, name]) => id.length >= MIN_ID_LENGTH && name && name !== id && text.includes(id))
    .sort((a, b) => b[0].length - a[0].length);
  let out = text;
  for (const [id, name] of pairs) out = out.split(id).join(name.replace(/`/g, 'ˋ'));
  return out;
}
