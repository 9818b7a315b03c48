/**
 * Reminder digests end to end: the real scan, the real notifier, real DynamoDB Local (a fresh
 * table per test) and the real local SES (aws-ses-v2-local, SES v2 with attachments), whose
 * `/store` is read back. aws-sdk-client-mock is used only for SES throttling.
 */

import { randomUUID } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import ical from "node-ical";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { expiryUid } from "../../shared/calendar/expiry-calendar.js";
import { EventValidationError, SOURCES } from "../../shared/events/index.js";
import { claimSk } from "../../shared/reminders/claims.js";
import { DIGEST_SK, digestPk } from "../../shared/reminders/digests.js";
import { runExpiryScan } from "../../shared/reminders/expiry-scan.js";
import {
  createNotifierHandler,
  DigestRecordError,
  type NotifierOptions,
  ReminderInFlightError,
  ReminderNotifier,
  SEND_LEASE_MS,
} from "../../shared/reminders/notifier.js";
import { transferPk } from "../../shared/store/keys.js";
import { readTransferView } from "../../shared/store/transfer-read.js";
import { freshTable } from "../support/dynamo.js";
import { ended, invitationSent, newTransferKey, original, provisioned } from "../support/events.js";
import {
  CapturingPublisher,
  calendarOf,
  daysAfter,
  type LocalSes,
  startLocalSes,
  store,
  storeLegacy,
  THRESHOLDS,
} from "./support.js";

const END = "2026-06-30T00:00:00Z";
const AT_60 = "2026-05-01T06:00:00Z";
const T0 = Date.parse(AT_60);
const DAY_MS = 86_400_000;
const SENDER = "reminders@csp-transfers.example";

let db: Awaited<ReturnType<typeof freshTable>>["db"];
let tableName: string;
let ses: LocalSes;
let publisher: CapturingPublisher;

beforeAll(async () => {
  ses = await startLocalSes();
});

beforeEach(async () => {
  ({ db, tableName } = await freshTable("digest"));
  publisher = new CapturingPublisher();
});

afterAll(async () => {
  await ses?.stop();
});

const notifier = (extra: Partial<NotifierOptions> = {}) =>
  new ReminderNotifier({
    db,
    tableName,
    ses: ses.client,
    senderEmail: SENDER,
    thresholds: THRESHOLDS,
    clock: () => T0,
    ...extra,
  });

const mailbox = () => `partner-${randomUUID().slice(0, 8)}@partner.example`;

/** A stored transfer for a partner address; returns its key. */
async function transfer(
  partnerEmail: string,
  subs: Parameters<typeof original>[0][],
  detail: Record<string, unknown> = {},
) {
  const key = newTransferKey("mail");
  await store(
    db,
    tableName,
    invitationSent({
      ...key,
      partnerEmail,
      subscriptions: subs.map((s) => original(s)),
      ...detail,
    }),
  );
  return key;
}

/** Runs the real scan (wall clock = the scan's clock) and returns the digests it formed. */
async function scan(now = AT_60, clock = Date.parse(now)): Promise<string[]> {
  await runExpiryScan({
    db,
    tableName,
    publisher,
    thresholds: THRESHOLDS,
    now,
    clock: () => clock,
  });
  return publisher.takeDigests();
}

function envelope(detailType: string, detail: unknown) {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": detailType,
    source: SOURCES.tracker,
    account: "123456789012",
    time: AT_60,
    region: "eu-west-1",
    resources: [],
    detail,
  };
}

const quietLogger = () => new Logger({ serviceName: "test", logLevel: "ERROR" });

async function remindersOf(key: { partnerId: string; customerTenantId: string }) {
  const view = await readTransferView(db, tableName, key);
  return Object.fromEntries(
    (view?.subscriptions ?? []).map((s) => [
      s.subscriptionId,
      s.reminders.map((r) => r.thresholdDays),
    ]),
  );
}

async function claimStatus(key: { partnerId: string; customerTenantId: string }, sk: string) {
  const result = await db.send(
    new GetCommand({
      TableName: tableName,
      Key: { pk: transferPk(key), sk },
      ConsistentRead: true,
    }),
  );
  return result.Item?.status as string | undefined;
}

