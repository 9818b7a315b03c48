import { describe, expect, it } from "vitest";
import { escapeHtml, renderReminderEmail } from "../../shared/reminders/email.js";

const EVENT = {
  partnerId: "partner-1",
  customerTenantId: "tenant-1",
  customerName: "Fabrikam Ltd",
  partnerEmail: "transfers@partner.example",
  subscriptionId: "sub-1",
  offerId: "offer-std",
  offerName: "Microsoft 365 Business Standard",
  quantity: 25,
  commitmentEndDate: "2026-06-30T00:00:00Z",
  daysLeft: 14,
  thresholdDays: 14,
  replacementProvisioned: true,
};

const HOSTILE = `<script>alert("x")</script>&'`;

describe("reminder email", () => {
  it("the subject names the customer and the days left", () => {
    expect(renderReminderEmail(EVENT, { autoRenewEnabled: false }).subject).toBe(
      "Fabrikam Ltd: Microsoft 365 Business Standard ends in 14 days - let it expire",
    );
  });

  it.each([
    { daysLeft: 0, phrase: "ends today" },
    { daysLeft: 1, phrase: "ends tomorrow (1 day left)" },
    { daysLeft: 30, phrase: "ends in 30 days" },
  ])("days left $daysLeft reads '$phrase'", ({ daysLeft, phrase }) => {
    const email = renderReminderEmail({ ...EVENT, daysLeft }, { autoRenewEnabled: false });
    expect(email.subject).toContain(phrase);
    expect(email.text).toContain(phrase);
    expect(email.html).toContain(phrase);
  });

  it("replacement provisioned: let the original expire, check auto-renew, do not cancel", () => {
    const { text, html } = renderReminderEmail(EVENT, { autoRenewEnabled: false });
    for (const body of [text, html]) {
      expect(body).toContain("let the original expire");
      expect(body).toContain("Check that auto-renew is off");
      expect(body).toContain("Do not cancel the original: cancelling gives the customer no refund");
      expect(body).toContain("2026-06-30");
      expect(body).not.toContain("No replacement has been provisioned");
    }
  });

  it("no replacement: provision the same offer and seat count before the date, or users lose service", () => {
    const { text, subject } = renderReminderEmail(
      { ...EVENT, replacementProvisioned: false },
      { autoRenewEnabled: false },
    );
    expect(subject).toContain("replacement needed");
    expect(text).toContain(
      "Before 2026-06-30, provision the same offer (Microsoft 365 Business Standard, offer offer-std) with the same seat count (25 seats)",
    );
    expect(text).toContain("end users lose service");
    expect(text).not.toContain("let the original expire");
  });

  it.each([
    { autoRenewEnabled: true, warned: true },
    { autoRenewEnabled: false, warned: false },
    { autoRenewEnabled: null, warned: false },
  ])("auto-renew $autoRenewEnabled: warning shown = $warned", ({ autoRenewEnabled, warned }) => {
    const { text, html } = renderReminderEmail(EVENT, { autoRenewEnabled });
    expect(text.includes("Auto-renew is on for this original subscription")).toBe(warned);
    expect(html.includes("Warning: auto-renew is on")).toBe(warned);
  });

  it.each(["customerName", "offerName", "subscriptionId", "customerTenantId", "offerId"] as const)(
    "%s is HTML-escaped in the HTML part",
    (field) => {
      const { html, text } = renderReminderEmail(
        { ...EVENT, replacementProvisioned: false, [field]: HOSTILE },
        { autoRenewEnabled: true },
      );
      expect(html).not.toContain("<script>");
      expect(html).not.toContain(`"x"`);
      expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;");
      expect(text).toContain(HOSTILE);
    },
  );

  it("a value cannot add lines to the subject", () => {
    const { subject } = renderReminderEmail(
      { ...EVENT, customerName: "Evil\r\nBcc: victim@example.com" },
      { autoRenewEnabled: false },
    );
    expect(subject).not.toMatch(/[\r\n]/);
  });

  it("escapeHtml escapes the five special characters", () => {
    expect(escapeHtml(`&<>"'`)).toBe("&amp;&lt;&gt;&quot;&#39;");
  });
});
