import { Logger } from "@aws-lambda-powertools/logger";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { EventBridgeEvent } from "aws-lambda";
import { observed } from "../aws/call-observer.js";
import { readEnv, TrackerEnv } from "../config/env.js";
import { EventValidationError, parseUpstreamEvent } from "../events/envelope.js";
import type { UpstreamDetailType } from "../events/registry.js";
import { documentClient } from "../store/clients.js";
import { classifyStoreError } from "../store/errors.js";
import { type ApplyOutcome, TransferStore } from "../store/transfer-store.js";
import { EventPublisher } from "./event-publisher.js";

export type UpstreamHandler = (event: EventBridgeEvent<string, unknown>) => Promise<ApplyOutcome>;

export type UpstreamDependencies = {
  store: TransferStore;
  publisher: EventPublisher;
  logger: Logger;
};

/** Builds the AWS clients once per process (module scope in Lambda), from the parsed env. */
export function upstreamDependencies(env: NodeJS.ProcessEnv = process.env): UpstreamDependencies {
  const config = readEnv(TrackerEnv, env);
  return {
    store: new TransferStore(documentClient(), config.TABLE_NAME, config.REMINDER_THRESHOLDS),
    publisher: new EventPublisher(observed(new EventBridgeClient({})), config.EVENT_BUS_NAME),
    logger: new Logger({ serviceName: config.POWERTOOLS_SERVICE_NAME, logLevel: config.LOG_LEVEL }),
  };
}

/**
 * The handler for one upstream detail-type: parse, apply to the stored transfer, and publish
 * `Transfer Status Changed` when the status moved. An invalid event throws EventValidationError
 * (not retryable) and changes nothing.
 */
export function createUpstreamHandler(
  detailType: UpstreamDetailType,
  deps: UpstreamDependencies = upstreamDependencies(),
): UpstreamHandler {
  const { store, publisher, logger } = deps;
  return async (raw) => {
    logger.resetKeys();
    logger.appendKeys({ eventId: raw?.id, detailType: raw?.["detail-type"] });
    let event: ReturnType<typeof parseUpstreamEvent>;
    try {
      event = parseUpstreamEvent(raw);
      if (event.detailType !== detailType) {
        throw new EventValidationError(
          [{ field: "detail-type", reason: `this function handles "${detailType}" only` }],
          event.id,
        );
      }
    } catch (error) {
      if (error instanceof EventValidationError) {
        logger.warn("rejected invalid event", { issues: error.issues });
      }
      throw error;
    }
    const { partnerId, customerTenantId } = event.detail;
    logger.appendKeys({ partnerId, customerTenantId });
    const outcome = await store.apply(event).catch((error: unknown) => {
      throw classifyStoreError(error);
    });
    // A duplicate re-publishes the status change its first delivery recorded, in case that
    // delivery died before publishing (at-least-once; the detail is identical each time).
    const change = outcome.statusChange;
    if (change) {
      await publisher.publish([
        {
          detailType: "Transfer Status Changed",
          detail: { partnerId, customerTenantId, ...change },
        },
      ]);
    }
    logger.info(outcome.kind === "applied" ? "event applied" : "duplicate event ignored", {
      ...(outcome.kind === "applied" ? { status: outcome.status, version: outcome.version } : {}),
      statusChange: change ?? undefined,
    });
    return outcome;
  };
}
