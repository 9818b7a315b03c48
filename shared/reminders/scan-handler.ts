/** Wiring of the scheduled expiry scan: clients from the parsed environment, and the handler. */
import { Logger } from "@aws-lambda-powertools/logger";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { observed } from "../aws/call-observer.js";
import { ExpiryScanEnv, readEnv } from "../config/env.js";
import { documentClient } from "../store/clients.js";
import { EventPublisher } from "../tracker/event-publisher.js";
import { type ExpiryScanCounts, runExpiryScan, scanClockOf } from "./expiry-scan.js";

/** Time kept back from the Lambda limit to finish the page in hand and publish its claims. */
const DEADLINE_MARGIN_MS = 30_000;

export type ExpiryScanDependencies = {
  db: DynamoDBDocumentClient;
  tableName: string;
  publisher: EventPublisher;
  thresholds: readonly number[];
  logger: Logger;
};

export function expiryScanDependencies(
  env: NodeJS.ProcessEnv = process.env,
): ExpiryScanDependencies {
  const config = readEnv(ExpiryScanEnv, env);
  return {
    db: documentClient(),
    tableName: config.TABLE_NAME,
    publisher: new EventPublisher(observed(new EventBridgeClient({})), config.EVENT_BUS_NAME),
    thresholds: config.REMINDER_THRESHOLDS,
    logger: new Logger({ serviceName: config.POWERTOOLS_SERVICE_NAME, logLevel: config.LOG_LEVEL }),
  };
}

type LambdaContextLike = { getRemainingTimeInMillis?: () => number } | undefined;

/**
 * The scheduled scan. The clock is the invoking event's `time` (or `now`), else the current
 * time. Under Lambda it stops starting pages 30 s before the time limit; what it did not reach is
 * still due in the index and the next run picks it up (see README "Expiry reminders").
 */
export function createExpiryScanHandler(deps: ExpiryScanDependencies) {
  return async (event?: unknown, context?: LambdaContextLike): Promise<ExpiryScanCounts> => {
    const now = scanClockOf(event, () => new Date().toISOString());
    const remaining = context?.getRemainingTimeInMillis?.();
    const deadline =
      remaining === undefined
        ? undefined
        : Date.now() + Math.max(remaining - DEADLINE_MARGIN_MS, remaining / 2);
    const result = await runExpiryScan({
      db: deps.db,
      tableName: deps.tableName,
      publisher: deps.publisher,
      thresholds: deps.thresholds,
      now,
      deadline,
      logger: deps.logger,
    });
    if (!result.complete) {
      deps.logger.warn("expiry scan stopped at its deadline; the next run continues", {
        now,
        due: result.due,
      });
    }
    return {
      due: result.due,
      emitted: result.emitted,
      alreadyReminded: result.alreadyReminded,
      skipped: result.skipped,
    };
  };
}
