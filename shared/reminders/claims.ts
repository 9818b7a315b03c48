/**
 * Reminder claims: one item per (subscription, commitment end date, threshold), in the
 * transfer's partition next to the original it is about. The claim is what makes a reminder
 * happen exactly once: the scan creates it with a conditional Put (only one scan can), and the
 * notifier moves it through SENDING to SENT with conditional updates (only one delivery sends).
 *
 *   PENDING --scan published--> EMITTED --notifier leases--> SENDING --SES accepted--> SENT
 *      |                           |   ^                         |
 *      |                           |   +---- SES failed, or -----+
 *      |                           |         lease expired (the sender died)
 *      +----------+----------------+
 *                 +--> deleted, when the original is no longer remindable (ended, transfer
 *                      INELIGIBLE/COMPLETED, end date moved or past): nothing was sent, and a
 *                      later change that makes it remindable again can claim it afresh.
 *
 * The key includes the UTC date of the commitment end date: a subscription renewed to a new end
 * date is a new expiry and is reminded again at each threshold; an update that moves the end date
 * by hours within the same UTC day is the same expiry and is not reminded twice.
 */
import { utcDate } from "../domain/time.js";
import type { ExpiryApproaching } from "../events/details.js";

export const CLAIM_PREFIX = "REMINDER#";
export const CLAIM_ITEM_TYPE = "REMINDER_CLAIM";

export type ClaimStatus = "PENDING" | "EMITTED" | "SENDING" | "SENT";

/**
 * A PENDING claim is also listed in the reminder index, so that a claim whose scan died before
 * publishing is found again by a later scan (not by reading the table). Its index sort key starts
 * with "!", which sorts before every date: a scan's query of due originals (from "0") never reads
 * claims, and a running scan never re-reads the claims it creates (they sort before its cursor).
 */
export const PENDING_INDEX_PREFIX = "!claim#";

export function claimSk(subscriptionId: string, commitmentEndDate: string, thresholdDays: number) {
  return `${CLAIM_PREFIX}${encodeURIComponent(subscriptionId)}#${utcDate(commitmentEndDate)}#${thresholdDays}`;
}

/** Index sort key of a PENDING claim: ordered by when it was claimed. */
export function pendingIndexKey(claimedAt: string, pk: string, sk: string) {
  return `${PENDING_INDEX_PREFIX}${claimedAt}#${pk}#${sk}`;
}

export type ClaimItem = {
  pk: string;
  sk: string;
  itemType: typeof CLAIM_ITEM_TYPE;
  status: ClaimStatus;
  subscriptionId: string;
  commitmentEndDate: string;
  thresholdDays: number;
  claimedAt: string;
  /** The event as first claimed (a recovered claim is re-emitted with fresh figures). */
  detail: ExpiryApproaching;
  reminderShard?: string;
  reminderDue?: string;
};
