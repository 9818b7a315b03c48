import {
  createExpiryScanHandler,
  expiryScanDependencies,
} from "../../shared/reminders/scan-handler.js";

/** Lambda entry point of the scheduled expiry scan (EventBridge Scheduler). */
export const handler = createExpiryScanHandler(expiryScanDependencies());
