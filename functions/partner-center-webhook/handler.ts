import { createWebhookHandler } from "../../shared/partner-center/handlers.js";

/** Lambda entry point behind the Function URL Partner Center posts its webhooks to. */
export const handler = createWebhookHandler();
