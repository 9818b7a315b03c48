import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  daysLeftUntil,
  nextReminderDate,
  termDays,
} from "../../shared/domain/reminder-schedule.js";
import { type ReminderSubject, reminderDecision } from "../../shared/reminders/schedule.js";

const THRESHOLDS = [60, 30, 14, 7, 1];
const NOW = "2026-05-01T10:00:00Z";

const active = (
  commitmentEndDate: string,
  termDuration: string | null = null,
): ReminderSubject => ({
  commitmentEndDate,
  termDuration,
  state: "ACTIVE",
  transferRemindable: true,
});

describe("days left", () => {
  it.each([
    { end: "2026-05-01T00:00:00Z", now: NOW, daysLeft: 0, why: "end date today, earlier hour" },
    { end: "2026-05-01T23:59:59Z", now: NOW, daysLeft: 0, why: "end date today, later hour" },
    {
      end: "2026-05-02T00:00:00Z",
      now: "2026-05-01T23:59:59Z",
      daysLeft: 1,
      why: "one second is a day",
    },
    { end: "2026-04-30T23:59:59Z", now: NOW, daysLeft: -1, why: "already past" },
    {
      end: "2026-05-31T23:30:00-05:00",
      now: NOW,
      daysLeft: 31,
      why: "offset moves the end to the next UTC day",
    },
    {
      end: "2026-05-31T01:00:00+02:00",
      now: NOW,
      daysLeft: 29,
      why: "offset moves the end to the previous UTC day",
    },
    {
      end: "2026-05-31",
      now: "2026-05-01T23:30:00-02:00",
      daysLeft: 29,
      why: "the clock's offset counts too",
    },
    { end: "2026-05-31T12:00:00", now: NOW, daysLeft: 30, why: "no offset is read as UTC" },
  ])("$why: $end at $now -> $daysLeft", ({ end, now, daysLeft }) => {
    expect(daysLeftUntil(end, now)).toBe(daysLeft);
  });
});

describe("term lengths", () => {
  it.each([
    { term: "P1M", days: 30 },
    { term: "P1Y", days: 365 },
    { term: "P3Y", days: 1095 },
    { term: undefined, days: Number.POSITIVE_INFINITY },
  ])("$term is $days days", ({ term, days }) => {
    expect(termDays(term)).toBe(days);
  });
});

describe("reminder decision (default thresholds 60,30,14,7,1; now 2026-05-01)", () => {
  it.each([
    {
      why: "exactly on the 60-day threshold",
      subject: active("2026-06-30T00:00:00Z"),
      expected: { kind: "remind", daysLeft: 60, thresholdDays: 60, next: "2026-05-31" },
    },
    {
      why: "exactly on the 30-day threshold",
      subject: active("2026-05-31T08:00:00Z"),
      expected: { kind: "remind", daysLeft: 30, thresholdDays: 30, next: "2026-05-17" },
    },
    {
      why: "one day before any threshold is crossed",
      subject: active("2026-07-01T00:00:00Z"),
      expected: { kind: "reschedule", daysLeft: 61, next: "2026-05-02" },
    },
    {
      why: "end date today: the most urgent threshold, nothing after it",
      subject: active("2026-05-01T23:00:00Z"),
      expected: { kind: "remind", daysLeft: 0, thresholdDays: 1, next: null },
    },
    {
      why: "already past",
      subject: active("2026-04-30T23:59:59Z"),
      expected: { kind: "drop", reason: "pastEndDate" },
    },
    {
      why: "catch-up after missed days sends one reminder, the most urgent",
      subject: active("2026-05-04T00:00:00Z"),
      expected: { kind: "remind", daysLeft: 3, thresholdDays: 7, next: "2026-05-03" },
    },
    {
      why: "time zone: 23:30 at -05:00 on the 31st is 1 June UTC, 31 days: 60 not 30",
      subject: active("2026-05-31T23:30:00-05:00"),
      expected: { kind: "remind", daysLeft: 31, thresholdDays: 60, next: "2026-05-02" },
    },
    {
      why: "time zone: 01:00 at +02:00 on the 31st is 30 May UTC, 29 days: 30",
      subject: active("2026-05-31T01:00:00+02:00"),
      expected: { kind: "remind", daysLeft: 29, thresholdDays: 30, next: "2026-05-16" },
    },
    {
      why: "P1M term skips the 60-day threshold",
      subject: active("2026-06-20T00:00:00Z", "P1M"),
      expected: { kind: "reschedule", daysLeft: 50, next: "2026-05-21" },
    },
    {
      why: "P1M term reminds at 30",
      subject: active("2026-05-21T00:00:00Z", "P1M"),
      expected: { kind: "remind", daysLeft: 20, thresholdDays: 30, next: "2026-05-07" },
    },
    {
      why: "unknown term skips nothing",
      subject: active("2026-06-20T00:00:00Z", null),
      expected: { kind: "remind", daysLeft: 50, thresholdDays: 60, next: "2026-05-21" },
    },
    {
      why: "P1Y term keeps 60",
      subject: active("2026-06-20T00:00:00Z", "P1Y"),
      expected: { kind: "remind", daysLeft: 50, thresholdDays: 60, next: "2026-05-21" },
    },
    {
      why: "an ended original is dropped",
      subject: { ...active("2026-05-10T00:00:00Z"), state: "CANCELLED" as const },
      expected: { kind: "drop", reason: "notActive" },
    },
    {
      why: "an INELIGIBLE or COMPLETED transfer is dropped",
      subject: { ...active("2026-05-10T00:00:00Z"), transferRemindable: false },
      expected: { kind: "drop", reason: "transferNotRemindable" },
    },
  ])("$why", ({ subject, expected }) => {
    expect(reminderDecision(subject, THRESHOLDS, NOW)).toEqual(expected);
  });

  it("a term shorter than every threshold is never reminded", () => {
    expect(reminderDecision(active("2026-05-03T00:00:00Z", "P1D"), [60, 30, 14, 7], NOW)).toEqual({
      kind: "drop",
      reason: "noThresholdLeft",
    });
  });

  it("a 0-day threshold is crossed on the end date only", () => {
    expect(reminderDecision(active("2026-05-01T00:00:00Z"), [7, 0], NOW)).toMatchObject({
      thresholdDays: 0,
      next: null,
    });
    expect(reminderDecision(active("2026-05-02T00:00:00Z"), [7, 0], NOW)).toMatchObject({
      thresholdDays: 7,
      next: "2026-05-02",
    });
  });
});

