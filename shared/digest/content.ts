/**
 * What a reminder digest says about each original (SPEC section 4): its figures, its replacement
 * or "no replacement yet", and — from shared/advice, the one place that writes them — what to do
 * and each warning in words with its numbers. Pure: the rows are built by the notifier from the
 * store at sending time.
 */
import { type AdviceWarning, activeAdviceFacts, warningLines, whatToDo } from "../advice/advice.js";
import { compareInstants, compareStrings } from "../domain/time.js";
import { plainText, plural } from "../text/plain-text.js";

export type DigestWarning = AdviceWarning;

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

/** What to do about a row, active by the digest's rule (the advice module's words, shared with the calendar and the pages). */
export const adviceFor = (row: DigestRow): string[] => whatToDo(activeAdviceFacts(row));

/** The row's open warnings in words (the advice module's). */
export const warningLinesOf = (row: DigestRow) => warningLines(activeAdviceFacts(row));

/** "Replacement n-1 (offer X, 25 seats)" or "No replacement yet". */
export function replacementLine(row: DigestRow): string {
  const r = row.replacement;
  if (!r) return "No replacement yet";
  return (
    `${plainText(r.subscriptionId)} (offer ${plainText(r.offerId)}, ` +
    `${plural(r.quantity, "seat")})`
  );
}
