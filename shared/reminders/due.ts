/**
 * `due --within D` (SPEC sections 4 and 6): active originals of transfers still in progress
 * (not INELIGIBLE or COMPLETED) with 0 <= daysLeft <= D at `now`, soonest first.
 *
 * An operator query, not the scheduled path: it reads the original items with a parallel,
 * filtered Scan. The reminder index cannot answer it, since it holds only each original's next
 * reminder date (an original whose last threshold was reminded has left the index but is still
 * due). The filter narrows by the end date's text (the UTC date is within a day of the written
 * one whatever the offset); days left are then computed exactly.
 */
import { type DynamoDBDocumentClient, paginateScan } from "@aws-sdk/lib-dynamodb";
import { instantOf, utcDay } from "../domain/time.js";
import { ORIGINAL_PREFIX } from "../store/keys.js";
import type { OriginalRecord } from "../store/original-records.js";
import { daysLeftUntil } from "./schedule.js";

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

export type ListDueOptions = {
  db: DynamoDBDocumentClient;
  tableName: string;
  /** The clock days left are counted from (UTC calendar dates). */
  now: string;
  withinDays: number;
  /** Parallel Scan segments. */
  segments?: number;
};

const DAY_MS = 86_400_000;
const dateOfDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

export async function listDue(options: ListDueOptions): Promise<DueOriginal[]> {
  const { db, tableName, now, withinDays } = options;
  if (!Number.isInteger(withinDays) || withinDays < 0) {
    throw new RangeError(`withinDays must be a whole number of days >= 0, got ${withinDays}`);
  }
  const today = utcDay(now);
  const segments = options.segments ?? 4;
  const fields = [
    "partnerId",
    "customerTenantId",
    "customerName",
    "subscriptionId",
    "offerName",
    "quantity",
    "commitmentEndDate",
    "replacementProvisioned",
  ] as const satisfies readonly (keyof OriginalRecord)[];
  const names = Object.fromEntries(fields.map((f) => [`#${f}`, f]));
  const scanSegment = async (segment: number) => {
    const found: DueOriginal[] = [];
    const pages = paginateScan(
      { client: db },
      {
        TableName: tableName,
        Segment: segment,
        TotalSegments: segments,
        FilterExpression:
          "begins_with(sk, :prefix) AND #state = :active AND transferRemindable = :true " +
          "AND #commitmentEndDate BETWEEN :from AND :to",
        ProjectionExpression: Object.keys(names).join(", "),
        ExpressionAttributeNames: { ...names, "#state": "state" },
        ExpressionAttributeValues: {
          ":prefix": ORIGINAL_PREFIX,
          ":active": "ACTIVE",
          ":true": true,
          ":from": dateOfDay(today - 1),
          ":to": `${dateOfDay(today + withinDays + 1)}~`,
        },
      },
    );
    for await (const page of pages) {
      for (const raw of page.Items ?? []) {
        const item = raw as Pick<OriginalRecord, (typeof fields)[number]>;
        const daysLeft = daysLeftUntil(item.commitmentEndDate, now);
        if (daysLeft < 0 || daysLeft > withinDays) continue;
        found.push({
          partnerId: item.partnerId,
          customerTenantId: item.customerTenantId,
          customerName: item.customerName,
          subscriptionId: item.subscriptionId,
          offerName: item.offerName,
          quantity: Number(item.quantity),
          commitmentEndDate: item.commitmentEndDate,
          daysLeft,
          replacementProvisioned: item.replacementProvisioned === true,
        });
      }
    }
    return found;
  };
  const parts = await Promise.all(Array.from({ length: segments }, (_, i) => scanSegment(i)));
  return parts.flat().sort(compareDue);
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
