/**
 * Reminder-threshold arithmetic (SPEC section 4), pure: the days left until an end date, which
 * thresholds apply to a term, which one is crossed, and the date the next one falls due. The
 * store uses it to place an original in the reminder index; the scan and the notifier use it to
 * decide (shared/reminders/schedule.ts).
 */
import { daysBetween, utcDay } from "./time.js";

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

/** Whole UTC calendar days from `now`'s date to the end date's (negative once it is past). */
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
