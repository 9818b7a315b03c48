/** The expiry scan decides what is due (SPEC section 4), against a real DynamoDB Local table. */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { reminderDueKey, reminderShardOf, transferPk } from "../../shared/store/keys.js";
import {
  ended,
  invitationSent,
  newTransferKey,
  original,
  provisioned,
  updated,
} from "../support/events.js";
import {
  AT_30,
  AT_60,
  counts,
  db,
  END,
  expectOutOfIndex,
  oneTransfer,
  publisher,
  scan,
  tableName,
  useScanHarness,
} from "./scan-harness.js";
import { daysAfter, originalItem, store } from "./support.js";

useScanHarness();

describe("expiry scan", () => {
  it("emits one Expiry Approaching per due original with its figures, then moves to the next threshold", async () => {
    const key = await oneTransfer([
      { subscriptionId: "o-1", commitmentEndDate: END, quantity: 12 },
    ]);

    const first = await scan(AT_60);
    expect(counts(first)).toEqual({ due: 1, emitted: 1, alreadyReminded: 0, skipped: 0 });
    expect(publisher.take()).toEqual([
      {
        ...key,
        customerName: "Fabrikam Ltd",
        partnerEmail: "transfers@partner.example",
        subscriptionId: "o-1",
        offerId: "offer-m365-business-standard",
        offerName: "Microsoft 365 Business Standard",
        quantity: 12,
        commitmentEndDate: END,
        daysLeft: 60,
        thresholdDays: 60,
        replacementProvisioned: false,
      },
    ]);
    const item = await originalItem(db, tableName, key, "o-1");
    expect(item?.reminderDue).toBe(reminderDueKey("2026-05-31", transferPk(key), "o-1"));

    const sameDay = await scan(AT_60);
    expect(counts(sameDay)).toEqual({ due: 0, emitted: 0, alreadyReminded: 0, skipped: 0 });

    const at30 = await scan(AT_30);
    expect(at30.emitted).toBe(1);
    expect(publisher.take().map((e) => [e.thresholdDays, e.daysLeft])).toEqual([[30, 30]]);
  });

  it("a scan that missed days catches up with one reminder, the most urgent", async () => {
    await oneTransfer([{ subscriptionId: "o-1", commitmentEndDate: END }]);
    const result = await scan("2026-06-20T23:00:00Z");
    expect(counts(result)).toEqual({ due: 1, emitted: 1, alreadyReminded: 0, skipped: 0 });
    expect(publisher.take().map((e) => [e.thresholdDays, e.daysLeft])).toEqual([[14, 10]]);
  });

  it("the last reminder on the end date itself, then the original leaves the index", async () => {
    const key = await oneTransfer([{ subscriptionId: "o-1", commitmentEndDate: END }]);
    expect((await scan("2026-06-30T20:00:00Z")).emitted).toBe(1);
    expect(publisher.take().map((e) => [e.thresholdDays, e.daysLeft])).toEqual([[1, 0]]);
    await expectOutOfIndex(key, "o-1");
  });

  it("an end date already past is removed from the index without a reminder", async () => {
    const key = await oneTransfer([{ subscriptionId: "o-1", commitmentEndDate: END }]);
    const now = "2026-07-01T00:00:00Z";
    const result = await scan(now, { clock: () => Date.parse(now) });
    expect(counts(result)).toEqual({ due: 0, emitted: 0, alreadyReminded: 0, skipped: 1 });
    expect(publisher.events).toEqual([]);
    await expectOutOfIndex(key, "o-1");
  });

  it("a simulated clock past the end date takes nothing out of the index: the real date still reminds it", async () => {
    const key = await oneTransfer([{ subscriptionId: "o-1", commitmentEndDate: END }]);
    const realClock = () => Date.parse(AT_60);
    const ahead = await scan("9999-12-31T00:00:00Z", { clock: realClock });
    expect(counts(ahead)).toEqual({ due: 0, emitted: 0, alreadyReminded: 0, skipped: 1 });
    expect(await originalItem(db, tableName, key, "o-1")).toHaveProperty("reminderDue");

    const today = await scan(AT_60, { clock: realClock });
    expect(counts(today)).toEqual({ due: 1, emitted: 1, alreadyReminded: 0, skipped: 0 });
    expect(publisher.take().map((e) => [e.subscriptionId, e.thresholdDays])).toEqual([["o-1", 60]]);
  });

  it("an end date passed by the simulated clock and by the real clock leaves the index", async () => {
    const key = await oneTransfer([{ subscriptionId: "o-1", commitmentEndDate: END }]);
    await scan("9999-12-31T00:00:00Z", { clock: () => Date.parse("2026-07-01T00:00:00Z") });
    await expectOutOfIndex(key, "o-1");
  });

  it("thresholds longer than the term are skipped; an unknown term skips none", async () => {
    await oneTransfer([
      { subscriptionId: "monthly", commitmentEndDate: END, termDuration: "P1M" },
      { subscriptionId: "unknown", commitmentEndDate: END },
    ]);
    expect((await scan(AT_60)).emitted).toBe(1);
    expect(publisher.take().map((e) => [e.subscriptionId, e.thresholdDays])).toEqual([
      ["unknown", 60],
    ]);
    expect((await scan(AT_30)).emitted).toBe(2);
    expect(
      publisher
        .take()
        .map((e) => [e.subscriptionId, e.thresholdDays])
        .sort(),
    ).toEqual([
      ["monthly", 30],
      ["unknown", 30],
    ]);
  });

  it("time zones: an end date at 23:30 -05:00 belongs to the next UTC day", async () => {
    await oneTransfer([{ subscriptionId: "o-1", commitmentEndDate: "2026-06-29T23:30:00-05:00" }]);
    // 2026-06-30T04:30Z: 60 days from 1 May (UTC), not 59.
    await scan(AT_60);
    expect(publisher.take().map((e) => [e.thresholdDays, e.daysLeft])).toEqual([[60, 60]]);
  });

  it("an INELIGIBLE transfer gets no reminders", async () => {
    await oneTransfer([{ subscriptionId: "o-1", commitmentEndDate: END }], {
      partnerCountry: "US",
      customerCountry: "GB",
    });
    const result = await scan(AT_30);
    expect(counts(result)).toEqual({ due: 0, emitted: 0, alreadyReminded: 0, skipped: 0 });
    expect(publisher.events).toEqual([]);
  });

  it("a COMPLETED transfer gets no reminders", async () => {
    const key = newTransferKey("done");
    await store(
      db,
      tableName,
      invitationSent({
        ...key,
        subscriptions: [original({ subscriptionId: "o-1", commitmentEndDate: END })],
      }),
      provisioned({ ...key, subscriptionId: "n-1", replacesSubscriptionId: "o-1" }),
      ended({ ...key, subscriptionId: "o-1", reason: "expired", endedAt: "2026-05-20T00:00:00Z" }),
    );
    expect(counts(await scan(AT_30))).toEqual({
      due: 0,
      emitted: 0,
      alreadyReminded: 0,
      skipped: 0,
    });
    expect(publisher.events).toEqual([]);
  });

  it("an index entry left on a no-longer-remindable original is skipped and removed", async () => {
    const key = await oneTransfer([{ subscriptionId: "o-1", commitmentEndDate: END }], {
      partnerCountry: "US",
      customerCountry: "GB",
    });
    const pk = transferPk(key);
    // As if a handler had not removed it yet: put the entry back by hand.
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk, sk: "ORIGINAL#o-1" },
        UpdateExpression: "SET reminderShard = :s, reminderDue = :d",
        ExpressionAttributeValues: {
          ":s": reminderShardOf(pk, "o-1"),
          ":d": reminderDueKey("2026-05-01", pk, "o-1"),
        },
      }),
    );
    expect(counts(await scan(AT_30))).toEqual({
      due: 0,
      emitted: 0,
      alreadyReminded: 0,
      skipped: 1,
    });
    await expectOutOfIndex(key, "o-1");
  });

  it("a cancelled or expired original is no longer reminded", async () => {
    const key = await oneTransfer([
      { subscriptionId: "o-1", commitmentEndDate: END },
      { subscriptionId: "o-2", commitmentEndDate: END },
    ]);
    expect((await scan(AT_60)).emitted).toBe(2);
    publisher.take();
    await store(
      db,
      tableName,
      ended({
        ...key,
        subscriptionId: "o-1",
        reason: "cancelled",
        endedAt: "2026-05-10T00:00:00Z",
      }),
      ended({ ...key, subscriptionId: "o-2", reason: "expired", endedAt: "2026-05-10T00:00:00Z" }),
    );
    expect(counts(await scan(AT_30))).toEqual({
      due: 0,
      emitted: 0,
      alreadyReminded: 0,
      skipped: 0,
    });
    expect(publisher.events).toEqual([]);
  });

  it("a record change resets the index, and the scan skips the threshold already claimed", async () => {
    const key = await oneTransfer([{ subscriptionId: "o-1", commitmentEndDate: END }]);
    await scan(AT_30);
    expect(publisher.take().map((e) => e.thresholdDays)).toEqual([30]);
    await store(
      db,
      tableName,
      updated({ ...key, subscriptionId: "o-1", quantity: 11, updatedAt: "2026-05-31T07:00:00Z" }),
    );
    const again = await scan(AT_30);
    expect(counts(again)).toEqual({ due: 1, emitted: 0, alreadyReminded: 1, skipped: 0 });
    expect(publisher.events).toEqual([]);
    expect((await originalItem(db, tableName, key, "o-1"))?.reminderDue).toBe(
      reminderDueKey("2026-06-16", transferPk(key), "o-1"),
    );
  });

  it("a renewal to a new end date is reminded again at each threshold", async () => {
    const key = await oneTransfer([{ subscriptionId: "o-1", commitmentEndDate: END }]);
    await scan(AT_60);
    expect(publisher.take().map((e) => e.commitmentEndDate)).toEqual([END]);
    const renewedEnd = "2027-06-30T00:00:00Z";
    await store(
      db,
      tableName,
      updated({
        ...key,
        subscriptionId: "o-1",
        commitmentEndDate: renewedEnd,
        updatedAt: "2026-05-02T00:00:00Z",
      }),
    );
    await scan("2027-05-01T06:00:00Z");
    expect(publisher.take().map((e) => [e.commitmentEndDate, e.thresholdDays])).toEqual([
      [renewedEnd, 60],
    ]);
  });

  it("a correction of the end date across a UTC day boundary is the same expiry: no threshold twice", async () => {
    // 2026-06-30T00:00:00+02:00 is 29 June in UTC; the correction says 30 June.
    const key = await oneTransfer([
      { subscriptionId: "o-1", commitmentEndDate: "2026-06-30T00:00:00+02:00" },
    ]);
    await scan("2026-04-30T06:00:00Z");
    expect(publisher.take().map((e) => e.thresholdDays)).toEqual([60]);
    await store(
      db,
      tableName,
      updated({
        ...key,
        subscriptionId: "o-1",
        commitmentEndDate: "2026-06-30",
        updatedAt: "2026-04-30T07:00:00Z",
      }),
    );
    const again = await scan("2026-05-01T06:00:00Z");
    expect(counts(again)).toEqual({ due: 1, emitted: 0, alreadyReminded: 1, skipped: 0 });
    expect(publisher.events).toEqual([]);
    // The next threshold still comes, on the corrected date's schedule.
    await scan(AT_30);
    expect(publisher.take().map((e) => [e.thresholdDays, e.daysLeft])).toEqual([[30, 30]]);
  });

  it.each([
    { movedDays: 27, remindedAgain: false },
    { movedDays: 28, remindedAgain: true },
  ])(
    "an end date moved $movedDays days later: reminded again = $remindedAgain",
    async ({ movedDays, remindedAgain }) => {
      const key = await oneTransfer([{ subscriptionId: "o-1", commitmentEndDate: END }]);
      await scan(AT_60);
      expect(publisher.take().map((e) => e.thresholdDays)).toEqual([60]);
      const movedEnd = daysAfter(END, movedDays);
      await store(
        db,
        tableName,
        updated({
          ...key,
          subscriptionId: "o-1",
          commitmentEndDate: movedEnd,
          updatedAt: "2026-05-02T00:00:00Z",
        }),
      );
      // 60 days before the new end date.
      await scan(daysAfter(AT_60, movedDays));
      expect(publisher.take().map((e) => [e.commitmentEndDate, e.thresholdDays])).toEqual(
        remindedAgain ? [[movedEnd, 60]] : [],
      );
    },
  );
});