describe("one digest per partner address per scan run", () => {
  it("lists every due original of all the partner's transfers, grouped by customer, soonest first, with the calendar file", async () => {
    // Prepare: two transfers of one partner address (three due originals), one of another.
    const partner = mailbox();
    const other = mailbox();
    const contoso = await transfer(
      partner,
      [
        {
          subscriptionId: "c-late",
          commitmentEndDate: "2026-06-30T00:00:00Z",
          offerName: "Teams Essentials",
        },
        {
          subscriptionId: "c-soon",
          commitmentEndDate: "2026-05-20T00:00:00Z",
          offerName: "Exchange Online",
        },
      ],
      { customerName: "Contoso Pharma" },
    );
    const fabrikam = await transfer(
      partner,
      [{ subscriptionId: "f-1", commitmentEndDate: "2026-05-11T00:00:00Z", quantity: 25 }],
      { customerName: "Fabrikam Ltd" },
    );
    await transfer(other, [{ subscriptionId: "x-1", commitmentEndDate: END }]);

    // Act
    const digests = await scan();
    const outcomes = await Promise.all(digests.map((d) => notifier().sendDigest(d)));

    // Assess: one email each; Fabrikam (ends 11 May) before Contoso (20 May, then 30 June).
    expect(outcomes.map((o) => o.kind)).toEqual(["sent", "sent"]);
    const [email, ...rest] = await ses.mail(partner);
    expect(rest).toEqual([]);
    expect(await ses.mail(other)).toHaveLength(1);
    expect(email?.from).toBe(SENDER);
    expect(email?.subject).toBe(
      "Fabrikam Ltd: Microsoft 365 Business Standard ends in 10 days (+2 more)",
    );
    const text = email?.body.text ?? "";
    const order = ["Fabrikam Ltd", "f-1", "Contoso Pharma", "c-soon", "c-late"].map((s) =>
      text.indexOf(s),
    );
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).toContain("Ends: 2026-05-11 (UTC), in 10 days");
    expect(text).toContain("Replacement: No replacement yet");
    expect(email?.body.html).toContain("<table");
    expect(email?.body.html).not.toMatch(/<script|<img|<link|src=|url\(/i);

    // The calendar: one all-day event per original on its end date, UID per (subscription, date).
    const calendar = ical.sync.parseICS(calendarOf(email as NonNullable<typeof email>));
    const events = Object.values(calendar).filter((c) => c?.type === "VEVENT");
    expect(events).toHaveLength(3);
    const f1 = calendar[expiryUid("f-1", "2026-05-11T00:00:00Z")];
    if (f1?.type !== "VEVENT") throw new Error("f-1 event missing");
    expect(f1.datetype).toBe("date");
    expect(f1.start.toISOString()).toBe("2026-05-11T00:00:00.000Z");
    expect(f1.summary).toBe("Fabrikam Ltd: Microsoft 365 Business Standard ends");
    expect(f1.description).toContain("Provision the same offer");
    expect(email?.attachments[0]?.contentType).toMatch(/^text\/calendar/);

    // Every reminder recorded once, on its own transfer.
    expect(await remindersOf(contoso)).toEqual({ "c-late": [60], "c-soon": [30] });
    expect(await remindersOf(fabrikam)).toEqual({ "f-1": [14] });
    expect(await claimStatus(fabrikam, claimSk("f-1", "2026-05-11", 14))).toBe("SENT");
  });

  it("splits only past 200 originals", async () => {
    const partner = mailbox();
    await transfer(
      partner,
      Array.from({ length: 201 }, (_, i) => ({
        subscriptionId: `o-${String(i).padStart(3, "0")}`,
        commitmentEndDate: END,
      })),
    );
    const digests = await scan();
    for (const digest of digests) await notifier().sendDigest(digest);
    const mail = await ses.mail(partner);
    const counts = mail
      .map((m) => (m.body.text?.match(/^\* /gm) ?? []).length)
      .sort((a, b) => a - b);
    expect(counts).toEqual([1, 200]);
  }, 60_000);
});

