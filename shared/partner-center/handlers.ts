/**
 * The connector's Lambda entry points, built lazily on the first invocation: the local runtime
 * loads every handler module at start, and with the connector off nothing here may fail at
 * import. Deployed, the client secret is read from Secrets Manager on that first invocation.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { EventBridgeEvent, LambdaFunctionURLEvent } from "aws-lambda";
import { observed } from "../aws/call-observer.js";
import { readEnv } from "../config/env.js";
import { EventValidationError, parseEnvelope } from "../events/envelope.js";
import { DETAIL_TYPES } from "../events/registry.js";
import { functionUrlHandler } from "../http/function-url-adapter.js";
import { documentClient } from "../store/clients.js";
import { PartnerCenterError } from "./api-errors.js";
import { readConnectorConfig } from "./config.js";
import { connectorDeps, notificationForwarder, webhookVerifier } from "./connector.js";
import { ConnectorRuntimeEnv, PartnerCenterWebhookEnv } from "./env.js";
import { type ConnectorDeps, processNotification } from "./processor.js";
import { reconcile } from "./reconcile.js";
import { environmentWithSecret } from "./secret.js";
import { partnerCenterWebhookRoute } from "./webhook-route.js";

function loggerFor(env: NodeJS.ProcessEnv): Logger {
  const level = env.LOG_LEVEL as "DEBUG" | "INFO" | "WARN" | "ERROR" | undefined;
  return new Logger({
    serviceName: env.POWERTOOLS_SERVICE_NAME ?? "csp-transfer-tracker",
    logLevel: level ?? "INFO",
  });
}

async function buildConnector(logger?: Logger): Promise<ConnectorDeps> {
  const runtime = readEnv(ConnectorRuntimeEnv);
  const config = readConnectorConfig(await environmentWithSecret(process.env));
  if (!config.enabled) {
    throw new PartnerCenterError("the Partner Center connector is not configured", false);
  }
  return connectorDeps(
    config.api,
    { db: documentClient(), events: observed(new EventBridgeClient({})) },
    { tableName: runtime.TABLE_NAME, busName: runtime.EVENT_BUS_NAME },
    (level, message, fields) => logger?.[level](message, fields),
  );
}

/** Memoises a start-up that may fail: a failed start is tried again on the next invocation. */
function lazily<T>(start: () => Promise<T>): () => Promise<T> {
  let started: Promise<T> | null = null;
  return () => {
    started ??= start().catch((error: unknown) => {
      started = null;
      throw error;
    });
    return started;
  };
}

/** `Partner Center Notification` from the bus → the tracker's events. */
export function createProcessorHandler() {
  const logger = loggerFor(process.env);
  const deps = lazily(buildConnector);
  return async (raw: EventBridgeEvent<string, unknown>) => {
    logger.resetKeys();
    logger.appendKeys({ eventId: raw?.id });
    const event = parseEnvelope(raw);
    if (event.detailType !== DETAIL_TYPES.partnerCenterNotification) {
      throw new EventValidationError(
        [
          {
            field: "detail-type",
            reason: "this function handles Partner Center Notification only",
          },
        ],
        event.id,
      );
    }
    const { EventName, ResourceChangeUtcDate } = event.detail;
    logger.appendKeys({ EventName, ResourceChangeUtcDate });
    try {
      const outcome = await processNotification(event.detail, await deps());
      logger.info(outcome.note, { emitted: outcome.emitted.map((e) => e.detailType) });
      return { emitted: outcome.emitted.length, note: outcome.note };
    } catch (error) {
      if (error instanceof PartnerCenterError) {
        logger.warn("notification not processed", {
          reason: error.message,
          retryable: error.retryable,
        });
      }
      throw error;
    }
  };
}

/** The daily reconciliation (EventBridge Scheduler). */
export function createReconcileHandler() {
  const logger = loggerFor(process.env);
  const deps = lazily(() => buildConnector(logger));
  return async () => {
    const result = await reconcile(await deps());
    logger.info("reconciled", result);
    return result;
  };
}

/** The webhook behind the Function URL: the same route the local web server serves. */
export function createWebhookHandler() {
  const logger = loggerFor(process.env);
  const routes = lazily(async () => {
    const env = readEnv(PartnerCenterWebhookEnv);
    const config = readConnectorConfig(process.env);
    return [
      partnerCenterWebhookRoute({
        // Deployed: https certificate URLs only.
        verifier: webhookVerifier(config.receiver, { allowHttpLoopback: false }),
        forward: notificationForwarder(observed(new EventBridgeClient({})), env.EVENT_BUS_NAME),
        log: (level, message, fields) => logger[level](message, fields),
      }),
    ];
  });
  const serve = functionUrlHandler(routes, (message, error) =>
    logger.error(message, error as Error),
  );
  return (event: LambdaFunctionURLEvent) => serve(event);
}
