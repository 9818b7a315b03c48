/**
 * How a scan run's claims become digests (SPEC section 4): one digest per partner address per run,
 * listing that address's due originals across all its transfers in digest order; split only past
 * MAX_ROWS_PER_DIGEST originals (or, for absurdly long ids, when the digest's list of claim keys
 * would no longer fit comfortably in one DynamoDB item). Pure and deterministic: the same claims
 * give the same digests, whatever order the scan's shards found them in.
 */
import { compareStrings } from "../domain/time.js";
import { type DigestRowOrderKey, inDigestOrder } from "./content.js";

export const MAX_ROWS_PER_DIGEST = 200;
/** Bytes of claim keys per digest item (DynamoDB items hold 400 KB). */
export const MAX_KEY_BYTES_PER_DIGEST = 250_000;

export type BatchCandidate = DigestRowOrderKey & { partnerEmail: string; pk: string; sk: string };

export type DigestPlan<C extends BatchCandidate> = {
  /** The address grouped on: trimmed and lower-cased (mailboxes do not tell case apart). */
  partnerKey: string;
  /** The address written to: the stored spelling (the smallest, if spellings differ). */
  partnerEmail: string;
  /** 1-based part of this address's digests in the run, and how many there are. */
  part: number;
  parts: number;
  rows: C[];
};

export function partnerKeyOf(partnerEmail: string): string {
  return partnerEmail.trim().toLowerCase();
}

export function planDigests<C extends BatchCandidate>(candidates: readonly C[]): DigestPlan<C>[] {
  const byPartner = new Map<string, C[]>();
  for (const candidate of candidates) {
    const key = partnerKeyOf(candidate.partnerEmail);
    byPartner.set(key, [...(byPartner.get(key) ?? []), candidate]);
  }
  const plans: DigestPlan<C>[] = [];
  for (const partnerKey of [...byPartner.keys()].sort(compareStrings)) {
    const rows = inDigestOrder(byPartner.get(partnerKey) ?? []);
    const partnerEmail = rows.map((r) => r.partnerEmail.trim()).sort(compareStrings)[0] ?? "";
    const chunks = chunk(rows);
    chunks.forEach((chunkRows, index) => {
      plans.push({
        partnerKey,
        partnerEmail,
        part: index + 1,
        parts: chunks.length,
        rows: chunkRows,
      });
    });
  }
  return plans;
}

function chunk<C extends BatchCandidate>(rows: C[]): C[][] {
  const chunks: C[][] = [];
  let current: C[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = Buffer.byteLength(row.pk) + Buffer.byteLength(row.sk) + 16;
    if (
      current.length >= MAX_ROWS_PER_DIGEST ||
      (current.length > 0 && bytes + size > MAX_KEY_BYTES_PER_DIGEST)
    ) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
