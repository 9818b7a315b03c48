import { withBusinessMetrics } from "../../shared/metrics.js";
import {
  createNotifierHandler,
  notifierDependencies,
} from "../../shared/reminders/notifier-handler.js";

/** Lambda entry point for "Reminder Digest Ready": emails the partner one digest. */
export const handler = withBusinessMetrics(
  createNotifierHandler(notifierDependencies()),
  (outcome) =>
    "result" in outcome && outcome.result.kind === "sent"
      ? { digestsSent: 1, remindersSent: outcome.result.rows }
      : { digestsSent: 0, remindersSent: 0 },
);
