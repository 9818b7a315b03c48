/** The pure digest: grouping, what to do per original, the email parts and the calendar file. */
import ical from "node-ical";
import { describe, expect, it } from "vitest";
import { expiryUid } from "../../../shared/calendar/expiry-calendar.js";
import { MAX_ROWS_PER_DIGEST, planDigests } from "../../../shared/digest/batches.js";
import { adviceFor, type DigestRow, groupByCustomer } from "../../../shared/digest/content.js";
import { renderDigest } from "../../../shared/digest/email.js";
import { escapeHtml } from "../../../shared/text/escape-html.js";
import { plainText } from "../../../shared/text/plain-text.js";

const NOW = new Date("2026-05-20T06:00:00Z");
const THRESHOLDS = [60, 30, 14, 7, 1];

function row(overrides: Partial<DigestRow> = {}): DigestRow {
  return {
    partnerId: "p-1",
    customerTenantId: "t-1",
    customerName: "Fabrikam Ltd",
    subscriptionId: "s-1",
    offerId: "offer-bs",
    offerName: "Microsoft 365 Business Standard",
    quantity: 25,
    commitmentEndDate: "2026-06-30T00:00:00Z",
    daysLeft: 41,
    thresholdDays: 60,
    autoRenewEnabled: false,
    offerDiscontinued: false,
    replacement: { subscriptionId: "n-1", offerId: "offer-bs", quantity: 25 },
    warnings: [],
    ...overrides,
  };
}

describe("subject", () => {
  it.each([
    { rows: [row()], subject: "Fabrikam Ltd: Microsoft 365 Business Standard ends in 41 days" },
    {
      rows: [
        row(),
        row({
          subscriptionId: "s-2",
          daysLeft: 1,
          offerName: "Teams",
          commitmentEndDate: "2026-05-21",
        }),
      ],
      subject: "Fabrikam Ltd: Teams ends tomorrow (+1 more)",
    },
    {
      rows: [
        row({ daysLeft: 0, commitmentEndDate: "2026-05-20" }),
        row({ subscriptionId: "s-2" }),
        row({ subscriptionId: "s-3" }),
      ],
      subject: "Fabrikam Ltd: Microsoft 365 Business Standard ends today (+2 more)",
    },
  ])("$subject", ({ rows, subject }) => {
    expect(renderDigest(rows, { now: NOW, thresholds: THRESHOLDS }).subject).toBe(subject);
  });

  it("has no control characters or bidi overrides, whatever the names hold", () => {
    const email = renderDigest(
      [
        row({
          customerName: "Evil\r\nBcc: x@y.z\u202e\u2066 Ltd\u001b[31m",
          offerName: "A\u0000B",
        }),
      ],
      { now: NOW, thresholds: THRESHOLDS },
    );
    expect(email.subject).toBe("Evil Bcc: x@y.z Ltd [31m: A B ends in 41 days");
  });
});

