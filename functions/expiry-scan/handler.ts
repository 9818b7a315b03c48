import { withBusinessMetrics } from "../../shared/metrics.js";
import {
  createExpiryScanHandler,
  expiryScanDependencies,
} from "../../shared/reminders/scan-handler.js";

const scan = createExpiryScanHandler(expiryScanDependencies());

/**
 * Lambda entry point of the expiry scan: EventBridge Scheduler's event (its `time` is the
 * clock), or a direct invocation `{now?}` (`cli scan --stack`), which answers the scan's counts.
 * A `now` ahead of the real clock is refused: the deployed scan never runs in the future.
 */
export const handler = withBusinessMetrics(
  async (event?: unknown, context?: Parameters<typeof scan>[1]) => {
    const now = (event as { now?: unknown } | undefined)?.now;
    if (typeof now === "string" && Date.parse(now) > Date.now()) {
      throw new Error(`now ${now} is ahead of the real clock; the deployed scan refuses it`);
    }
    return scan(event, context);
  },
  (outcome) => ("result" in outcome ? { remindersDue: outcome.result.emitted } : {}),
);
