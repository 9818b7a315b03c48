/**
 * The notifier against real DynamoDB Local and the real local SES (aws-ses-v2-local), fed with
 * the events the real scan publishes. aws-sdk-client-mock is used only for SES throttling.
 */
import { randomUUID } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { SESClient, SendEmailCommand } from "@aws-sdk/client-ses";
import { GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExpiryApproaching } from "../../shared/events/details.js";
import { EventValidationError, SOURCES } from "../../shared/events/index.js";
import { claimSk } from "../../shared/reminders/claims.js";
import { runExpiryScan } from "../../shared/reminders/expiry-scan.js";
import {
  createNotifierHandler,
  type NotifierOptions,
  ReminderInFlightError,
  ReminderNotifier,
  SEND_LEASE_MS,
} from "../../shared/reminders/notifier.js";
import { transferPk } from "../../shared/store/keys.js";
import { TransferStore } from "../../shared/store/transfer-store.js";
import { freshTable } from "../support/dynamo.js";
import { ended, invitationSent, newTransferKey, original, provisioned } from "../support/events.js";
import { CapturingPublisher, type LocalSes, startLocalSes, store, THRESHOLDS } from "./support.js";

const END = "2026-06-30T00:00:00Z";
const AT_60 = "2026-05-01T06:00:00Z";
const SENDER = "reminders@csp-transfers.example";

let db: Awaited<ReturnType<typeof freshTable>>["db"];
let tableName: string;
let ses: LocalSes;

beforeAll(async () => {
  ({ db, tableName } = await freshTable("notify"));
  ses = await startLocalSes();
});

afterAll(async () => {
  await ses?.stop();
});

const notifier = (extra: Partial<NotifierOptions> = {}) =>
  new ReminderNotifier({ db, tableName, ses: ses.client, senderEmail: SENDER, ...extra });

/** A stored transfer with one original (or several), and its own partner mailbox. */
async function transfer(
  subs: Parameters<typeof original>[0][] = [{ subscriptionId: "o-1", commitmentEndDate: END }],
  detail: Record<string, unknown> = {},
) {
  const key = newTransferKey("mail");
  const partnerEmail = `partner-${randomUUID().slice(0, 8)}@partner.example`;
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
  return { key, partnerEmail };
}

/** Runs the real scan on this transfer's table and returns the events for one partner. */
async function scanFor(partnerEmail: string, now = AT_60): Promise<ExpiryApproaching[]> {
  const publisher = new CapturingPublisher();
  await runExpiryScan({ db, tableName, publisher, thresholds: THRESHOLDS, now });
  return publisher.events.filter((e) => e.partnerEmail === partnerEmail);
}

function envelope(detail: ExpiryApproaching) {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Expiry Approaching",
    source: SOURCES.tracker,
    account: "123456789012",
    time: AT_60,
    region: "eu-west-1",
    resources: [],
    detail,
  };
}

const quietLogger = () => new Logger({ serviceName: "test", logLevel: "ERROR" });