/** Replays the index: each day the entry is due, the decision reminds and moves it on. */
function simulate(endDay: number, thresholds: number[], term: string | null, scanDays: number[]) {
  const day = (n: number) => new Date(n * 86_400_000).toISOString().slice(0, 10);
  const end = `${day(endDay)}T12:00:00Z`;
  let due = nextReminderDate(end, thresholds, term ?? undefined);
  const sent: { day: number; threshold: number }[] = [];
  for (const scanDay of scanDays) {
    if (due === null || due > day(scanDay)) continue;
    const decision = reminderDecision(active(end, term), thresholds, `${day(scanDay)}T06:00:00Z`);
    if (decision.kind === "remind") sent.push({ day: scanDay, threshold: decision.thresholdDays });
    due = decision.kind === "drop" ? null : decision.next;
  }
  return sent;
}

describe("the index walk (property)", () => {
  const thresholdsArb = fc.uniqueArray(fc.integer({ min: 0, max: 90 }), {
    minLength: 1,
    maxLength: 6,
  });

  it("a daily scan reminds each applicable threshold once, largest first, on its day", () => {
    // The term limits written out (SPEC section 4), not taken from the implementation.
    const TERM_LIMIT: Record<string, number> = {
      none: Number.POSITIVE_INFINITY,
      P1M: 30,
      P1Y: 365,
    };
    fc.assert(
      fc.property(thresholdsArb, fc.constantFrom("none", "P1M", "P1Y"), (thresholds, term) => {
        const endDay = 20_600;
        const days = Array.from({ length: 120 }, (_, i) => endDay - 110 + i);
        const sent = simulate(endDay, thresholds, term === "none" ? null : term, days);
        const limit = TERM_LIMIT[term] ?? 0;
        const expected = thresholds
          .filter((t) => t <= limit && t <= 110)
          .sort((a, b) => b - a)
          .map((t) => ({ day: endDay - t, threshold: t }));
        expect(sent).toEqual(expected);
      }),
    );
  });

  it("scans that miss days, or run twice a day, send at most one reminder per day and never repeat one", () => {
    fc.assert(
      fc.property(
        thresholdsArb,
        // Not unique: the same day may be scanned twice (a retried or repeated scan).
        fc.array(fc.integer({ min: 0, max: 130 }), { minLength: 1, maxLength: 40 }),
        (thresholds, offsets) => {
          const endDay = 20_600;
          const days = [...offsets].sort((a, b) => a - b).map((o) => endDay - 120 + o);
          const sent = simulate(endDay, thresholds, null, days);
          const sentThresholds = sent.map((s) => s.threshold);
          expect(new Set(sentThresholds).size).toBe(sentThresholds.length);
          expect(new Set(sent.map((s) => s.day)).size).toBe(sent.length);
          expect([...sentThresholds].sort((a, b) => b - a)).toEqual(sentThresholds);
          for (const s of sent) {
            // Crossed, and one of the configured thresholds.
            expect(endDay - s.day).toBeLessThanOrEqual(s.threshold);
            expect(thresholds).toContain(s.threshold);
          }
        },
      ),
    );
  });

  it.each([
    // [days left at each scan] -> [days left, threshold] sent, worked out by hand.
    {
      scans: [45, 20, 3, 0],
      sent: [
        [45, 60],
        [20, 30],
        [3, 7],
        [0, 1],
      ],
    },
    { scans: [70, 10, 10, 9], sent: [[10, 14]] },
    {
      scans: [61, 60, 59, 31, 30],
      sent: [
        [60, 60],
        [30, 30],
      ],
    },
    {
      scans: [8, 2, 1],
      sent: [
        [8, 14],
        [2, 7],
        [1, 1],
      ],
    },
  ])(
    "catching up after missed days sends the most urgent threshold only: $scans",
    ({ scans, sent }) => {
      const endDay = 20_600;
      const result = simulate(
        endDay,
        [60, 30, 14, 7, 1],
        null,
        scans.map((left) => endDay - left),
      );
      expect(result.map((s) => [endDay - s.day, s.threshold])).toEqual(sent);
    },
  );
});
