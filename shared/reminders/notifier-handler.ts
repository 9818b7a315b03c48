/** Wiring of the notifier: clients from the parsed environment, and the Lambda handler. */
import { Logger } from "@aws-lambda-powertools/logger";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { observed } from "../aws/call-observer.js";
import { NotifierEnv, NotifierLeaseEnv, readEnv } from "../config/env.js";
import { EventValidationError, parseEnvelope } from "../events/envelope.js";
import { DETAIL_TYPES } from "../events/registry.js";
import { documentClient } from "../store/clients.js";
import { type DigestOutcome, ReminderNotifier } from "./notifier.js";

export type NotifierDependencies = { notifier: ReminderNotifier; logger: Logger };

/** Clients built once per process (module scope in Lambda) from the parsed environment. */
export function notifierDependencies(env: NodeJS.ProcessEnv = process.env): NotifierDependencies {
  const config = readEnv(NotifierEnv, env);
  const { REMINDER_SEND_LEASE_MS: leaseMs } = readEnv(NotifierLeaseEnv, env);
  const logger = new Logger({
    serviceName: config.POWERTOOLS_SERVICE_NAME,
    logLevel: config.LOG_LEVEL,
  });
  return {
    notifier: new ReminderNotifier({
      db: documentClient(),
      tableName: config.TABLE_NAME,
      // The SDK's standard retry mode backs off on throttling too; this is the first layer.
      ses: observed(new SESv2Client({ maxAttempts: 4 })),
      senderEmail: config.SENDER_EMAIL,
      configurationSet: config.SES_CONFIGURATION_SET,
      thresholds: config.REMINDER_THRESHOLDS,
      leaseMs,
      logger,
    }),
    logger,
  };
}

/** The Lambda handler for `Reminder Digest Ready`: parse, send, log (no addresses or names). */
export function createNotifierHandler(deps: NotifierDependencies) {
  const { notifier, logger } = deps;
  return async (raw: unknown): Promise<DigestOutcome> => {
    logger.resetKeys();
    const event = parseEnvelope(raw);
    if (event.detailType !== DETAIL_TYPES.reminderDigestReady) {
      throw new EventValidationError(
        [
          {
            field: "detail-type",
            reason: `this function handles "${DETAIL_TYPES.reminderDigestReady}" only`,
          },
        ],
        event.id,
      );
    }
    const { digestId } = event.detail;
    logger.appendKeys({ eventId: event.id, digestId });
    const outcome = await notifier.sendDigest(digestId);
    if (outcome.kind === "skipped" && outcome.reason === "unknownDigest") {
      logger.warn("no stored digest has this id: nothing sent");
    }
    logger.info(`reminder digest ${outcome.kind}`, {
      ...(outcome.kind === "skipped" ? { reason: outcome.reason } : {}),
      ...(outcome.kind === "sent"
        ? { messageId: outcome.messageId, rows: outcome.rows, dropped: outcome.dropped }
        : {}),
    });
    return outcome;
  };
}