describe("notifier", () => {
  it("emails the partner what to do and records the reminder on the transfer", async () => {
    const { key, partnerEmail } = await transfer();
    await store(
      db,
      tableName,
      provisioned({ ...key, subscriptionId: "n-1", replacesSubscriptionId: "o-1" }),
    );
    const events = await scanFor(partnerEmail);
    expect(events).toHaveLength(1);
    const handler = createNotifierHandler({ notifier: notifier(), logger: quietLogger() });

    const outcome = await handler(envelope(events[0] as ExpiryApproaching));

    expect(outcome.kind).toBe("sent");
    const mail = await ses.mail(partnerEmail);
    expect(mail).toHaveLength(1);
    const [email] = mail;
    expect(email?.from).toBe(SENDER);
    expect(email?.subject).toBe(
      "Fabrikam Ltd: Microsoft 365 Business Standard ends in 60 days - let it expire",
    );
    expect(email?.body.text).toContain("Let the original subscription expire on 2026-06-30");
    expect(email?.body.text).toContain("Check that auto-renew is off");
    expect(email?.body.text).toContain("Do not cancel the original");
    expect(email?.body.html).toContain("<html>");
    expect(email?.body.html).toContain("no refund");

    const view = await new TransferStore(db, tableName, THRESHOLDS).getView(key);
    const reminders = view?.subscriptions.find((s) => s.subscriptionId === "o-1")?.reminders;
    expect(reminders).toEqual([{ thresholdDays: 60, sentAt: expect.any(String) }]);
    const claim = await db.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: transferPk(key), sk: claimSk("o-1", END, 60) },
        ConsistentRead: true,
      }),
    );
    expect(claim.Item).toMatchObject({ status: "SENT", messageId: email?.messageId });
    expect(claim.Item?.reminderDue).toBeUndefined();
  });

  it("no replacement yet: provision the same offer and seats before the date", async () => {
    const { partnerEmail } = await transfer([
      { subscriptionId: "o-1", commitmentEndDate: END, quantity: 7 },
    ]);
    const [event] = await scanFor(partnerEmail);
    await notifier().notify(event as ExpiryApproaching);
    const [email] = await ses.mail(partnerEmail);
    expect(email?.subject).toContain("replacement needed");
    expect(email?.body.text).toContain("with the same seat count (7 seats)");
    expect(email?.body.text).toContain("end users lose service");
  });

  it("auto-renew on gets its own warning", async () => {
    const { partnerEmail } = await transfer([
      { subscriptionId: "renews", commitmentEndDate: END, autoRenewEnabled: true },
      { subscriptionId: "expires", commitmentEndDate: END, autoRenewEnabled: false },
    ]);
    for (const event of await scanFor(partnerEmail)) await notifier().notify(event);
    const mail = await ses.mail(partnerEmail);
    const bySub = (id: string) => mail.find((m) => m.body.text?.includes(`subscription ${id})`));
    expect(bySub("renews")?.body.text).toContain("Auto-renew is on for this original subscription");
    expect(bySub("renews")?.body.html).toContain("Warning: auto-renew is on");
    expect(bySub("expires")?.body.text).not.toContain("Auto-renew is on");
  });

  it("names with <script> are escaped in the HTML part of the real email", async () => {
    const { partnerEmail } = await transfer(
      [{ subscriptionId: "o-1", commitmentEndDate: END, offerName: "<b>Bold</b> & co" }],
      { customerName: `<script>alert("pwned")</script>` },
    );
    const [event] = await scanFor(partnerEmail);
    await notifier().notify(event as ExpiryApproaching);
    const [email] = await ses.mail(partnerEmail);
    expect(email?.body.html).not.toContain("<script>");
    expect(email?.body.html).not.toContain("<b>Bold");
    expect(email?.body.html).toContain("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;");
    expect(email?.body.html).toContain("&lt;b&gt;Bold&lt;/b&gt; &amp; co");
    expect(email?.subject).toContain(`<script>alert("pwned")</script>`);
  });

  it("a duplicate delivery of the same event sends no second email", async () => {
    const { key, partnerEmail } = await transfer();
    const [event] = await scanFor(partnerEmail);
    const handler = createNotifierHandler({ notifier: notifier(), logger: quietLogger() });
    const first = await handler(envelope(event as ExpiryApproaching));
    const second = await handler(envelope(event as ExpiryApproaching));
    expect([first.kind, second.kind]).toEqual(["sent", "duplicate"]);
    expect(await ses.mail(partnerEmail)).toHaveLength(1);
    const view = await new TransferStore(db, tableName, THRESHOLDS).getView(key);
    expect(view?.subscriptions[0]?.reminders).toHaveLength(1);
  });

  it("deliveries racing each other send one email; the losers finish as duplicates on retry", async () => {
    const { partnerEmail } = await transfer();
    const [event] = await scanFor(partnerEmail);
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => notifier().notify(event as ExpiryApproaching)),
    );
    const sent = results.filter((r) => r.status === "fulfilled" && r.value.kind === "sent");
    expect(sent).toHaveLength(1);
    for (const r of results) {
      if (r.status === "rejected") expect(r.reason).toBeInstanceOf(ReminderInFlightError);
      else expect(["sent", "duplicate"]).toContain(r.value.kind);
    }
    // The retried deliveries now find the reminder SENT.
    expect((await notifier().notify(event as ExpiryApproaching)).kind).toBe("duplicate");
    expect(await ses.mail(partnerEmail)).toHaveLength(1);
  });

  it("two concurrent scans, every event delivered twice: one email per original", async () => {
    const { partnerEmail } = await transfer(
      Array.from({ length: 6 }, (_, i) => ({ subscriptionId: `o-${i}`, commitmentEndDate: END })),
    );
    const [a, b] = await Promise.all([scanFor(partnerEmail), scanFor(partnerEmail)]);
    const events = [...a, ...b];
    expect(events).toHaveLength(6);
    for (const event of [...events, ...events]) await notifier().notify(event);
    const mail = await ses.mail(partnerEmail);
    expect(mail).toHaveLength(6);
    const subs = mail.map((m) => /subscription (o-\d)\)/.exec(m.body.text ?? "")?.[1]);
    expect(new Set(subs).size).toBe(6);
  });

  it("an original cancelled after the scan emitted: no email", async () => {
    const { key, partnerEmail } = await transfer();
    const [event] = await scanFor(partnerEmail);
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
    const outcome = await notifier().notify(event as ExpiryApproaching);
    expect(outcome).toEqual({ kind: "skipped", reason: "originalEnded" });
    expect(await ses.mail(partnerEmail)).toHaveLength(0);
  });

  it("dying between sending and recording sends again once the lease expires (at least once)", async () => {
    const { partnerEmail } = await transfer();
    const [event] = await scanFor(partnerEmail);
    const start = Date.now();
    const crashingDb = {
      send: async (command: unknown) => {
        if (command instanceof TransactWriteCommand) throw new Error("process died");
        return db.send(command as never);
      },
    } as unknown as typeof db;
    await expect(
      notifier({ db: crashingDb, clock: () => start }).notify(event as ExpiryApproaching),
    ).rejects.toThrow("process died");
    expect(await ses.mail(partnerEmail)).toHaveLength(1);

    // Redelivered while the lease holds: in flight, retry later.
    await expect(
      notifier({ clock: () => start + 1_000 }).notify(event as ExpiryApproaching),
    ).rejects.toBeInstanceOf(ReminderInFlightError);
    // After the lease: the reminder is sent again, and recorded.
    const retry = await notifier({ clock: () => start + SEND_LEASE_MS + 1 }).notify(
      event as ExpiryApproaching,
    );
    expect(retry.kind).toBe("sent");
    expect(await ses.mail(partnerEmail)).toHaveLength(2);
    expect((await notifier().notify(event as ExpiryApproaching)).kind).toBe("duplicate");
  });

  it("rejects an event that is not Expiry Approaching", async () => {
    const handler = createNotifierHandler({ notifier: notifier(), logger: quietLogger() });
    await expect(
      handler({ ...envelope({} as ExpiryApproaching), "detail-type": "Transfer Status Changed" }),
    ).rejects.toBeInstanceOf(EventValidationError);
  });
});

