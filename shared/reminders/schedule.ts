/** Pure reminder rules (SPEC section 4): which threshold is due, and when the next one falls. */
import { daysBetween, utcDay } from "../domain/time.js";

const DAY_MS = 86_400_000;

/** Length of a term in days (P1M = 30, P1Y = 365, P3Y = 1095); unknown term: no limit. */
export function termDays(termDuration: string | undefined): number {
  if (termDuration === undefined) return Number.POSITIVE_INFINITY;
  const match = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(termDuration);
  if (!match) return Number.POSITIVE_INFINITY;
  const [, years, months, weeks, days] = match.map((part) => Number(part ?? 0));
  return (years ?? 0) * 365 + (months ?? 0) * 30 + (weeks ?? 0) * 7 + (days ?? 0);
}

/** Thresholds (largest first) that apply to a subscription: none longer than its term. */
export function applicableThresholds(
  thresholds: readonly number[],
  termDuration: string | undefined,
): number[] {
  const limit = termDays(termDuration);
  return [...thresholds].filter((t) => t <= limit).sort((a, b) => b - a);
}

/** The most urgent crossed threshold: the smallest t with 0 <= daysLeft <= t, or null. */
export function mostUrgentThreshold(
  daysLeft: number,
  thresholds: readonly number[],
): number | null {
  if (daysLeft < 0) return null;
  const crossed = thresholds.filter((t) => daysLeft <= t);
  return crossed.length === 0 ? null : Math.min(...crossed);
}

export function daysLeftUntil(commitmentEndDate: string, now: string): number {
  return daysBetween(now, commitmentEndDate);
}

/**
 * The UTC date (YYYY-MM-DD) on which the next reminder for an original falls due: when the
 * largest applicable threshold below `remindedDown` (the smallest threshold already reminded)
 * is crossed. Null when no reminder remains.
 */
export function nextReminderDate(
  commitmentEndDate: string,
  thresholds: readonly number[],
  termDuration: string | undefined,
  remindedDown: number = Number.POSITIVE_INFINITY,
): string | null {
  const next = applicableThresholds(thresholds, termDuration).find((t) => t < remindedDown);
  if (next === undefined) return null;
  return new Date((utcDay(commitmentEndDate) - next) * DAY_MS).toISOString().slice(0, 10);
}

/** What one original needs for a reminder decision (a subset of its OriginalRecord). */
export type ReminderSubject = {
  commitmentEndDate: string;
  termDuration: string | null | undefined;
  state: "ACTIVE" | "EXPIRED" | "CANCELLED";
  transferRemindable: boolean;
};

/**
 * What the scan does with one original it found in the reminder index, at the scan's clock:
 * - `remind`: the most urgent crossed applicable threshold (one reminder, even after missed
 *   days), and the date the next (smaller) threshold falls due, or null when none remains;
 * - `reschedule`: nothing crossed yet (e.g. thresholds reconfigured): move the entry to `next`;
 * - `drop`: never again (ended, transfer INELIGIBLE/COMPLETED, end date past, no threshold).
 */
export type ReminderDecision =
  | { kind: "remind"; daysLeft: number; thresholdDays: number; next: string | null }
  | { kind: "reschedule"; daysLeft: number; next: string }
  | {
      kind: "drop";
      reason: "notActive" | "transferNotRemindable" | "pastEndDate" | "noThresholdLeft";
    };

export function reminderDecision(
  subject: ReminderSubject,
  thresholds: readonly number[],
  now: string,
): ReminderDecision {
  if (subject.state !== "ACTIVE") return { kind: "drop", reason: "notActive" };
  if (!subject.transferRemindable) return { kind: "drop", reason: "transferNotRemindable" };
  const daysLeft = daysLeftUntil(subject.commitmentEndDate, now);
  if (daysLeft < 0) return { kind: "drop", reason: "pastEndDate" };
  const term = subject.termDuration ?? undefined;
  const applicable = applicableThresholds(thresholds, term);
  const thresholdDays = mostUrgentThreshold(daysLeft, applicable);
  if (thresholdDays === null) {
    const next = nextReminderDate(subject.commitmentEndDate, thresholds, term);
    return next === null
      ? { kind: "drop", reason: "noThresholdLeft" }
      : { kind: "reschedule", daysLeft, next };
  }
  return {
    kind: "remind",
    daysLeft,
    thresholdDays,
    next: nextReminderDate(subject.commitmentEndDate, thresholds, term, thresholdDays),
  };
}
