/**
 * What the incident sources' checks share beyond the edge (src/ingress/edge.ts): secrets that
 * may rotate, and `v1=` signature lists.
 */
/** One secret or several (rotation on our side: any of them is accepted). Empty secrets are a wiring bug. */
export type Secrets = string | readonly string[];

export function secretList(secrets: Secrets, what: string): string[] {
  const list = (typeof secrets === 'string' ? [secrets] : [...secrets]).filter((s) => s.length > 0);
  if (list.length === 0) throw new Error(`${what}: no secret configured; do not mount this source without one`);
  return list;
}

const V1_SIGNATURE = /^v1=([0-9a-fA-F]{64})$/;

/**
 * `v1=<64 hex>` entries of a signature header, comma-separated (PagerDuty sends one per
 * signing secret while secrets rotate). Entries of other versions are skipped; null when the
 * header holds no well-formed v1 entry at all.
 */
export function v1Signatures(value: string): Buffer[] | null {
  const sigs: Buffer[] = [];
  for (const part of value.split(',')) {
    const m = V1_SIGNATURE.exec(part.trim());
    if (m) sigs.push(Buffer.from(m[1], 'hex'));
  }
  return sigs.length > 0 ? sigs : null;
}