describe("what to do follows the warnings", () => {
  const seats = (expected: number, actual: number) => ({
    code: "SEAT_COUNT_MISMATCH" as const,
    message: "m",
    expected,
    actual,
  });

  it("replacement in order: let it expire, end users continue, auto-renew stays off, do not cancel", () => {
    expect(adviceFor(row())).toEqual([
      "Let the original expire on 2026-06-30; end users continue on the replacement.",
      "Check that auto-renew stays off on the original.",
      "Do not cancel the original: cancelling gives the customer no refund.",
    ]);
  });

  it("seats short: provision the missing seats, and never promise that users simply continue", () => {
    const advice = adviceFor(
      row({
        replacement: { subscriptionId: "n", offerId: "offer-bs", quantity: 20 },
        warnings: [seats(25, 20)],
      }),
    );
    expect(advice[0]).toBe(
      "Provision the missing 5 seats on the replacement before 2026-06-30: it has 20, the original has 25.",
    );
    expect(advice.join(" ")).not.toContain("end users continue");
  });

  it("a single missing seat reads '1 seat'", () => {
    const advice = adviceFor(
      row({
        replacement: { subscriptionId: "n", offerId: "offer-bs", quantity: 24 },
        warnings: [seats(25, 24)],
      }),
    );
    expect(advice[0]).toContain("Provision the missing 1 seat on");
  });

  it("more seats than the original: check the count", () => {
    const advice = adviceFor(
      row({
        replacement: { subscriptionId: "n", offerId: "offer-bs", quantity: 30 },
        warnings: [seats(25, 30)],
      }),
    );
    expect(advice[0]).toBe(
      "The replacement has 5 seats more than the original (30 against 25): check the seat count with the customer.",
    );
  });

  it.each(["OFFER_MISMATCH", "LICENSE_REASSIGNMENT_REQUIRED"] as const)(
    "%s: reassign licenses",
    (code) => {
      const advice = adviceFor(
        row({
          replacement: { subscriptionId: "n", offerId: "offer-bb", quantity: 25 },
          warnings: [{ code, message: "m" }],
        }),
      );
      expect(advice[0]).toBe(
        "The replacement is on another offer (offer-bb): reassign users' licenses from the original to the replacement before 2026-06-30.",
      );
      expect(advice.join(" ")).not.toContain("end users continue");
    },
  );

  it("no replacement: the same offer and seats before the date", () => {
    expect(adviceFor(row({ replacement: null }))).toEqual([
      "Provision the same offer, Microsoft 365 Business Standard (offer offer-bs), with the same seat count (25 seats) under your CSP account before 2026-06-30; otherwise end users lose service when the original ends.",
    ]);
  });

  it("no replacement on a discontinued offer: an equivalent offer, then reassign licenses", () => {
    const advice = adviceFor(
      row({ replacement: null, offerDiscontinued: true, offerName: "Office 365 E1" }),
    );
    expect(advice).toEqual([
      "Office 365 E1 (offer offer-bs) is discontinued: find an equivalent offer, provision it with 25 seats under your CSP account before 2026-06-30, and reassign users' licenses to it.",
    ]);
  });

  it("auto-renew on: turn it off or the original renews (with and without a replacement)", () => {
    const renewOff =
      "Turn auto-renew off on the original before 2026-06-30, or it renews for another term instead of expiring and the customer keeps paying for it.";
    expect(adviceFor(row({ autoRenewEnabled: true }))).toContain(renewOff);
    expect(adviceFor(row({ autoRenewEnabled: true, replacement: null }))).toContain(renewOff);
    expect(adviceFor(row({ autoRenewEnabled: true }))).not.toContain(
      "Check that auto-renew stays off on the original.",
    );
  });
});

describe("grouping and splitting", () => {
  const candidate = (partnerEmail: string, customer: string, id: string, end: string) => ({
    partnerEmail,
    partnerId: "p",
    customerTenantId: customer,
    customerName: `Customer ${customer}`,
    subscriptionId: id,
    commitmentEndDate: end,
    pk: `TRANSFER#p#${customer}`,
    sk: `REMINDER#${id}`,
  });

  it("one digest per address (case and spaces aside), customers by soonest end, rows soonest first", () => {
    const plans = planDigests([
      candidate("A@x.example", "c1", "late", "2026-07-30"),
      candidate("b@x.example", "c3", "other", "2026-06-01"),
      candidate(" a@x.example", "c2", "soon", "2026-06-10"),
      candidate("a@x.example", "c1", "early", "2026-06-20"),
    ]);
    expect(
      plans.map((p) => [p.partnerKey, p.part, p.parts, p.rows.map((r) => r.subscriptionId)]),
    ).toEqual([
      ["a@x.example", 1, 1, ["soon", "early", "late"]],
      ["b@x.example", 1, 1, ["other"]],
    ]);
    expect(plans[0]?.partnerEmail).toBe("A@x.example");
  });

  it("is the same whatever order the claims were found in", () => {
    const rows = Array.from({ length: 30 }, (_, i) =>
      candidate(
        `p${i % 3}@x.example`,
        `c${i % 7}`,
        `s${i}`,
        `2026-06-${String(1 + (i % 28)).padStart(2, "0")}`,
      ),
    );
    const shuffled = [...rows].sort(() => Math.random() - 0.5);
    expect(planDigests(shuffled)).toEqual(planDigests(rows));
  });

  it(`splits only past ${MAX_ROWS_PER_DIGEST} originals`, () => {
    const rows = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        candidate("a@x.example", "c", `s${String(i).padStart(3, "0")}`, "2026-06-30"),
      );
    expect(planDigests(rows(MAX_ROWS_PER_DIGEST)).map((p) => p.rows.length)).toEqual([200]);
    expect(planDigests(rows(401)).map((p) => [p.part, p.parts, p.rows.length])).toEqual([
      [1, 3, 200],
      [2, 3, 200],
      [3, 3, 1],
    ]);
  });

  it("groups rows by customer in the email", () => {
    const groups = groupByCustomer([
      row({
        customerTenantId: "t-2",
        customerName: "Contoso",
        subscriptionId: "c",
        commitmentEndDate: "2026-06-01",
      }),
      row({ subscriptionId: "b", commitmentEndDate: "2026-07-01" }),
      row({ subscriptionId: "a", commitmentEndDate: "2026-06-15" }),
    ]);
    expect(groups.map((g) => [g.customerName, g.rows.map((r) => r.subscriptionId)])).toEqual([
      ["Contoso", ["c"]],
      ["Fabrikam Ltd", ["a", "b"]],
    ]);
  });
});

