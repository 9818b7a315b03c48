/** `due --within D` against a real DynamoDB Local table, through the partner-entry index. */
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_REMINDER_THRESHOLDS } from "../../../shared/config/thresholds.js";
import { parseUpstreamEvent } from "../../../shared/events/index.js";
import { dueOriginals } from "../../../shared/queries/index.js";
import { TransferStore } from "../../../shared/store/transfer-store.js";
import { freshTable } from "../../support/dynamo.js";
import {
  ended,
  invitationSent,
  newTransferKey,
  original,
  provisioned,
} from "../../support/events.js";

const thresholds = DEFAULT_REMINDER_THRESHOLDS.split(",").map(Number);
async function store(
  db: Awaited<ReturnType<typeof freshTable>>["db"],
  tableName: string,
  ...raws: unknown[]
) {
  const writer = new TransferStore(db, tableName, thresholds);
  for (const raw of raws) await writer.apply(parseUpstreamEvent(raw));
}
const listDue = (o: { db: typeof db; tableName: string; now: string; withinDays: number }) =>
  dueOriginals({ db: o.db, tableName: o.tableName }, { now: o.now, withinDays: o.withinDays });

const NOW = "2026-05-01T10:00:00Z";
let db: Awaited<ReturnType<typeof freshTable>>["db"];
let tableName: string;
const active = newTransferKey("active");
const ineligible = newTransferKey("ineligible");

beforeAll(async () => {
  ({ db, tableName } = await freshTable("due"));
  await store(
    db,
    tableName,
    invitationSent({
      ...active,
      customerName: "Contoso",
      subscriptions: [
        original({
          subscriptionId: "in-10",
          commitmentEndDate: "2026-05-11T00:00:00Z",
          quantity: 3,
        }),
        original({ subscriptionId: "today", commitmentEndDate: "2026-05-01T23:00:00Z" }),
        original({ subscriptionId: "tz-30", commitmentEndDate: "2026-05-30T23:30:00-05:00" }),
        original({ subscriptionId: "in-31", commitmentEndDate: "2026-06-01T00:00:00Z" }),
        original({ subscriptionId: "past", commitmentEndDate: "2026-04-30T23:00:00Z" }),
        original({ subscriptionId: "ended", commitmentEndDate: "2026-05-05T00:00:00Z" }),
      ],
    }),
    provisioned({ ...active, subscriptionId: "n-1", replacesSubscriptionId: "in-10" }),
    ended({
      ...active,
      subscriptionId: "ended",
      reason: "cancelled",
      endedAt: "2026-04-20T00:00:00Z",
    }),
    invitationSent({
      ...ineligible,
      partnerCountry: "US",
      customerCountry: "GB",
      subscriptions: [original({ subscriptionId: "x", commitmentEndDate: "2026-05-03T00:00:00Z" })],
    }),
  );
});

describe("due", () => {
  it("lists active originals with 0 <= daysLeft <= D, soonest first, with the SPEC fields", async () => {
    const due = await listDue({ db, tableName, now: NOW, withinDays: 30 });
    expect(due.map((d) => [d.subscriptionId, d.daysLeft])).toEqual([
      ["today", 0],
      ["in-10", 10],
      ["tz-30", 30],
    ]);
    expect(due[1]).toEqual({
      partnerId: active.partnerId,
      customerTenantId: active.customerTenantId,
      customerName: "Contoso",
      subscriptionId: "in-10",
      offerName: "Microsoft 365 Business Standard",
      quantity: 3,
      commitmentEndDate: "2026-05-11T00:00:00Z",
      daysLeft: 10,
      replacementProvisioned: true,
    });
  });

  it.each([
    { within: 0, ids: ["today"] },
    { within: 9, ids: ["today"] },
    { within: 31, ids: ["today", "in-10", "tz-30", "in-31"] },
  ])("within $within days: $ids", async ({ within, ids }) => {
    const due = await listDue({ db, tableName, now: NOW, withinDays: within });
    expect(due.map((d) => d.subscriptionId)).toEqual(ids);
  });

  it("refuses a negative window", async () => {
    await expect(listDue({ db, tableName, now: NOW, withinDays: -1 })).rejects.toThrow(RangeError);
  });
});
