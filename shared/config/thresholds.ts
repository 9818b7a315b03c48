import * as z from "zod";

export const DEFAULT_REMINDER_THRESHOLDS = "60,30,14,7,1";

/**
 * Reminder thresholds in days, as a comma-separated list ("60,30,14,7,1"). Parsed to distinct
 * whole numbers, largest first.
 */
export const ReminderThresholds = z
  .string()
  .trim()
  .regex(/^\d+(\s*,\s*\d+)*$/, "must be a comma-separated list of whole days, e.g. 60,30,14,7,1")
  .transform((value) => [...new Set(value.split(",").map((d) => Number(d.trim())))])
  .refine((days) => days.every((d) => d >= 0 && d <= 3650), {
    message: "each threshold must be between 0 and 3650 days",
  })
  .transform((days) => days.sort((a, b) => b - a));
