import { DETAIL_TYPES } from "../../shared/events/registry.js";
import { createUpstreamHandler } from "../../shared/tracker/upstream-handler.js";

/** Lambda entry point for "Tenant Observed" events (a read of the customer's tenant). */
export const handler = createUpstreamHandler(DETAIL_TYPES.tenantObserved);
