/**
 * A crash loses no reminder (SPEC section 4): a digest whose sender died after taking the send
 * lease is sent by a retry once the lease has expired, or — every retry spent — by the next scan;
 * a retry or a redrive of a digest already taken over or recorded SENT sends nothing.
 */
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { DIGEST_SK, digestPk } from "../../shared/reminders/digests.js";
import { ReminderInFlightError, SEND_LEASE_MS } from "../../shared/reminders/notifier.js";
import { createNotifierHandler } from "../../shared/reminders/notifier-handler.js";
import {
  AT_60,
  db,
  END,
  envelope,
  mailbox,
  notifier,
  quietLogger,
  remindersOf,
  scan,
  ses,
  T0,
  tableName,
  transfer,
  useDigestHarness,
} from "./digest-harness.js";

useDigestHarness();

const NEXT_DAY = "2026-05-02T06:00:00Z";

/** A DynamoDB client whose process "dies" as the digest is about to be recorded SENT. */
const dyingAfterSes = () =>
  ({
    send: async (command: unknown) => {
      if (
        command instanceof UpdateCommand &&
        String(command.input.UpdateExpression).includes("sentRows")
      ) {
        throw new Error("process died");
      }
      return db.send(command as never);
    },
  }) as unknown as typeof db;

/** A partner with one due original, its digest left SENDING by a sender killed after SES. */
async function interruptedDigest() {
  const partner = mailbox();
  const key = await transfer(partner, [{ subscriptionId: "o-1", commitmentEndDate: END }]);
  const [digest] = await scan();
  await expect(notifier({ db: dyingAfterSes() }).sendDigest(digest as string)).rejects.toThrow(
    "process died",
  );
  expect(await ses.mail(partner)).toHaveLength(1);
  return { partner, key, digest: digest as string };
}

async function digestItem(digestId: string) {
  const { Item } = await db.send(
    new GetCommand({
      TableName: tableName,
      Key: { pk: digestPk(digestId), sk: DIGEST_SK },
      ConsistentRead: true,
    }),
  );
  return Item as Record<string, unknown> | undefined;
}

describe("a sender killed after taking the lease", () => {
  it("a retry meeting the live lease is told when it expires", async () => {
    const { digest } = await interruptedDigest();
    const error = await notifier({ clock: () => T0 + 1_000 })
      .sendDigest(digest)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReminderInFlightError);
    const retryAfterMs = (error as ReminderInFlightError).retryAfterMs;
    expect(retryAfterMs).toBeGreaterThan(SEND_LEASE_MS - 1_000);
    expect(retryAfterMs).toBeLessThan(SEND_LEASE_MS);
  });

  it("every retry spent: the next scan sends it, and a late retry or a redrive sends nothing more", async () => {
    const { partner, key, digest } = await interruptedDigest();
    for (let retry = 1; retry <= 3; retry++) {
      await expect(
        notifier({ clock: () => T0 + retry * 1_000 }).sendDigest(digest),
      ).rejects.toBeInstanceOf(ReminderInFlightError);
    }

    const [recovered, ...more] = await scan(NEXT_DAY);
    expect(more).toEqual([]);
    const nextDay = notifier({ clock: () => Date.parse(NEXT_DAY) });
    expect((await nextDay.sendDigest(recovered as string)).kind).toBe("sent");
    // SES had accepted the first one before the kill: the one duplicate a crash may cause.
    expect(await ses.mail(partner)).toHaveLength(2);
    expect(await remindersOf(key)).toEqual({ "o-1": [60] });

    const handler = createNotifierHandler({ notifier: nextDay, logger: quietLogger() });
    const redrive = envelope("Reminder Digest Ready", { digestId: digest });
    expect(await handler(redrive)).toEqual({ kind: "skipped", reason: "superseded" });
    const again = envelope("Reminder Digest Ready", { digestId: recovered });
    expect(await handler(again)).toEqual({ kind: "duplicate" });
    expect(await ses.mail(partner)).toHaveLength(2);
    expect(await remindersOf(key)).toEqual({ "o-1": [60] });
  });

  it("a scan while the lease is live leaves the digest to its sender", async () => {
    const { digest } = await interruptedDigest();
    expect(await scan(AT_60, T0 + 1_000)).toEqual([]);
    expect(await digestItem(digest)).toMatchObject({ status: "SENDING" });
    expect((await notifier({ clock: () => T0 + SEND_LEASE_MS + 1 }).sendDigest(digest)).kind).toBe(
      "sent",
    );
  });

  it("a digest recorded SENT leaves the index: later scans take nothing over", async () => {
    const partner = mailbox();
    await transfer(partner, [{ subscriptionId: "o-1", commitmentEndDate: END }]);
    const [digest] = await scan();
    expect((await notifier().sendDigest(digest as string)).kind).toBe("sent");
    expect(await digestItem(digest as string)).not.toHaveProperty("reminderDue");
    expect(await scan(NEXT_DAY)).toEqual([]);
    expect(await ses.mail(partner)).toHaveLength(1);
  });
});

describe("a send that failed at SES, every retry spent", () => {
  it("the next scan sends its reminders; the dead letter's redrive sends nothing", async () => {
    const partner = mailbox();
    const key = await transfer(partner, [{ subscriptionId: "o-1", commitmentEndDate: END }]);
    const [digest] = await scan();
    const failingSes = {
      send: async () => {
        throw Object.assign(new Error("Service unavailable"), { name: "ServiceUnavailable" });
      },
    };
    for (let retry = 0; retry < 3; retry++) {
      await expect(notifier({ ses: failingSes }).sendDigest(digest as string)).rejects.toThrow(
        "Service unavailable",
      );
    }
    const [recovered] = await scan(NEXT_DAY);
    const nextDay = notifier({ clock: () => Date.parse(NEXT_DAY) });
    expect((await nextDay.sendDigest(recovered as string)).kind).toBe("sent");
    expect(await nextDay.sendDigest(digest as string)).toEqual({
      kind: "skipped",
      reason: "superseded",
    });
    expect(await ses.mail(partner)).toHaveLength(1);
    expect(await remindersOf(key)).toEqual({ "o-1": [60] });
  });
});