describe("the parts of the email", () => {
  it("HTML: tables with inline styles, every value escaped, no scripts, images or stylesheets", () => {
    const { html } = renderDigest(
      [row({ customerName: `<img src=x onerror="alert(1)">`, offerName: "A & B's" })],
      {
        now: NOW,
        thresholds: THRESHOLDS,
      },
    );
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(html).toContain("A &amp; B&#39;s");
    expect(html).not.toMatch(/<img|<script|<link|<style|class=/i);
    expect(html).toMatch(/<table role="presentation"[^>]*style="/);
  });

  it("the footer says days in words, never '1 days'", () => {
    const { text } = renderDigest([row()], { now: NOW, thresholds: [7, 1] });
    expect(text).toContain("(7 or 1 days before their end date)");
    const single = renderDigest([row()], { now: NOW, thresholds: [1] });
    expect(single.text).toContain("(1 day before their end date)");
    expect(`${single.text}${single.html}`).not.toMatch(/\b1 days/);
  });

  it("the calendar: one all-day event per original, alarm a day before, RFC 5545 escaping and folding", () => {
    const hostile = row({
      subscriptionId: "s;1,\\x",
      customerName: 'Fabrikam, Ltd; "quoted"\u001b',
      offerName: "O".repeat(120),
    });
    const { calendar } = renderDigest([hostile, row({ subscriptionId: "s-2" })], {
      now: NOW,
      thresholds: THRESHOLDS,
    });
    expect(calendar.fileName).toBe("expiries.ics");
    expect(calendar.contentType).toMatch(/^text\/calendar/);
    expect(calendar.content.split("\r\n").every((line) => Buffer.byteLength(line) <= 75)).toBe(
      true,
    );
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
    expect(calendar.content).not.toMatch(/\u001b/);
    const parsed = ical.sync.parseICS(calendar.content);
    const event = parsed[expiryUid("s;1,\\x", hostile.commitmentEndDate)];
    if (event?.type !== "VEVENT") throw new Error("event missing");
    expect(event.summary).toBe(`Fabrikam, Ltd; "quoted": ${"O".repeat(120)} ends`);
    expect(event.description).toContain("Let the original expire on 2026-06-30");
    expect(calendar.content.match(/BEGIN:VEVENT/g)).toHaveLength(2);
    expect(calendar.content.match(/TRIGGER:-P1D/g)).toHaveLength(2);
  });
});

describe("text hygiene", () => {
  it.each([
    ["a\u0000b\u001bc\u007fd\u009be", "a b c d e"],
    ["left\u202eright\u2067x\u200f", "leftrightx"],
    ["  many   spaces\r\n", "many spaces"],
  ])("plainText(%j) = %j", (input, output) => {
    expect(plainText(input)).toBe(output);
  });

  it("escapeHtml escapes markup and quotes", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
    );
  });
});
