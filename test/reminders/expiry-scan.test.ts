/** The expiry scan against a real DynamoDB Local table (one fresh table per test). */
import { GetCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { beforeEach, describe, expect, it } from "vitest";
import { claimSk } from "../../shared/reminders/claims.js";
import {
  type ExpiryScanOptions,
  runExpiryScan,
  scanClockOf,
} from "../../shared/reminders/expiry-scan.js";
import { reminderDueKey, reminderShardOf, transferPk } from "../../shared/store/keys.js";
import { freshTable } from "../support/dynamo.js";
import {
  ended,
  invitationSent,
  newTransferKey,
  original,
  provisioned,
  updated,
} from "../support/events.js";
import { CapturingPublisher, daysAfter, originalItem, store, THRESHOLDS } from "./support.js";

const END = "2026-06-30T00:00:00Z";
const AT_60 = "2026-05-01T06:00:00Z";
const AT_30 = "2026-05-31T06:00:00Z";

let db: Awaited<ReturnType<typeof freshTable>>["db"];
let tableName: string;
let publisher: CapturingPublisher;

beforeEach(async () => {
  ({ db, tableName } = await freshTable("scan"));
  publisher = new CapturingPublisher();
});

const scan = (now: string, extra: Partial<ExpiryScanOptions> = {}) =>
  runExpiryScan({ db, tableName, publisher, thresholds: THRESHOLDS, now, ...extra });

const counts = (r: Awaited<ReturnType<typeof scan>>) => ({
  due: r.due,
  emitted: r.emitted,
  alreadyReminded: r.alreadyReminded,
  skipped: r.skipped,
});

/** The original item is still there, and out of the reminder index (not merely missing). */
async function expectOutOfIndex(key: { partnerId: string; customerTenantId: string }, id: string) {
  const item = await originalItem(db, tableName, key, id);
  expect(item).toMatchObject({ subscriptionId: id, itemType: "ORIGINAL" });
  expect(item).not.toHaveProperty("reminderDue");
  expect(item).not.toHaveProperty("reminderShard");
}

async function oneTransfer(subs: Parameters<typeof original>[0][], detail = {}) {
  const key = newTransferKey("scan");
  await store(
    db,
    tableName,
    invitationSent({ ...key, subscriptions: subs.map((s) => original(s)), ...detail }),
  );
  return key;
}

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
    const result = await scan("2026-07-01T00:00:00Z");
    expect(counts(result)).toEqual({ due: 0, emitted: 0, alreadyReminded: 0, skipped: 1 });
    expect(publisher.events).toEqual([]);
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

  it("two scans running at once emit one event per original", async () => {
    const subs = Array.from({ length: 30 }, (_, i) => ({
      subscriptionId: `o-${i}`,
      commitmentEndDate: END,
    }));
    await oneTransfer(subs.slice(0, 15));
    await oneTransfer(subs.slice(15));
    const [a, b] = await Promise.all([scan(AT_60, { pageSize: 3 }), scan(AT_60, { pageSize: 3 })]);
    expect(a.emitted + b.emitted).toBe(30);
    const keys = publisher.events.map((e) => `${e.partnerId}/${e.subscriptionId}`);
    expect(new Set(keys).size).toBe(30);
    expect(keys).toHaveLength(30);
    expect(a.emitted + a.alreadyReminded).toBe(a.due);
    expect(b.emitted + b.alreadyReminded).toBe(b.due);
  });

  it("the scan reads about as many items as are due, not the table", async () => {
    await oneTransfer(
      Array.from({ length: 40 }, (_, i) => ({
        subscriptionId: `later-${i}`,
        commitmentEndDate: daysAfter(AT_60, 100 + i),
      })),
    );
    await oneTransfer(
      Array.from({ length: 5 }, (_, i) => ({
        subscriptionId: `due-${i}`,
        commitmentEndDate: daysAfter(AT_60, 10 + i),
      })),
    );
    const result = await scan(AT_60);
    expect(result.due).toBe(5);
    expect(result.itemsRead).toBe(5);
  });

  it("a handler's write between the scan's read and its claim wins: no reminder for an ended original", async () => {
    const key = await oneTransfer([{ subscriptionId: "o-1", commitmentEndDate: END }]);
    let interfered = false;
    const racingDb = {
      send: async (command: unknown) => {
        if (command instanceof TransactWriteCommand && !interfered) {
          interfered = true;
          await store(
            db,
            tableName,
            ended({
              ...key,
              subscriptionId: "o-1",
              reason: "cancelled",
              endedAt: "2026-05-01T05:00:00Z",
            }),
          );
        }
        return db.send(command as never);
      },
    } as unknown as typeof db;
    const result = await scan(AT_60, { db: racingDb });
    expect(interfered).toBe(true);
    expect(counts(result)).toEqual({ due: 0, emitted: 0, alreadyReminded: 0, skipped: 0 });
    expect(publisher.events).toEqual([]);
  });

  it("a scan whose publish failed hands its digest over at once: the retried scan sends it", async () => {
    const key = await oneTransfer([{ subscriptionId: "o-1", commitmentEndDate: END }]);
    const start = Date.parse("2026-05-01T06:00:00Z");
    publisher.failNext = new Error("EventBridge unreachable");
    await expect(scan(AT_60, { clock: () => start })).rejects.toThrow("EventBridge unreachable");
    expect(publisher.events).toEqual([]);

    const retried = await scan(AT_60, { clock: () => start + 1_000 });
    expect(counts(retried)).toEqual({ due: 1, emitted: 1, alreadyReminded: 0, skipped: 0 });
    expect(publisher.take()).toMatchObject([{ ...key, subscriptionId: "o-1", thresholdDays: 60 }]);
    expect(publisher.takeDigests()).toHaveLength(1);
    expect((await scan(AT_60, { clock: () => start + 2_000 })).emitted).toBe(0);
  });

  it("a claim whose scan died before publishing is re-emitted by a later scan after the grace period", async () => {
    const key = await oneTransfer([{ subscriptionId: "o-1", commitmentEndDate: END }]);
    const start = Date.parse("2026-05-01T06:00:00Z");
    // The process dies when EventBridge fails: it can write nothing more (no hand-over).
    let dead = false;
    const dyingDb = {
      send: async (command: unknown) => {
        if (dead) throw new Error("process died");
        return db.send(command as never);
      },
    } as unknown as typeof db;
    const dyingPublisher = {
      publish: async () => {
        dead = true;
        throw new Error("EventBridge unreachable");
      },
    };
    await expect(
      scan(AT_60, { clock: () => start, db: dyingDb, publisher: dyingPublisher }),
    ).rejects.toThrow("EventBridge unreachable");

    // Within the grace period the claim may still be in flight: left alone.
    const soon = await scan(AT_60, { clock: () => start + 60_000 });
    expect(counts(soon)).toEqual({ due: 0, emitted: 0, alreadyReminded: 0, skipped: 0 });

    const later = await scan("2026-05-02T06:00:00Z", { clock: () => start + 10 * 60_000 });
    expect(counts(later)).toEqual({ due: 1, emitted: 1, alreadyReminded: 0, skipped: 0 });
    expect(publisher.take()).toMatchObject([
      { ...key, subscriptionId: "o-1", thresholdDays: 60, daysLeft: 59 },
    ]);
    const once = await scan("2026-05-02T06:00:00Z", { clock: () => start + 20 * 60_000 });
    expect(once.emitted).toBe(0);
  });

  it("an orphaned claim of an original that ended meanwhile is dropped, not emitted", async () => {
    const key = await oneTransfer([{ subscriptionId: "o-1", commitmentEndDate: END }]);
    const start = Date.parse("2026-05-01T06:00:00Z");
    publisher.failNext = new Error("EventBridge unreachable");
    await expect(scan(AT_60, { clock: () => start })).rejects.toThrow();
    await store(
      db,
      tableName,
      ended({
        ...key,
        subscriptionId: "o-1",
        reason: "cancelled",
        endedAt: "2026-05-01T07:00:00Z",
      }),
    );
    const later = await scan(AT_60, { clock: () => start + 10 * 60_000 });
    expect(counts(later)).toEqual({ due: 0, emitted: 0, alreadyReminded: 0, skipped: 1 });
    expect(publisher.events).toEqual([]);
    const claim = await db.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: transferPk(key), sk: claimSk("o-1", END, 60) },
        ConsistentRead: true,
      }),
    );
    expect(claim.Item).toBeUndefined();
  });

  it("stops at its deadline and the next run continues where the index left off", async () => {
    await oneTransfer(
      Array.from({ length: 40 }, (_, i) => ({ subscriptionId: `o-${i}`, commitmentEndDate: END })),
    );
    // A clock that advances one tick per reading: the deadline falls after a few pages.
    let tick = Date.parse("2026-05-01T06:00:00Z");
    const clock = () => tick++;
    const first = await scan(AT_60, { clock, deadline: tick + 40, pageSize: 2 });
    expect(first.complete).toBe(false);
    expect(first.emitted).toBeLessThan(40);
    const second = await scan(AT_60, { clock });
    expect(second.complete).toBe(true);
    expect(first.emitted + second.emitted).toBe(40);
    expect(new Set(publisher.events.map((e) => e.subscriptionId)).size).toBe(40);
  });
});

describe("the scan's clock", () => {
  it.each([
    { event: { time: "2026-05-01T06:00:00Z" }, expected: "2026-05-01T06:00:00Z" },
    { event: { now: "2026-05-02" }, expected: "2026-05-02" },
    { event: {}, expected: "fallback" },
    { event: { time: "not a date" }, expected: "fallback" },
    { event: undefined, expected: "fallback" },
  ])("$event -> $expected", ({ event, expected }) => {
    expect(scanClockOf(event, () => "fallback")).toBe(expected);
  });
});
