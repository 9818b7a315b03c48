/** The expiry scan under concurrency, contention, failures and deadlines, against DynamoDB Local. */
import { GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { claimSk } from "../../shared/reminders/claims.js";
import { scanClockOf } from "../../shared/reminders/expiry-scan.js";
import { transferPk } from "../../shared/store/keys.js";
import { ended } from "../support/events.js";
import {
  AT_60,
  counts,
  db,
  END,
  oneTransfer,
  publisher,
  scan,
  tableName,
  useScanHarness,
} from "./scan-harness.js";
import { daysAfter, store } from "./support.js";

useScanHarness();

describe("expiry scan: concurrent, interrupted and time-limited runs", () => {
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
