/**
 * What a reminder digest says about each original (SPEC section 4): its figures, its replacement
 * or "no replacement yet", what to do — following the open warnings — and each warning in words
 * with its numbers. Pure: the rows are built by the notifier from the store at sending time.
 */
import { compareInstants, compareStrings, utcDate } from "../domain/time.js";
import type { WarningCode } from "../domain/view-types.js";
import { plainText, plural } from "./text.js";

export type DigestWarning = {
  code: WarningCode;
  message: string;
  expected?: number;
  actual?: number;
};

export type DigestRow = {
  partnerId: string;
  customerTenantId: string;
  customerName: string;
  subscriptionId: string;
  offerId: string;
  offerName: string;
  quantity: number;
  commitmentEndDate: string;
  /** Whole UTC days from the sending time to the end date. */
  daysLeft: number;
  thresholdDays: number;
  autoRenewEnabled: boolean;
  offerDiscontinued: boolean;
  replacement: { subscriptionId: string; offerId: string; quantity: number } | null;
  warnings: DigestWarning[];
};

export type CustomerGroup<R extends DigestRowOrderKey> = {
  customerName: string;
  customerTenantId: string;
  rows: R[];
};

/** What ordering needs: customers by their soonest end date, rows soonest first. */
export type DigestRowOrderKey = {
  partnerId: string;
  customerTenantId: string;
  customerName: string;
  subscriptionId: string;
  commitmentEndDate: string;
};

const byEnd = (a: DigestRowOrderKey, b: DigestRowOrderKey) =>
  compareInstants(a.commitmentEndDate, b.commitmentEndDate) ||
  compareStrings(a.subscriptionId, b.subscriptionId);

/**
 * Rows grouped by customer (one transfer), customers ordered by their soonest end date, rows
 * soonest end date first. Deterministic: ties fall back to names and ids.
 */
export function groupByCustomer<R extends DigestRowOrderKey>(
  rows: readonly R[],
): CustomerGroup<R>[] {
  const groups = new Map<string, R[]>();
  for (const row of rows) {
    const key = JSON.stringify([row.partnerId, row.customerTenantId]);
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.values()]
    .map((group) => group.sort(byEnd))
    .sort((a, b) => {
      const [first, other] = [a[0] as R, b[0] as R];
      return (
        compareInstants(first.commitmentEndDate, other.commitmentEndDate) ||
        compareStrings(first.customerName, other.customerName) ||
        compareStrings(first.partnerId, other.partnerId) ||
        compareStrings(first.customerTenantId, other.customerTenantId)
      );
    })
    .map((group) => ({
      customerName: (group[0] as R).customerName,
      customerTenantId: (group[0] as R).customerTenantId,
      rows: group,
    }));
}

/** The rows in digest order (customer groups flattened). */
export function inDigestOrder<R extends DigestRowOrderKey>(rows: readonly R[]): R[] {
  return groupByCustomer(rows).flatMap((group) => group.rows);
}

const has = (row: DigestRow, code: WarningCode) => row.warnings.find((w) => w.code === code);

/** What to do, one sentence per action, following the warnings. */
export function adviceFor(row: DigestRow): string[] {
  const date = utcDate(row.commitmentEndDate);
  const offer = `${plainText(row.offerName)} (offer ${plainText(row.offerId)})`;
  const advice: string[] = [];
  const renewOff =
    `Turn auto-renew off on the original before ${date}, or it renews for another term ` +
    "instead of expiring and the customer keeps paying for it.";
  if (!row.replacement) {
    advice.push(
      row.offerDiscontinued
        ? `${offer} is discontinued: find an equivalent offer, provision it with ` +
            `${plural(row.quantity, "seat")} under your CSP account before ${date}, and reassign ` +
            "users' licenses to it."
        : `Provision the same offer, ${offer}, with the same seat count ` +
            `(${plural(row.quantity, "seat")}) under your CSP account before ${date}; otherwise ` +
            "end users lose service when the original ends.",
    );
    if (row.autoRenewEnabled) advice.push(renewOff);
    return advice;
  }
  const replacement = row.replacement;
  const otherOffer =
    has(row, "LICENSE_REASSIGNMENT_REQUIRED") ?? has(row, "OFFER_MISMATCH") ?? null;
  const seatsWarning = has(row, "SEAT_COUNT_MISMATCH");
  const expected = seatsWarning?.expected ?? row.quantity;
  const actual = seatsWarning?.actual ?? replacement.quantity;
  if (seatsWarning && actual < expected) {
    advice.push(
      `Provision the missing ${plural(expected - actual, "seat")} on the replacement before ` +
        `${date}: it has ${actual}, the original has ${expected}.`,
    );
  } else if (seatsWarning && actual > expected) {
    advice.push(
      `The replacement has ${plural(actual - expected, "seat")} more than the original ` +
        `(${actual} against ${expected}): check the seat count with the customer.`,
    );
  }
  if (otherOffer) {
    advice.push(
      `The replacement is on another offer (${plainText(replacement.offerId)}): reassign ` +
        `users' licenses from the original to the replacement before ${date}.`,
    );
  }
  advice.push(
    `Let the original expire on ${date}` +
      (otherOffer || (seatsWarning && actual < expected)
        ? "."
        : "; end users continue on the replacement."),
  );
  advice.push(row.autoRenewEnabled ? renewOff : "Check that auto-renew stays off on the original.");
  advice.push("Do not cancel the original: cancelling gives the customer no refund.");
  return advice;
}

const WARNING_TITLES: Partial<Record<WarningCode, string>> = {
  ORIGINAL_AUTO_RENEW_ON: "Auto-renew is on",
  SEAT_COUNT_MISMATCH: "Seat count differs",
  OFFER_MISMATCH: "Offer differs",
  LICENSE_REASSIGNMENT_REQUIRED: "License reassignment required",
};

/** Each open warning in words: a title with its numbers, then the transfer's own sentence. */
export function warningLines(row: DigestRow): { title: string; text: string }[] {
  return row.warnings.map((warning) => {
    const base = WARNING_TITLES[warning.code] ?? warning.code;
    const title =
      warning.code === "SEAT_COUNT_MISMATCH" &&
      warning.expected !== undefined &&
      warning.actual !== undefined
        ? `${base} (expected ${warning.expected}, actual ${warning.actual})`
        : base;
    return { title, text: plainText(warning.message) };
  });
}

/** "Replacement n-1 (offer X, 25 seats)" or "No replacement yet". */
export function replacementLine(row: DigestRow): string {
  const r = row.replacement;
  if (!r) return "No replacement yet";
  return (
    `${plainText(r.subscriptionId)} (offer ${plainText(r.offerId)}, ` +
    `${plural(r.quantity, "seat")})`
  );
}
