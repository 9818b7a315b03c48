import ical from "node-ical";
import { describe, expect, it } from "vitest";
import { expiryCalendar, expiryUid } from "../../../shared/calendar/expiry-calendar.js";

const NOW = new Date("2026-06-01T08:00:00Z");

describe("the expiry calendar", () => {
  it("parses back with one all-day event per original, a one-day alarm and the text intact", () => {
    // Prepare: hostile text with markup, commas, semicolons, newlines and a long offer name.
    const expiry = {
      subscriptionId: "sub;1,\nx",
      commitmentEndDate: "2026-06-30",
      customerName: 'Fabrikam, <b>"Ltd";</b>',
      offerName: "Office 365 E1 ".repeat(8).trim(),
      advice: "Let it expire.\nDo not cancel; no refund.",
    };

    // Act
    const text = expiryCalendar([expiry], { name: "Expiries", now: NOW });
    const parsed = ical.sync.parseICS(text);

    // Assess
    expect(text.split("\r\n").every((line) => Buffer.byteLength(line) <= 75)).toBe(true);
    const event = parsed[expiryUid(expiry.subscriptionId, expiry.commitmentEndDate)];
    if (event?.type !== "VEVENT") throw new Error("event missing");
    expect(event.datetype).toBe("date");
    expect(event.start.toISOString()).toBe("2026-06-30T00:00:00.000Z");
    expect(event.summary).toBe(`${expiry.customerName}: ${expiry.offerName} ends`);
    expect(event.description).toBe(expiry.advice);
    expect(text).toContain("TRIGGER:-P1D");
  });

  it("removes control characters, which RFC 5545 text does not allow, and keeps line breaks", () => {
    const text = expiryCalendar(
      [
        {
          subscriptionId: "s1",
          commitmentEndDate: "2026-06-30",
          customerName: "Fab\u001b[2Jrikam\u0000",
          offerName: "E1\u0007",
          advice: "Line one\r\nLine\u0008 two",
        },
      ],
      { name: "Expiries", now: NOW },
    );
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
    expect(text.replaceAll("\r\n", "")).not.toMatch(/[\u0000-\u001f\u007f]/);
    const event = ical.sync.parseICS(text)[expiryUid("s1", "2026-06-30")];
    if (event?.type !== "VEVENT") throw new Error("event missing");
    expect(event.summary).toBe("Fab [2Jrikam : E1  ends");
    expect(event.description).toBe("Line one\nLine  two");
  });

  it("keeps the UID per subscription and UTC end date, and changes it with the date", () => {
    expect(expiryUid("s1", "2026-06-30T00:00:00+02:00")).toBe(expiryUid("s1", "2026-06-29"));
    expect(expiryUid("s1", "2026-06-30")).not.toBe(expiryUid("s1", "2026-12-30"));
    expect(expiryUid("s1", "2026-06-30")).not.toBe(expiryUid("s2", "2026-06-30"));
  });

  it("writes a calendar name with line breaks and specials as one escaped line (no injected VEVENT)", () => {
    // Prepare: a name that tries to end the calendar and open an event of its own.
    const name = "CSP transfers: p\r\nEND:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:forged;a,b\\";

    // Act
    const text = expiryCalendar([], { name, now: NOW });

    // Assess: nothing but the calendar itself, and the name reads back as one line.
    // Unfolded (RFC 5545 3.1): a long line continues on lines that start with a space.
    const lines = text.replace(/\r\n[ \t]/g, "").split("\r\n");
    expect(lines.filter((line) => line === "BEGIN:VEVENT")).toEqual([]);
    expect(lines.filter((line) => line === "END:VCALENDAR")).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith("UID:"))).toEqual([]);
    expect(Object.values(ical.sync.parseICS(text)).filter((c) => c?.type === "VEVENT")).toEqual([]);
    const calName = lines.find((line) => line.startsWith("X-WR-CALNAME:"));
    expect(calName).toBe(
      "X-WR-CALNAME:CSP transfers: p END:VCALENDAR BEGIN:VEVENT UID:forged\\;a\\,b\\\\",
    );
  });
});
