/** One email per digest and one reminder per (subscription, threshold), whatever is retried or redelivered. */
import { randomUUID } from "node:crypto";
import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { EventValidationError } from "../../shared/events/index.js";
import { claimSk } from "../../shared/reminders/claims.js";
import { DIGEST_SK, digestPk } from "../../shared/reminders/digests.js";
import { runExpiryScan } from "../../shared/reminders/expiry-scan.js";
import {
  DigestRecordError,
  ReminderInFlightError,
  SEND_LEASE_MS,
} from "../../shared/reminders/notifier.js";
import { createNotifierHandler } from "../../shared/reminders/notifier-handler.js";
import {
  AT_60,
  claimStatus,
  db,
  END,
  envelope,
  mailbox,
  notifier,
  publisher,
  quietLogger,
  remindersOf,
  scan,
  ses,
  T0,
  tableName,
  transfer,
  useDigestHarness,
} from "./digest-harness.js";
import { daysAfter, THRESHOLDS } from "./support.js";

useDigestHarness();

describe("exactly once", () => {
  it("a duplicate delivery of a digest sends nothing; an Expiry Approaching is not the notifier's", async () => {
    const partner = mailbox();
    const key = await transfer(partner, [{ subscriptionId: "o-1", commitmentEndDate: END }]);
    const [digest] = await scan();
    const handler = createNotifierHandler({ notifier: notifier(), logger: quietLogger() });
    const ready = envelope("Reminder Digest Ready", { digestId: digest });
    const first = await handler(ready);
    const second = await handler({ ...ready, id: randomUUID() });
    expect([first.kind, second.kind]).toEqual(["sent", "duplicate"]);
    // The scan's own Expiry Approaching, delivered to the notifier late: refused, nothing sent.
    const [late] = publisher.take();
    await expect(handler(envelope("Expiry Approaching", late))).rejects.toBeInstanceOf(
      EventValidationError,
    );
    expect(await ses.mail(partner)).toHaveLength(1);
    expect(await remindersOf(key)).toEqual({ "o-1": [60] });
  });

  it("deliveries racing each other send one email; the losers finish as duplicates on retry", async () => {
    const partner = mailbox();
    await transfer(partner, [{ subscriptionId: "o-1", commitmentEndDate: END }]);
    const [digest] = await scan();
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => notifier().sendDigest(digest as string)),
    );
    expect(results.filter((r) => r.status === "fulfilled" && r.value.kind === "sent")).toHaveLength(
      1,
    );
    for (const r of results) {
      if (r.status === "rejected") expect(r.reason).toBeInstanceOf(ReminderInFlightError);
    }
    expect((await notifier().sendDigest(digest as string)).kind).toBe("duplicate");
    expect(await ses.mail(partner)).toHaveLength(1);
  });

  it("two concurrent scans, every digest delivered twice: each original in one email", async () => {
    const partner = mailbox();
    const key = await transfer(
      partner,
      Array.from({ length: 6 }, (_, i) => ({ subscriptionId: `o-${i}`, commitmentEndDate: END })),
    );
    await Promise.all([
      runExpiryScan({ db, tableName, publisher, thresholds: THRESHOLDS, now: AT_60, pageSize: 2 }),
      runExpiryScan({ db, tableName, publisher, thresholds: THRESHOLDS, now: AT_60, pageSize: 2 }),
    ]);
    const digests = publisher.takeDigests();
    for (const digest of [...digests, ...digests]) await notifier().sendDigest(digest);
    const mail = await ses.mail(partner);
    const listed = mail.flatMap((m) =>
      [...(m.body.text ?? "").matchAll(/Subscription: (o-\d)/g)].map((x) => x[1]),
    );
    expect(listed.sort()).toEqual(["o-0", "o-1", "o-2", "o-3", "o-4", "o-5"]);
    expect(Object.values(await remindersOf(key))).toEqual(Array(6).fill([60]));
  });

  it("a scan whose publish failed, then the next day's scan: one reminder, the most urgent", async () => {
    const partner = mailbox();
    const key = await transfer(partner, [{ subscriptionId: "o-1", commitmentEndDate: END }]);
    // 28 June: 2 days left, the 7-day threshold is claimed, but EventBridge is unreachable.
    publisher.failNext = new Error("EventBridge unreachable");
    await expect(scan("2026-06-28T06:00:00Z")).rejects.toThrow("EventBridge unreachable");

    // 29 June: the orphaned 7-day reminder is overtaken by the 1-day one.
    const digests = await scan("2026-06-29T06:00:00Z");
    for (const digest of digests)
      await notifier({ clock: () => Date.parse("2026-06-29T06:00:00Z") }).sendDigest(digest);

    const mail = await ses.mail(partner);
    expect(mail.map((m) => m.subject)).toEqual([
      "Fabrikam Ltd: Microsoft 365 Business Standard ends tomorrow",
    ]);
    expect(await remindersOf(key)).toEqual({ "o-1": [1] });
    expect(await claimStatus(key, claimSk("o-1", END, 7))).toBeUndefined();
  });

  it("dying between sending and recording sends the digest again once the lease expires (at least once)", async () => {
    const partner = mailbox();
    await transfer(partner, [{ subscriptionId: "o-1", commitmentEndDate: END }]);
    const [digest] = await scan();
    const crashingDb = {
      send: async (command: unknown) => {
        if (
          command instanceof UpdateCommand &&
          String(command.input.UpdateExpression).includes("sentRows")
        ) {
          throw new Error("process died");
        }
        return db.send(command as never);
      },
    } as unknown as typeof db;
    await expect(notifier({ db: crashingDb }).sendDigest(digest as string)).rejects.toThrow(
      "process died",
    );
    expect(await ses.mail(partner)).toHaveLength(1);
    await expect(
      notifier({ clock: () => T0 + 1_000 }).sendDigest(digest as string),
    ).rejects.toBeInstanceOf(ReminderInFlightError);
    const retry = await notifier({ clock: () => T0 + SEND_LEASE_MS + 1 }).sendDigest(
      digest as string,
    );
    expect(retry.kind).toBe("sent");
    expect(await ses.mail(partner)).toHaveLength(2);
    expect((await notifier().sendDigest(digest as string)).kind).toBe("duplicate");
  });

  it("a fault recording one row: no email again, the retry records the rows not yet recorded", async () => {
    const partner = mailbox();
    const key = await transfer(partner, [
      { subscriptionId: "o-1", commitmentEndDate: END },
      { subscriptionId: "o-2", commitmentEndDate: END },
      { subscriptionId: "o-3", commitmentEndDate: END },
    ]);
    const [digest] = await scan();
    let transactions = 0;
    const faultyDb = {
      send: async (command: unknown) => {
        if (command instanceof TransactWriteCommand && ++transactions === 2) {
          throw Object.assign(new Error("access denied"), { name: "AccessDeniedException" });
        }
        return db.send(command as never);
      },
    } as unknown as typeof db;
    await expect(notifier({ db: faultyDb }).sendDigest(digest as string)).rejects.toBeInstanceOf(
      DigestRecordError,
    );
    const partly = Object.values(await remindersOf(key)).flat();
    expect(partly).toEqual([60, 60]);

    expect((await notifier().sendDigest(digest as string)).kind).toBe("duplicate");
    expect(await ses.mail(partner)).toHaveLength(1);
    expect(await remindersOf(key)).toEqual({ "o-1": [60], "o-2": [60], "o-3": [60] });
    const stored = await db.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: digestPk(digest as string), sk: DIGEST_SK },
      }),
    );
    expect(stored.Item).toMatchObject({ status: "SENT", rowsRecorded: true, sentRows: [0, 1, 2] });
  });
});

describe("the digest item", () => {
  it("leaves the reminder index once handed to the notifier", async () => {
    const partner = mailbox();
    await transfer(partner, [{ subscriptionId: "o-1", commitmentEndDate: daysAfter(AT_60, 7) }]);
    const [digest] = await scan();
    const stored = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": digestPk(digest as string) },
        ConsistentRead: true,
      }),
    );
    expect(stored.Items).toHaveLength(1);
    expect(stored.Items?.[0]).toMatchObject({ status: "EMITTED", rows: [expect.any(Object)] });
    expect(stored.Items?.[0]).not.toHaveProperty("reminderDue");
  });
});
