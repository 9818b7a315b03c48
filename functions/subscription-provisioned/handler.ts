import { DETAIL_TYPES } from "../../shared/events/registry.js";
import { createUpstreamHandler } from "../../shared/tracker/upstream-handler.js";

/** Lambda entry point for "Subscription Provisioned" events. */
export const handler = createUpstreamHandler(DETAIL_TYPES.subscriptionProvisioned);
