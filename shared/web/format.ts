/** Words and dates the pages show, the same on the server and in the browser (no locale). */
import { utcDate, utcDay } from "../domain/time.js";
import type { WarningCode } from "../domain/view-types.js";
import type { TransferStatus } from "../events/index.js";

export const STATUS_LABELS: Record<TransferStatus, string> = {
  PENDING_INVITATION: "Waiting for the invitation",
  INELIGIBLE: "Ineligible",
  INVITED: "Invited",
  ACCEPTED: "Accepted",
  PROVISIONING: "Provisioning",
  PROVISIONED: "Provisioned",
  COMPLETED: "Completed",
};

export const STATUS_HINTS: Record<TransferStatus, string> = {
  PENDING_INVITATION: "Events arrived before the invitation; waiting for it.",
  INELIGIBLE: "The partner and the customer are not in the same country or region.",
  INVITED: "The customer has not accepted the reseller relationship yet.",
  ACCEPTED: "The customer accepted; no replacement subscription is provisioned yet.",
  PROVISIONING: "Some originals have a replacement; others still need one.",
  PROVISIONED: "Every original has a replacement; some originals are still active.",
  COMPLETED: "Every original has ended and every one had a replacement.",
};

export const WARNING_TITLES: Record<WarningCode, string> = {
  COUNTRY_MISMATCH: "Country mismatch",
  OFFER_MISMATCH: "Different offer",
  LICENSE_REASSIGNMENT_REQUIRED: "License reassignment required",
  SEAT_COUNT_MISMATCH: "Seat count differs",
  ORIGINAL_AUTO_RENEW_ON: "Auto-renew is on",
  ENDED_WITHOUT_REPLACEMENT: "Ended without a replacement",
  CANCELLED_BEFORE_EXPIRY: "Cancelled before its end date",
  UNMATCHED_REPLACEMENT: "Replacement matches no original",
  UNTRACKED_ORIGINAL: "Subscription missing from the transfer",
  LICENSES_NOT_COVERED: "Users would lose their license",
};

export const dateOf = (iso: string | null) => (iso ? utcDate(iso) : "—");

/** Whole UTC days from `now` to `end` (negative once past). */
export const daysUntil = (now: string, end: string) => utcDay(end) - utcDay(now);

export function daysLeftText(days: number): string {
  if (days === 0) return "today";
  if (days === 1) return "1 day";
  if (days > 1) return `${days} days`;
  return days === -1 ? "1 day ago" : `${-days} days ago`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "3 Jun" for a day number (days since the epoch, UTC). */
export function shortDay(day: number): string {
  const date = new Date(day * 86_400_000);
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]}`;
}

/** "Jun 2026" for a day number. */
export function monthLabel(day: number): string {
  const date = new Date(day * 86_400_000);
  return `${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

export const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/** Marks "no next expiry" in day arithmetic. */
export const DAYS_UNKNOWN = Number.NEGATIVE_INFINITY;
