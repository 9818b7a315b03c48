import { Logger } from "@aws-lambda-powertools/logger";
import { describe, expect, it, vi } from "vitest";
import { createNotifierHandler } from "../../shared/reminders/notifier-handler.js";
import { ended } from "../support/events.js";
import {
  db,
  END,
  envelope,
  mailbox,
  notifier,
  quietLogger,
  remindersOf,
  scan,
  ses,
  tableName,
  transfer,
  useDigestHarness,
} from "./digest-harness.js";
import { store } from "./support.js";

useDigestHarness();

describe("the notifier trusts only the store", () => {
  it("a digest event naming no stored digest sends nothing and is logged", async () => {
    const logger = quietLogger();
    const warn = vi.spyOn(logger, "warn");
    const handler = createNotifierHandler({ notifier: notifier(), logger });
    const outcome = await handler(envelope("Reminder Digest Ready", { digestId: "forged.0.1" }));
    expect(outcome).toEqual({ kind: "skipped", reason: "unknownDigest" });
    expect(warn).toHaveBeenCalledWith("no stored digest has this id: nothing sent");
    expect(await ses.mail()).not.toContainEqual(
      expect.objectContaining({ subject: expect.stringContaining("forged") }),
    );
  });

  it("a claim naming a threshold that is not configured is not sent", async () => {
    const partner = mailbox();
    const key = await transfer(partner, [{ subscriptionId: "o-1", commitmentEndDate: END }]);
    const [digest] = await scan();
    // The same digest read by a notifier configured without the 60-day threshold.
    const outcome = await notifier({ thresholds: [30, 14, 7, 1] }).sendDigest(digest as string);
    expect(outcome).toMatchObject({ kind: "skipped", reason: "nothingToSend", dropped: 1 });
    expect(await ses.mail(partner)).toEqual([]);
    expect(await remindersOf(key)).toEqual({ "o-1": [] });
  });
});

describe("logs", () => {
  it("at INFO carry the digest id and counts, never the partner's address or a customer's name", async () => {
    const partner = mailbox();
    const key = await transfer(
      partner,
      [
        { subscriptionId: "o-1", commitmentEndDate: END },
        { subscriptionId: "o-2", commitmentEndDate: END },
      ],
      { customerName: "Very Private Customer GmbH" },
    );
    const [digest] = await scan();
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
    const lines: string[] = [];
    const capture = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, "write").mockImplementation(capture);
    vi.spyOn(process.stderr, "write").mockImplementation(capture);
    try {
      const logger = new Logger({ serviceName: "privacy-test", logLevel: "INFO" });
      const handler = createNotifierHandler({ notifier: notifier({ logger }), logger });
      await handler(envelope("Reminder Digest Ready", { digestId: digest }));
    } finally {
      vi.restoreAllMocks();
    }
    const logs = lines.join("");
    expect(logs).toContain(digest);
    expect(logs).toContain("originalEnded");
    expect(logs).not.toContain(partner);
    expect(logs).not.toContain("Very Private Customer");
  });
});
