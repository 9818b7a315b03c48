/**
 * The notifier (SPEC section 4): on `Expiry Approaching`, emails the partner through SES and
 * records the reminder on the original (`reminders`, listed by `show`).
 *
 * One email per (subscription, end date, threshold), whatever duplicate deliveries happen. The
 * claim item the scan created (see claims.ts) is the guard:
 * 1. lease: a conditional update moves the claim from PENDING/EMITTED (or a SENDING whose lease
 *    expired) to SENDING with a random token and `leaseUntil`. A second delivery of the same
 *    event finds SENT (done: `duplicate`) or a live SENDING (it throws ReminderInFlightError,
 *    retryable: by the time it is retried the first has finished or its lease has run out);
 * 2. send the email (SES throttling retried with backoff; on any other SES error the lease is
 *    released so a retry can send);
 * 3. record, in one transaction: the claim SENT (only while this token holds the lease) and the
 *    reminder appended to the original's `reminders` list, so the reminder is listed once.
 *
 * The crash window: if the process dies (or DynamoDB keeps failing beyond step 3's in-place
 * retries) after SES accepted the email and before step 3 is done, the claim stays SENDING. The
 * delivery fails, Lambda / EventBridge retry it, and once the lease has expired the retry sends
 * the email again: the partner gets the same reminder twice. The design leans to AT LEAST ONCE
 * on purpose. A lost reminder can cost the customer a renewal or a gap in service (the last one
 * is sent a day before the end date, with nothing after it); a duplicate costs an extra email.
 * The window is a few milliseconds (one DynamoDB write after SES answers) and needs a crash
 * exactly there. The lease (60 s) is longer than the notifier's Lambda timeout (30 s), so a
 * live, slow sender is never overtaken.
 */
import { randomUUID } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { SESClient, SendEmailCommand } from "@aws-sdk/client-ses";
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { NotifierEnv, readEnv } from "../config/env.js";
import { utcDate } from "../domain/time.js";
import type { ExpiryApproaching } from "../events/details.js";
import { EventValidationError, parseEnvelope } from "../events/envelope.js";
import { DETAIL_TYPES } from "../events/registry.js";
import { documentClient } from "../store/clients.js";
import { isConditionalFailure } from "../store/errors.js";
import { originalSk, transferPk } from "../store/keys.js";
import type { OriginalRecord } from "../store/original-records.js";
import { backoffMs, sleep } from "../store/retry.js";
import { CLAIM_ITEM_TYPE, claimSk } from "./claims.js";
import { type ReminderEmail, renderReminderEmail } from "./email.js";

/** Must exceed the notifier's Lambda timeout (30 s), so a live sender keeps its lease. */
export const SEND_LEASE_MS = 60_000;
const THROTTLE_RETRIES = 6;
const RECORD_ATTEMPTS = 6;

export type NotifyOutcome =
  | { kind: "sent"; messageId: string }
  | { kind: "duplicate" }
  | { kind: "skipped"; reason: StaleReason };

export type StaleReason =
  | "originalNotTracked"
  | "originalEnded"
  | "transferNotRemindable"
  | "endDateChanged";

/** Another delivery of the same reminder holds the send lease; retry later. */
export class ReminderInFlightError extends Error {
  override readonly name = "ReminderInFlightError";
  readonly retryable = true;
}

export type NotifierOptions = {
  db: DynamoDBDocumentClient;
  tableName: string;
  ses: Pick<SESClient, "send">;
  senderEmail: string;
  configurationSet?: string | undefined;
  /** Wall clock in epoch ms (leases and `sentAt`). */
  clock?: () => number;
  leaseMs?: number;
  throttleRetries?: number;
  /** Base of the full-jitter backoff between throttled sends. */
  throttleBackoffMs?: number;
};

type OriginalItem = OriginalRecord & { pk: string; sk: string };

export class ReminderNotifier {
  private readonly clock: () => number;

  constructor(private readonly options: NotifierOptions) {
    this.clock = options.clock ?? Date.now;
  }

  async notify(event: ExpiryApproaching): Promise<NotifyOutcome> {
    const pk = transferPk(event);
    const sk = claimSk(event.subscriptionId, event.commitmentEndDate, event.thresholdDays);
    const original = await this.readOriginal(pk, event.subscriptionId);
    const stale = staleReason(original, event);
    if (stale) return this.skip(pk, sk, stale);

    const token = randomUUID();
    const lease = await this.acquire(pk, sk, event, token);
    if (lease !== "acquired") return lease;

    const email = renderReminderEmail(event, {
      autoRenewEnabled: original?.autoRenewEnabled ?? null,
    });
    let messageId: string;
    try {
      messageId = await this.send(event.partnerEmail, email);
    } catch (error) {
      await this.release(pk, sk, token);
      throw error;
    }
    // A crash here sends this email again after the lease expires (see the module comment).
    await this.record(pk, sk, event, token, messageId);
    return { kind: "sent", messageId };
  }

