/**
 * `due --within D` (SPEC sections 4 and 6): active originals of transfers still in progress
 * (not INELIGIBLE or COMPLETED) with 0 <= daysLeft <= D at `now`, soonest first — shared by the
 * CLI, the API, the `/due` page, the risk chart and the calendar feed. It reads the originals'
 * entries in the partner-entry index by end date (store/transfer-read.ts), never a Scan: the
 * reminder index cannot answer it, since it holds only each original's next reminder date.
 */
import { instantOf, utcDay } from "../domain/time.js";
import { type ExpiryEntry, readExpiries } from "../store/transfer-read.js";
import { MAX_DUE_WITHIN_DAYS } from "./inputs.js";
import type { ReadSource } from "./source.js";

export type DueOriginal = {
  partnerId: string;
  customerTenantId: string;
  customerName: string;
  subscriptionId: string;
  offerName: string;
  quantity: number;
  commitmentEndDate: string;
  daysLeft: number;
  replacementProvisioned: boolean;
};

/**
 * The window and its clock; `partners` limits the read to those partners (a caller that has
 * just listed the transfers passes their partners instead of having them listed again).
 */
export type DueOptions = { withinDays: number; now: string; partners?: readonly string[] };

/** A due original with what the advice about it needs (the calendar feed's rows). */
export type ExpiryRow = DueOriginal & Omit<ExpiryEntry, keyof DueOriginal>;

const DAY_MS = 86_400_000;
/** The last UTC day an ISO 8601 date can name (year 9999): no end date lies beyond it. */
const LAST_DAY = utcDay("9999-12-31");
const dateOfDay = (day: number) =>
  new Date(Math.min(day, LAST_DAY) * DAY_MS).toISOString().slice(0, 10);

async function dueRows(source: ReadSource, options: DueOptions): Promise<ExpiryRow[]> {
  const { withinDays, now } = options;
  if (!Number.isInteger(withinDays) || withinDays < 0) {
    throw new RangeError(`withinDays must be a whole number of days >= 0, got ${withinDays}`);
  }
  const today = utcDay(now);
  const entries = await readExpiries(source.db, source.tableName, {
    fromDate: dateOfDay(today),
    toDate: dateOfDay(today + withinDays),
    ...(options.partners !== undefined ? { partners: options.partners } : {}),
  });
  return entries
    .map((entry) => ({ ...entry, daysLeft: utcDay(entry.commitmentEndDate) - today }))
    .filter((row) => row.daysLeft >= 0 && row.daysLeft <= withinDays)
    .sort(compareDue);
}

export async function dueOriginals(
  source: ReadSource,
  options: DueOptions,
): Promise<DueOriginal[]> {
  const rows = await dueRows(source, options);
  return rows.map((row) => ({
    partnerId: row.partnerId,
    customerTenantId: row.customerTenantId,
    customerName: row.customerName,
    subscriptionId: row.subscriptionId,
    offerName: row.offerName,
    quantity: row.quantity,
    commitmentEndDate: row.commitmentEndDate,
    daysLeft: row.daysLeft,
    replacementProvisioned: row.replacementProvisioned,
  }));
}

/**
 * Every active original of one partner's transfers in progress that ends today or later, over
 * the longest window (the calendar feed): one Query of that partner's entries.
 */
export function partnerExpiries(
  source: ReadSource,
  partnerId: string,
  now: string,
): Promise<ExpiryRow[]> {
  return dueRows(source, { withinDays: MAX_DUE_WITHIN_DAYS, now, partners: [partnerId] });
}

/** Soonest first: days left, then the end instant, then the keys (a stable order for output). */
function compareDue(a: DueOriginal, b: DueOriginal): number {
  return (
    a.daysLeft - b.daysLeft ||
    instantOf(a.commitmentEndDate) - instantOf(b.commitmentEndDate) ||
    a.partnerId.localeCompare(b.partnerId) ||
    a.customerTenantId.localeCompare(b.customerTenantId) ||
    a.subscriptionId.localeCompare(b.subscriptionId)
  );
}
