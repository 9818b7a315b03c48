import ical from "node-ical";
import { describe, expect, it } from "vitest";
import { expiryUid } from "../../shared/calendar/expiry-calendar.js";
import { claimSk } from "../../shared/reminders/claims.js";
import { ended, invitationSent, newTransferKey, original, provisioned } from "../support/events.js";
import {
  AT_60,
  claimStatus,
  DAY_MS,
  db,
  END,
  mailbox,
  notifier,
  remindersOf,
  SENDER,
  scan,
  ses,
  T0,
  tableName,
  transfer,
  useDigestHarness,
} from "./digest-harness.js";
import { calendarOf, store, storeLegacy } from "./support.js";

useDigestHarness();

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
