import { DETAIL_TYPES } from "../../shared/events/registry.js";
import { trackerMetrics } from "../../shared/tracker/metrics.js";
import { createUpstreamHandler } from "../../shared/tracker/upstream-handler.js";

/** Lambda entry point for "Invitation Sent" events. */
export const handler = trackerMetrics(createUpstreamHandler(DETAIL_TYPES.invitationSent));
