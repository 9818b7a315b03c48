/**
 * Digest items: one per email, in their own partition, created by the scan that groups its run's
 * claims by partner address (shared/digest/batches.ts). The digest carries the send lease, so the
 * claim states of claims.ts extend to the batch:
 *
 *   PENDING --scan published it--> EMITTED --notifier leases--> SENDING --SES accepted--> SENT
 *      |                              |   ^                         |
 *      |                              |   +---- SES failed, or -----+
 *      |                              |         lease expired (the sender died)
 *      +------------------------------+-------------+---------------+
 *                                                   +--> SUPERSEDED: a later scan took its claims
 *           into its own digest (the notifier sends nothing for a SUPERSEDED digest): a PENDING
 *           digest whose scan died, or a digest whose sending was interrupted (SENDING with an
 *           expired lease, or EMITTED after a failed send) once every retry of its delivery may
 *           have been spent.
 *
 * While a scan or a sender could die holding it, a digest stays in the reminder index, so that a
 * later scan finds it without reading the table: PENDING under `!digest#<createdAt>`, SENDING
 * under `!sending#<leaseUntil>`, EMITTED after a failed send under `!sending#<when released>`.
 * It leaves the index when marked EMITTED by its scan, when recorded SENT, and once superseded
 * with no claim naming it.
 *
 * A claim belongs to at most one digest (`digestId`, set by a conditional update), and a digest
 * sends only the claims that name it: whatever is retried or redelivered, each (subscription,
 * threshold) is in one email — the one exception being a digest whose sender died after SES
 * accepted it and before it was recorded SENT (sent again, SES having no idempotency key).
 */
import { createHash } from "node:crypto";
import { reminderShardOf } from "../store/keys.js";

export const DIGEST_ITEM_TYPE = "REMINDER_DIGEST";
export const DIGEST_SK = "DIGEST";
/** Index sort key prefix of a PENDING digest (see PENDING_INDEX_PREFIX in claims.ts). */
export const DIGEST_PENDING_PREFIX = "!digest#";

/** Index sort key prefix of a digest being sent, or released after a failed send. */
export const DIGEST_SENDING_PREFIX = "!sending#";

export type DigestStatus = "PENDING" | "EMITTED" | "SENDING" | "SENT" | "SUPERSEDED";

/** A claim listed in a digest, by its key. */
export type DigestRowRef = { pk: string; sk: string };

export type DigestItem = {
  pk: string;
  sk: typeof DIGEST_SK;
  itemType: typeof DIGEST_ITEM_TYPE;
  digestId: string;
  runId: string;
  partnerEmail: string;
  partnerKey: string;
  part: number;
  parts: number;
  status: DigestStatus;
  /** Wall clock when formed. */
  createdAt: string;
  /** The scan's clock (`scan --now` may simulate a date): days left are counted on it. */
  scanClock: string;
  rows: DigestRowRef[];
  reminderShard?: string;
  reminderDue?: string;
  leaseToken?: string;
  leaseUntil?: number;
  attempts?: number;
  sentAt?: string;
  messageId?: string;
  /** The lease token of the delivery that recorded it SENT. */
  sentToken?: string;
  /** Indexes into `rows` of the claims the sent email listed. */
  sentRows?: number[];
  /** True once every sent row is recorded SENT on its claim and original. */
  rowsRecorded?: boolean;
};

export const digestPk = (digestId: string) => `DIGEST#${encodeURIComponent(digestId)}`;

/** Deterministic per (run, address, part); the address itself stays out of ids and logs. */
export function digestIdOf(runId: string, partnerKey: string, part: number): string {
  const address = createHash("sha256").update(partnerKey).digest("hex").slice(0, 16);
  return `${runId}.${address}.${part}`;
}

export function pendingDigestIndexKey(createdAt: string, digestId: string): string {
  return `${DIGEST_PENDING_PREFIX}${createdAt}#${digestId}`;
}

export function digestShard(digestId: string): string {
  return reminderShardOf(digestPk(digestId), DIGEST_SK);
}

/** Index key of a digest whose sending a later scan may take over from `from` (ISO) on. */
export function sendingDigestIndexKey(from: string, digestId: string): string {
  return `${DIGEST_SENDING_PREFIX}${from}#${digestId}`;
}