  private async readOriginal(pk: string, subscriptionId: string): Promise<OriginalItem | null> {
    const result = await this.options.db.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: { pk, sk: originalSk(subscriptionId) },
        ConsistentRead: true,
      }),
    );
    return (result.Item as OriginalItem | undefined) ?? null;
  }

  /**
   * The event is out of date (the original ended, the transfer was completed, the end date moved
   * since the scan): no email, and the unsent claim is deleted so a later change can claim again.
   */
  private async skip(pk: string, sk: string, reason: StaleReason): Promise<NotifyOutcome> {
    try {
      await this.options.db.send(
        new DeleteCommand({
          TableName: this.options.tableName,
          Key: { pk, sk },
          ConditionExpression: "#status IN (:pending, :emitted)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":pending": "PENDING", ":emitted": "EMITTED" },
        }),
      );
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
      if ((await this.claimStatus(pk, sk)) === "SENT") return { kind: "duplicate" };
    }
    return { kind: "skipped", reason };
  }

  /** Takes the send lease; a claim the scan never wrote (an event put by hand) is created. */
  private async acquire(
    pk: string,
    sk: string,
    event: ExpiryApproaching,
    token: string,
  ): Promise<"acquired" | NotifyOutcome> {
    const now = this.clock();
    try {
      await this.options.db.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { pk, sk },
          UpdateExpression:
            "SET #status = :sending, leaseToken = :token, leaseUntil = :until, " +
            "attempts = if_not_exists(attempts, :zero) + :one, itemType = :type, " +
            "subscriptionId = :subscriptionId, thresholdDays = :thresholdDays, " +
            "commitmentEndDate = if_not_exists(commitmentEndDate, :end), " +
            "detail = if_not_exists(detail, :detail) " +
            "REMOVE reminderShard, reminderDue",
          ConditionExpression:
            "attribute_not_exists(pk) OR #status IN (:pending, :emitted) OR " +
            "(#status = :sending AND leaseUntil < :now)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":sending": "SENDING",
            ":pending": "PENDING",
            ":emitted": "EMITTED",
            ":token": token,
            ":until": now + (this.options.leaseMs ?? SEND_LEASE_MS),
            ":now": now,
            ":zero": 0,
            ":one": 1,
            ":type": CLAIM_ITEM_TYPE,
            ":subscriptionId": event.subscriptionId,
            ":thresholdDays": event.thresholdDays,
            ":end": event.commitmentEndDate,
            ":detail": event,
          },
        }),
      );
      return "acquired";
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
    }
    const status = await this.claimStatus(pk, sk);
    if (status === "SENT") return { kind: "duplicate" };
    throw new ReminderInFlightError(
      `reminder ${sk} of ${pk} is being sent by another delivery (status ${status ?? "gone"})`,
    );
  }

  /** SES failed before accepting the email: give the lease back so a retry sends at once. */
  private async release(pk: string, sk: string, token: string): Promise<void> {
    try {
      await this.options.db.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { pk, sk },
          UpdateExpression: "SET #status = :emitted REMOVE leaseToken, leaseUntil",
          ConditionExpression: "leaseToken = :token",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":emitted": "EMITTED", ":token": token },
        }),
      );
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
    }
  }

  private async send(to: string, email: ReminderEmail): Promise<string> {
    const retries = this.options.throttleRetries ?? THROTTLE_RETRIES;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.options.ses.send(
          new SendEmailCommand({
            Source: this.options.senderEmail,
            Destination: { ToAddresses: [to] },
            Message: {
              Subject: { Data: email.subject, Charset: "UTF-8" },
              Body: {
                Html: { Data: email.html, Charset: "UTF-8" },
                Text: { Data: email.text, Charset: "UTF-8" },
              },
            },
            ...(this.options.configurationSet
              ? { ConfigurationSetName: this.options.configurationSet }
              : {}),
          }),
        );
        return result.MessageId ?? "";
      } catch (error) {
        // The SDK's own retry already backed off a few times; keep going a little longer for
        // the account's sending rate, which frees up within a second.
        if (!isSendingRateThrottle(error) || attempt >= retries) throw error;
        await sleep(backoffMs(attempt, this.options.throttleBackoffMs ?? 200, 5_000));
      }
    }
  }

  /** Claim SENT and the reminder listed on the original, together (see the module comment). */
  private async record(
    pk: string,
    sk: string,
    event: ExpiryApproaching,
    token: string,
    messageId: string,
  ): Promise<void> {
    const sentAt = new Date(this.clock()).toISOString();
    const claimSent = {
      TableName: this.options.tableName,
      Key: { pk, sk },
      UpdateExpression:
        "SET #status = :sent, sentAt = :sentAt, messageId = :messageId REMOVE leaseToken, leaseUntil",
      ConditionExpression: "leaseToken = :token",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: {
        ":sent": "SENT",
        ":sentAt": sentAt,
        ":messageId": messageId,
        ":token": token,
      },
    };
    for (let attempt = 0; attempt < RECORD_ATTEMPTS; attempt++) {
      try {
        await this.options.db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Update: claimSent },
              {
                Update: {
                  TableName: this.options.tableName,
                  Key: { pk, sk: originalSk(event.subscriptionId) },
                  UpdateExpression:
                    "SET reminders = list_append(if_not_exists(reminders, :none), :reminder)",
                  ConditionExpression: "attribute_exists(pk)",
                  ExpressionAttributeValues: {
                    ":none": [],
                    ":reminder": [{ thresholdDays: event.thresholdDays, sentAt }],
                  },
                },
              },
            ],
          }),
        );
        return;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) {
          // The email is out: failing the delivery now would send it again once the lease
          // expires. A transient fault is retried here (the write is guarded by the token, so a
          // retry after an applied-but-unanswered write finds the claim SENT and stops).
          if (!isTransientFault(error) || attempt >= RECORD_ATTEMPTS - 1) throw error;
          await sleep(backoffMs(attempt));
          continue;
        }
        const codes = (error.CancellationReasons ?? []).map((r) => r.Code ?? "None");
        if (codes[0] === "ConditionalCheckFailed") {
          // Our lease ran out and another delivery took over (this one was slower than the
          // lease): that delivery sends and records its own. Nothing more to do here.
          return;
        }
        if (codes[1] === "ConditionalCheckFailed") {
          // The original was dropped from the transfer meanwhile: the claim alone records it.
          await this.options.db.send(new UpdateCommand(claimSent));
          return;
        }
        await sleep(backoffMs(attempt));
      }
    }
    throw new Error(`could not record reminder ${sk} of ${pk} after ${RECORD_ATTEMPTS} attempts`);
  }

  private async claimStatus(pk: string, sk: string): Promise<string | null> {
    const result = await this.options.db.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: { pk, sk },
        ConsistentRead: true,
        ProjectionExpression: "#status",
        ExpressionAttributeNames: { "#status": "status" },
      }),
    );
    return (result.Item?.status as string | undefined) ?? null;
  }
}

