import { countField, withBusinessMetrics } from "../../shared/metrics.js";
import { createReconcileHandler } from "../../shared/partner-center/handlers.js";

/** Lambda entry point of the scheduled reconciliation with Partner Center. */
export const handler = withBusinessMetrics(createReconcileHandler(), (outcome) => {
  const unreadable = "result" in outcome ? countField(outcome.result, "tenantsUnreadable") : 0;
  return unreadable === undefined ? {} : { tenantsUnreadable: unreadable };
});
