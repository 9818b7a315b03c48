import { createProcessorHandler } from "../../shared/partner-center/handlers.js";

/** Lambda entry point for "Partner Center Notification" events. */
export const handler = createProcessorHandler();