describe("what the digest says follows the store", () => {
  it("advice follows the warnings: seats short, another offer, discontinued, auto-renew on", async () => {
    // Prepare
    const partner = mailbox();
    const key = await transfer(partner, [
      { subscriptionId: "short", commitmentEndDate: END, quantity: 25 },
      {
        subscriptionId: "other",
        commitmentEndDate: END,
        offerId: "offer-e3",
        offerName: "Office 365 E3",
      },
      {
        subscriptionId: "gone",
        commitmentEndDate: END,
        offerId: "offer-e1",
        offerName: "Office 365 E1",
        offerDiscontinued: true,
      },
      { subscriptionId: "renews", commitmentEndDate: END, autoRenewEnabled: true },
      { subscriptionId: "fine", commitmentEndDate: END },
    ]);
    await store(
      db,
      tableName,
      provisioned({
        ...key,
        subscriptionId: "n-short",
        quantity: 20,
        replacesSubscriptionId: "short",
      }),
      provisioned({
        ...key,
        subscriptionId: "n-other",
        offerId: "offer-e5",
        quantity: 10,
        replacesSubscriptionId: "other",
      }),
      provisioned({ ...key, subscriptionId: "n-fine", replacesSubscriptionId: "fine" }),
    );

    // Act
    for (const digest of await scan()) await notifier().sendDigest(digest);

    // Assess
    const [email] = await ses.mail(partner);
    const text = email?.body.text ?? "";
    const section = (id: string) => {
      const start = text.indexOf(`  Subscription: ${id}\n`);
      const end = text.indexOf("\n\n", start);
      return text.slice(text.lastIndexOf("* ", start), end);
    };
    expect(section("short")).toContain(
      "Provision the missing 5 seats on the replacement before 2026-06-30",
    );
    expect(section("short")).toContain("Seat count differs (expected 25, actual 20)");
    expect(section("short")).not.toContain("end users continue on the replacement");
    expect(section("other")).toContain(
      "reassign users' licenses from the original to the replacement",
    );
    expect(section("other")).toContain("Offer differs");
    expect(section("other")).not.toContain("end users continue on the replacement");
    expect(section("gone")).toContain("is discontinued: find an equivalent offer");
    expect(section("gone")).not.toContain("Provision the same offer");
    expect(section("renews")).toContain("Turn auto-renew off on the original before 2026-06-30");
    expect(section("renews")).toContain("Auto-renew is on");
    expect(section("renews")).toContain("Provision the same offer");
    expect(section("fine")).toContain(
      "Replacement: n-fine (offer offer-m365-business-standard, 10 seats)",
    );
    expect(section("fine")).toContain("end users continue on the replacement");
    expect(section("fine")).toContain(
      "Do not cancel the original: cancelling gives the customer no refund",
    );
    expect(section("fine")).not.toContain("Warnings:");
    expect(email?.body.html).toContain("Provision the missing 5 seats");
  });

  it("days left are counted at sending time, and a late delivery after the end date sends nothing", async () => {
    const partner = mailbox();
    const key = await transfer(partner, [
      { subscriptionId: "o-1", commitmentEndDate: END },
      { subscriptionId: "o-2", commitmentEndDate: "2026-05-03T00:00:00Z" },
    ]);
    const [digest] = await scan();

    // Delivered three days after the scan: o-1 has 57 days left; o-2 ended on 3 May.
    const outcome = await notifier({ clock: () => T0 + 3 * DAY_MS }).sendDigest(digest as string);

    expect(outcome).toMatchObject({ kind: "sent", rows: 1, dropped: 1 });
    const [email] = await ses.mail(partner);
    expect(email?.subject).toBe("Fabrikam Ltd: Microsoft 365 Business Standard ends in 57 days");
    expect(email?.body.text).not.toContain("o-2");
    expect(await remindersOf(key)).toEqual({ "o-1": [60], "o-2": [] });
    // Nothing was sent for o-2: its claim is gone, so a later change can claim it afresh.
    expect(await claimStatus(key, claimSk("o-2", "2026-05-03", 1))).toBeUndefined();
  });

  it("an original cancelled after the scan is left out; the others are sent", async () => {
    const partner = mailbox();
    const key = await transfer(partner, [
      { subscriptionId: "o-1", commitmentEndDate: END },
      { subscriptionId: "o-2", commitmentEndDate: END },
    ]);
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
    const outcome = await notifier().sendDigest(digest as string);
    expect(outcome).toMatchObject({ kind: "sent", rows: 1, dropped: 1 });
    const [email] = await ses.mail(partner);
    expect(email?.subject).toBe("Fabrikam Ltd: Microsoft 365 Business Standard ends in 60 days");
    expect(email?.body.text).toContain("Subscription: o-2");
    expect(email?.body.text).not.toContain("Subscription: o-1");
  });

  it("a new partner address after the scan: nothing to the old one; the next scan writes to the new one", async () => {
    const oldAddress = mailbox();
    const newAddress = mailbox();
    const key = await transfer(oldAddress, [{ subscriptionId: "o-1", commitmentEndDate: END }]);
    const [digest] = await scan();
    await store(
      db,
      tableName,
      invitationSent({
        ...key,
        partnerEmail: newAddress,
        sentAt: "2026-05-01T06:30:00Z",
        subscriptions: [original({ subscriptionId: "o-1", commitmentEndDate: END })],
      }),
    );
    expect(await notifier().sendDigest(digest as string)).toMatchObject({
      kind: "skipped",
      reason: "nothingToSend",
      dropped: 1,
    });
    for (const next of await scan(AT_60, T0 + 10 * 60_000)) await notifier().sendDigest(next);
    expect(await ses.mail(oldAddress)).toEqual([]);
    expect(await ses.mail(newAddress)).toHaveLength(1);
  });

  it("hostile names: escaped in HTML, no control or bidi characters in the subject and text, intact in the calendar", async () => {
    const partner = mailbox();
    const customerName = `<script>alert("x")</script> A\u001b[2J;B,C\u0000\u202eevil`;
    const offerName = `O'Brien & <b>Co</b>; "Plan", 1\nline`;
    await storeLegacy(
      db,
      tableName,
      invitationSent({
        ...newTransferKey("mail"),
        partnerEmail: partner,
        customerName,
        subscriptions: [original({ subscriptionId: "s;1,<i>", commitmentEndDate: END, offerName })],
      }),
    );
    for (const digest of await scan()) await notifier().sendDigest(digest);
    const [email] = await ses.mail(partner);
    const html = email?.body.html ?? "";
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<b>Co</b>");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).toContain("O&#39;Brien &amp; &lt;b&gt;Co&lt;/b&gt;");
    for (const part of [email?.subject ?? "", email?.body.text ?? "", html]) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
      expect(part).not.toMatch(/[\u0000\u001b\u202e]/);
    }
    expect(email?.subject).not.toMatch(/[\r\n]/);
    expect(email?.subject).toContain(`<script>alert("x")</script> A [2J;B,C evil`);
    const ics = calendarOf(email as NonNullable<typeof email>);
    const event = ical.sync.parseICS(ics)[expiryUid("s;1,<i>", END)];
    if (event?.type !== "VEVENT") throw new Error("event missing");
    expect(event.summary).toBe(
      `<script>alert("x")</script> A [2J;B,C evil: O'Brien & <b>Co</b>; "Plan", 1 line ends`,
    );
  });
});

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