function staleReason(original: OriginalItem | null, event: ExpiryApproaching): StaleReason | null {
  if (!original) return "originalNotTracked";
  if (original.state !== "ACTIVE") return "originalEnded";
  if (!original.transferRemindable) return "transferNotRemindable";
  if (utcDate(original.commitmentEndDate) !== utcDate(event.commitmentEndDate)) {
    return "endDateChanged";
  }
  return null;
}

const TRANSIENT_FAULTS = new Set([
  "ThrottlingException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "InternalServerError",
  "ServiceUnavailable",
  "TimeoutError",
  "RequestTimeout",
]);

/** Throttling, a timeout or a service error that outlasted the SDK's own retries. */
function isTransientFault(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const details = error as Error & { $metadata?: { httpStatusCode?: number } };
  return TRANSIENT_FAULTS.has(error.name) || (details.$metadata?.httpStatusCode ?? 0) >= 500;
}

/** SES's "Throttling: Maximum sending rate exceeded" (not the daily quota, which lasts hours). */
export function isSendingRateThrottle(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const throttling = ["Throttling", "ThrottlingException", "TooManyRequestsException"];
  if (/daily message quota/i.test(error.message)) return false;
  return throttling.includes(error.name) || /maximum sending rate/i.test(error.message);
}

export type NotifierDependencies = { notifier: ReminderNotifier; logger: Logger };

/** Clients built once per process (module scope in Lambda) from the parsed environment. */
export function notifierDependencies(env: NodeJS.ProcessEnv = process.env): NotifierDependencies {
  const config = readEnv(NotifierEnv, env);
  return {
    notifier: new ReminderNotifier({
      db: documentClient(),
      tableName: config.TABLE_NAME,
      // The SDK's standard retry mode backs off on Throttling too; this is the first layer.
      ses: new SESClient({ maxAttempts: 4 }),
      senderEmail: config.SENDER_EMAIL,
      configurationSet: config.SES_CONFIGURATION_SET,
    }),
    logger: new Logger({ serviceName: config.POWERTOOLS_SERVICE_NAME, logLevel: config.LOG_LEVEL }),
  };
}

/** The Lambda handler for `Expiry Approaching`: parse, notify, log (no addresses or names). */
export function createNotifierHandler(deps: NotifierDependencies) {
  const { notifier, logger } = deps;
  return async (raw: unknown): Promise<NotifyOutcome> => {
    logger.resetKeys();
    const event = parseEnvelope(raw);
    if (event.detailType !== DETAIL_TYPES.expiryApproaching) {
      throw new EventValidationError(
        [{ field: "detail-type", reason: `this function handles "Expiry Approaching" only` }],
        event.id,
      );
    }
    const { partnerId, customerTenantId, subscriptionId, thresholdDays, daysLeft } = event.detail;
    logger.appendKeys({ eventId: event.id, partnerId, customerTenantId, subscriptionId });
    const outcome = await notifier.notify(event.detail);
    logger.info(`reminder ${outcome.kind}`, {
      thresholdDays,
      daysLeft,
      ...(outcome.kind === "skipped" ? { reason: outcome.reason } : {}),
      ...(outcome.kind === "sent" ? { messageId: outcome.messageId } : {}),
    });
    return outcome;
  };
}
