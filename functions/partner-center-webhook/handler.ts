import { countField, withBusinessMetrics } from "../../shared/metrics.js";
import { createWebhookHandler } from "../../shared/partner-center/handlers.js";

/** Lambda entry point behind the Function URL Partner Center posts its webhooks to. */
export const handler = withBusinessMetrics(createWebhookHandler(), (outcome) => {
  const status = "result" in outcome ? countField(outcome.result, "statusCode") : undefined;
  return { webhooksRefused: status === 401 || status === 413 ? 1 : 0 };
});