describe("SES faults (aws-sdk-client-mock: faults the local SES cannot cause)", () => {
  const throttling = () =>
    Object.assign(new Error("Maximum sending rate exceeded."), {
      name: "TooManyRequestsException",
    });

  it("throttling is retried with backoff until SES accepts; one attachment, the configuration set", async () => {
    const partner = mailbox();
    await transfer(partner, [{ subscriptionId: "o-1", commitmentEndDate: END }]);
    const [digest] = await scan();
    const client = new SESv2Client({ region: "us-east-1" });
    const mock = mockClient(client);
    mock
      .on(SendEmailCommand)
      .rejectsOnce(throttling())
      .rejectsOnce(throttling())
      .resolves({ MessageId: "mocked-1" });
    const outcome = await notifier({
      ses: client,
      configurationSet: "reminders",
      throttleBackoffMs: 1,
    }).sendDigest(digest as string);
    expect(outcome).toMatchObject({ kind: "sent", messageId: "mocked-1" });
    const calls = mock.commandCalls(SendEmailCommand);
    expect(calls).toHaveLength(3);
    expect(calls[0]?.args[0].input).toMatchObject({
      FromEmailAddress: SENDER,
      Destination: { ToAddresses: [partner] },
      ConfigurationSetName: "reminders",
      Content: {
        Simple: { Attachments: [{ FileName: "expiries.ics", ContentDisposition: "ATTACHMENT" }] },
      },
    });
  });

  it("the daily quota is not retried in place; the lease is released for a later retry", async () => {
    const partner = mailbox();
    await transfer(partner, [{ subscriptionId: "o-1", commitmentEndDate: END }]);
    const [digest] = await scan();
    const client = new SESv2Client({ region: "us-east-1" });
    const mock = mockClient(client);
    mock.on(SendEmailCommand).rejectsOnce(
      Object.assign(new Error("Daily message quota exceeded."), {
        name: "LimitExceededException",
      }),
    );
    await expect(
      notifier({ ses: client, throttleBackoffMs: 1 }).sendDigest(digest as string),
    ).rejects.toThrow("Daily message quota exceeded");
    expect(mock.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect((await notifier().sendDigest(digest as string)).kind).toBe("sent");
    expect(await ses.mail(partner)).toHaveLength(1);
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
