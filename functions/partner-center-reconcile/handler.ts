import { createReconcileHandler } from "../../shared/partner-center/handlers.js";

/** Lambda entry point of the scheduled reconciliation with Partner Center. */
export const handler = createReconcileHandler();
