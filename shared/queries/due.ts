/**
 * `due`: active originals of transfers in progress with 0 <= daysLeft <= within at `now`,
 * soonest first — the reminders' due listing, shared by the CLI, the API, the `/due` page, the
 * risk chart and the calendar feed.
 */
import { paginateScan } from "@aws-sdk/lib-dynamodb";
import type { AdviceFacts } from "../advice/advice.js";
import { compareStrings, utcDay } from "../domain/time.js";
import { type DueOriginal, listDue } from "../reminders/due.js";
import { daysLeftUntil } from "../reminders/schedule.js";
import { ORIGINAL_PREFIX, transferPk } from "../store/keys.js";
import type { OriginalRecord } from "../store/original-records.js";
import { MAX_DUE_WITHIN_DAYS } from "./inputs.js";
import type { ReadSource } from "./source.js";

export type { DueOriginal };

export function dueOriginals(
  source: ReadSource,
  options: { withinDays: number; now: string },
): Promise<DueOriginal[]> {
  return listDue({
    db: source.db,
    tableName: source.tableName,
    now: options.now,
    withinDays: options.withinDays,
  });
}

/** One calendar entry's original: the due listing's fields and what the advice is written from. */
export type PartnerExpiry = DueOriginal & AdviceFacts;

/** The original item's fields the calendar feed shows and advises from. */
const EXPIRY_FIELDS = [
  "partnerId",
  "customerTenantId",
  "customerName",
  "subscriptionId",
  "offerId",
  "offerName",
  "quantity",
  "commitmentEndDate",
  "autoRenewEnabled",
  "offerDiscontinued",
  "replacement",
  "warnings",
] as const satisfies readonly (keyof OriginalRecord)[];

/**
 * Every active original of one partner's transfers in progress that ends today or later (the
 * calendar feed), with what its advice is written from (its replacement and warnings), so the
 * feed says exactly what the reminder email says. Reads the partner's original items only.
 */
export async function partnerExpiries(
  source: ReadSource,
  partnerId: string,
  now: string,
): Promise<PartnerExpiry[]> {
  const today = utcDay(now);
  const names = Object.fromEntries(EXPIRY_FIELDS.map((f) => [`#${f}`, f]));
  const rows: PartnerExpiry[] = [];
  const pages = paginateScan(
    { client: source.db },
    {
      TableName: source.tableName,
      FilterExpression:
        "begins_with(pk, :pk) AND begins_with(sk, :original) AND #state = :active " +
        "AND transferRemindable = :true AND #commitmentEndDate >= :from",
      ProjectionExpression: Object.keys(names).join(", "),
      ExpressionAttributeNames: { ...names, "#state": "state" },
      ExpressionAttributeValues: {
        ":pk": `${transferPk({ partnerId, customerTenantId: "" })}`,
        ":original": ORIGINAL_PREFIX,
        ":active": "ACTIVE",
        ":true": true,
        ":from": new Date((today - 1) * 86_400_000).toISOString().slice(0, 10),
      },
    },
  );
  for await (const page of pages) {
    for (const raw of page.Items ?? []) {
      const item = raw as Pick<OriginalRecord, (typeof EXPIRY_FIELDS)[number]>;
      if (item.partnerId !== partnerId) continue;
      const daysLeft = daysLeftUntil(item.commitmentEndDate, now);
      if (daysLeft < 0 || daysLeft > MAX_DUE_WITHIN_DAYS) continue;
      rows.push({
        partnerId: item.partnerId,
        customerTenantId: item.customerTenantId,
        customerName: item.customerName,
        subscriptionId: item.subscriptionId,
        offerId: item.offerId,
        offerName: item.offerName,
        quantity: Number(item.quantity),
        commitmentEndDate: item.commitmentEndDate,
        daysLeft,
        replacementProvisioned: (item.replacement ?? null) !== null,
        autoRenewEnabled: item.autoRenewEnabled === true,
        offerDiscontinued: item.offerDiscontinued === true,
        state: "ACTIVE",
        replacement: item.replacement ?? null,
        warnings: item.warnings ?? [],
      });
    }
  }
  return rows.sort(
    (a, b) =>
      a.daysLeft - b.daysLeft ||
      compareStrings(a.customerTenantId, b.customerTenantId) ||
      compareStrings(a.subscriptionId, b.subscriptionId),
  );
}
