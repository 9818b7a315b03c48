/**
 * The reminder decision (SPEC section 4), pure: what the scan, and the notifier at sending time,
 * do with one original at a clock. The threshold arithmetic is in shared/domain/reminder-schedule.ts.
 */
import {
  applicableThresholds,
  daysLeftUntil,
  mostUrgentThreshold,
  nextReminderDate,
} from "../domain/reminder-schedule.js";

/** Kept for the `due` listing, which counts days left the same way. */
export { daysLeftUntil };

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