describe("SES throttling (aws-sdk-client-mock: a fault the local SES cannot cause)", () => {
  const throttling = () =>
    Object.assign(new Error("Maximum sending rate exceeded."), { name: "Throttling" });

  it("is retried with backoff until SES accepts, and the configuration set is used", async () => {
    const { partnerEmail } = await transfer();
    const [event] = await scanFor(partnerEmail);
    const client = new SESClient({ region: "us-east-1" });
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
    }).notify(event as ExpiryApproaching);
    expect(outcome).toEqual({ kind: "sent", messageId: "mocked-1" });
    const calls = mock.commandCalls(SendEmailCommand);
    expect(calls).toHaveLength(3);
    expect(calls[0]?.args[0].input).toMatchObject({
      Source: SENDER,
      Destination: { ToAddresses: [partnerEmail] },
      ConfigurationSetName: "reminders",
    });
  });

  it("the daily quota is not retried in place; the lease is released for a later retry", async () => {
    const { partnerEmail } = await transfer();
    const [event] = await scanFor(partnerEmail);
    const client = new SESClient({ region: "us-east-1" });
    const mock = mockClient(client);
    mock
      .on(SendEmailCommand)
      .rejectsOnce(
        Object.assign(new Error("Daily message quota exceeded."), { name: "Throttling" }),
      );
    await expect(
      notifier({ ses: client, throttleBackoffMs: 1 }).notify(event as ExpiryApproaching),
    ).rejects.toThrow("Daily message quota exceeded");
    expect(mock.commandCalls(SendEmailCommand)).toHaveLength(1);
    // The next delivery sends at once (no lease to wait for).
    expect((await notifier().notify(event as ExpiryApproaching)).kind).toBe("sent");
    expect(await ses.mail(partnerEmail)).toHaveLength(1);
  });
});
