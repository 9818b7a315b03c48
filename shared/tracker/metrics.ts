import { EventValidationError } from "../events/envelope.js";
import { withBusinessMetrics } from "../metrics.js";
import type { UpstreamHandler } from "./upstream-handler.js";

/** An upstream handler that counts events applied, and invalid events refused (dead-lettered). */
export function trackerMetrics(handler: UpstreamHandler): UpstreamHandler {
  return withBusinessMetrics(handler, (outcome) =>
    "result" in outcome
      ? { eventsApplied: outcome.result.kind === "applied" ? 1 : 0 }
      : { eventsRefused: outcome.error instanceof EventValidationError ? 1 : 0 },
  );
}
