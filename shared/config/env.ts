import * as z from "zod";
import { DEFAULT_REMINDER_THRESHOLDS, ReminderThresholds } from "./thresholds.js";

/**
 * Each function's environment, parsed once at module scope. The CDK stack builds the
 * `environment` block from the same schemas (see `environmentFor`), so a missing variable fails
 * at synth rather than at run time.
 */
const Common = {
  TABLE_NAME: z.string().min(3),
  POWERTOOLS_SERVICE_NAME: z.string().default("csp-transfer-tracker"),
  LOG_LEVEL: z.enum(["DEBUG", "INFO", "WARN", "ERROR"]).default("INFO"),
};

export const TrackerEnv = z.object({
  ...Common,
  EVENT_BUS_NAME: z.string().min(1),
  REMINDER_THRESHOLDS: ReminderThresholds.prefault(DEFAULT_REMINDER_THRESHOLDS),
});

export const ExpiryScanEnv = z.object({
  ...Common,
  EVENT_BUS_NAME: z.string().min(1),
  REMINDER_THRESHOLDS: ReminderThresholds.prefault(DEFAULT_REMINDER_THRESHOLDS),
});

export const NotifierEnv = z.object({
  ...Common,
  SENDER_EMAIL: z.email(),
  SES_CONFIGURATION_SET: z.string().optional(),
  REMINDER_THRESHOLDS: ReminderThresholds.prefault(DEFAULT_REMINDER_THRESHOLDS),
});

/**
 * The notifier's send lease (ms), for the local runtime and tests only: the stack leaves it unset
 * (60 s, longer than the notifier's 30-second timeout). Kept out of NotifierEnv so that the stack
 * need not set it.
 */
export const NotifierLeaseEnv = z.object({
  REMINDER_SEND_LEASE_MS: z.coerce.number().int().min(1_000).max(900_000).optional(),
});

export type TrackerEnv = z.infer<typeof TrackerEnv>;
export type ExpiryScanEnv = z.infer<typeof ExpiryScanEnv>;
export type NotifierEnv = z.infer<typeof NotifierEnv>;

/** The raw (string) environment a schema accepts: what the stack must set for a function. */
export type RawEnv<S extends z.ZodObject> = { [K in keyof z.input<S>]-?: string };

/** Parses `process.env` with a schema, failing with every missing or bad variable named. */
export function readEnv<S extends z.ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid function environment: ${problems.join("; ")}`);
  }
  return result.data;
}
