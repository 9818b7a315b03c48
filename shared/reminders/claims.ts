/**
 * Reminder claims: one item per (subscription, expiry, threshold), in the transfer's partition
 * next to the original it is about. The claim is what makes a reminder happen exactly once: the
 * scan creates it with a conditional Put (only one scan can), hands it to exactly one digest
 * (a conditional update sets `digestId`), and the notifier of that digest records it SENT.
 *
 *   PENDING --the scan put it in a digest--> EMITTED (digestId) --its digest was sent--> SENT
 *      |                                        |
 *      +----------------+-----------------------+
 *                       +--> deleted, when the original is no longer remindable (ended,
 *                            transfer INELIGIBLE/COMPLETED, renewed, past, superseded by a more
 *                            urgent threshold): nothing was sent, and a later change that makes
 *                            it remindable again can claim it afresh.
 *
 * The send lease (SENDING) is held by the digest (see digests.ts), not by each claim.
 *
 * The key names the expiry, not the exact end date: an end date corrected by less than
 * `RENEWAL_MIN_DAYS` (a time zone written differently, a date fixed by a few days) is the same
 * expiry and never reminded twice at a threshold; a renewal (the end date later by 28 days or
 * more) is a new expiry, reminded again at each threshold. The expiry in force is kept on the
 * original item (`reminderExpiry`, `reminderExpiryEnd`), written by the scan's claim transaction.
 */
import { utcDate, utcDay } from "../domain/time.js";
import type { ExpiryApproaching } from "../events/details.js";
import type { OriginalRecord } from "../store/original-records.js";

export const CLAIM_PREFIX = "REMINDER#";
export const CLAIM_ITEM_TYPE = "REMINDER_CLAIM";

export type ClaimStatus = "PENDING" | "EMITTED" | "SENT";

/** An end date moving later by at least this many days is a renewal (SPEC section 4). */
export const RENEWAL_MIN_DAYS = 28;

/**
 * A PENDING claim is also listed in the reminder index, so that a claim whose scan died before
 * putting it in a digest is found again by a later scan (not by reading the table). Its index
 * sort key starts with "!", which sorts before every date: a scan's query of due originals (from
 * "0") never reads claims, and a running scan never re-reads the claims it creates (they sort
 * before its cursor).
 */
export const PENDING_INDEX_PREFIX = "!claim#";

/** `expiry`: the expiry's UTC date (YYYY-MM-DD), or any ISO instant on that date. */
export function claimSk(subscriptionId: string, expiry: string, thresholdDays: number) {
  return `${CLAIM_PREFIX}${encodeURIComponent(subscriptionId)}#${utcDate(expiry)}#${thresholdDays}`;
}

/** Index sort key of a PENDING claim: ordered by when it was claimed. */
export function pendingIndexKey(claimedAt: string, pk: string, sk: string) {
  return `${PENDING_INDEX_PREFIX}${claimedAt}#${pk}#${sk}`;
}

/** What the original item remembers about the expiry its reminders are for. */
export type ExpiryMemory = {
  commitmentEndDate: string;
  /** UTC date naming the expiry in claim keys; absent before the first claim. */
  reminderExpiry?: string;
  /** UTC date of the end date when a claim was last made for that expiry. */
  reminderExpiryEnd?: string;
};

/**
 * The expiry the original's current end date belongs to: the remembered one, unless none is
 * remembered yet or the end date moved later by RENEWAL_MIN_DAYS or more since (a renewal).
 */
export function expiryOf(original: ExpiryMemory): { key: string; end: string; renewed: boolean } {
  const end = utcDate(original.commitmentEndDate);
  const { reminderExpiry, reminderExpiryEnd } = original;
  if (!reminderExpiry || !reminderExpiryEnd) return { key: end, end, renewed: false };
  if (utcDay(end) - utcDay(reminderExpiryEnd) >= RENEWAL_MIN_DAYS) {
    return { key: end, end, renewed: true };
  }
  return { key: reminderExpiry, end, renewed: false };
}

export type ClaimItem = {
  pk: string;
  sk: string;
  itemType: typeof CLAIM_ITEM_TYPE;
  status: ClaimStatus;
  subscriptionId: string;
  /** The end date when claimed. */
  commitmentEndDate: string;
  /** The expiry key (UTC date) of `claimSk`. */
  expiry: string;
  thresholdDays: number;
  claimedAt: string;
  /** The `Expiry Approaching` detail as claimed (a recovered claim gets fresh figures). */
  detail: ExpiryApproaching;
  /** The digest that owns it, once EMITTED. */
  digestId?: string;
  reminderShard?: string;
  reminderDue?: string;
};

/** The expiry key of a claim (claims written before expiries were remembered: the end date). */
export const expiryKeyOf = (claim: Pick<ClaimItem, "expiry" | "commitmentEndDate">): string =>
  claim.expiry ?? utcDate(claim.commitmentEndDate);

/** The `Expiry Approaching` detail for an original at a threshold. */
export function detailOf(
  original: OriginalRecord,
  daysLeft: number,
  thresholdDays: number,
): ExpiryApproaching {
  return {
    partnerId: original.partnerId,
    customerTenantId: original.customerTenantId,
    customerName: original.customerName,
    partnerEmail: original.partnerEmail,
    subscriptionId: original.subscriptionId,
    offerId: original.offerId,
    offerName: original.offerName,
    quantity: original.quantity,
    commitmentEndDate: original.commitmentEndDate,
    daysLeft,
    thresholdDays,
    replacementProvisioned: original.replacementProvisioned,
  };
}
