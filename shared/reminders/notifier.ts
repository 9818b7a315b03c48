/**
 * The notifier (SPEC section 4): on `Reminder Digest Ready`, emails the partner one digest — every
 * original the scan run made due for that address — through SES, and records each reminder on
 * its original (`reminders`, listed by `show`).
 *
 * It trusts only the store. The event names a digest and nothing else: the recipient is the
 * digest's (the address the originals carry), and names, offers, seats, end dates, replacements
 * and warnings are read from the original items at sending time. A digest event the store does
 * not know sends nothing and is logged. Each row is checked again at sending time and dropped
 * (its claim deleted, so a later scan can claim it afresh) unless the original is still active,
 * its transfer still remindable, its end date today or later, its expiry the claimed one (not
 * renewed since), its address the digest's, and the claim's threshold both a configured threshold
 * and still the most urgent one crossed. Days left are counted from the sending time: the scan's
 * clock advanced by the wall time since the digest was formed (so a simulated `scan --now` and a
 * redrive two days later both say the truth).
 *
 * One email per digest, whatever duplicate deliveries happen; the digest item is the guard:
 * 1. lease: a conditional update moves the digest from PENDING/EMITTED (or a SENDING whose lease
 *    expired) to SENDING with a random token and `leaseUntil`. A second delivery finds SENT
 *    (`duplicate`) or a live SENDING (ReminderInFlightError, retryable);
 * 2. send the email (SES throttling retried with backoff; on any other SES error the lease is
 *    released so a retry can send);
 * 3. record the digest SENT with the rows it listed: ONE conditional write after SES answered;
 * 4. record each row: its claim SENT and the reminder appended to its original, one small
 *    transaction per row, retried in place. A row that still fails fails the delivery; the retry
 *    finds the digest SENT and records only the rows not yet recorded. Nothing is sent again.
 *
 * The crash window: if the process dies (or DynamoDB keeps failing beyond step 3's in-place
 * retries) after SES accepted the email and before step 3 is done, the digest stays SENDING. The
 * delivery fails, Lambda / EventBridge retry it, and once the lease has expired the retry sends the
 * digest again: the partner gets the same digest twice. The design leans to AT LEAST ONCE on
 * purpose: a lost reminder can cost the customer a renewal or a gap in service; a duplicate costs
 * an extra email. The window is one DynamoDB write after SES answers, as small as with one email
 * per reminder. The lease (60 s) is longer than the notifier's Lambda timeout (30 s), so a live,
 * slow sender is never overtaken.
 */
import { randomUUID } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { observed } from "../aws/call-observer.js";
import { mapLimited } from "../concurrency.js";
import { NotifierEnv, readEnv } from "../config/env.js";
import { partnerKeyOf } from "../digest/batches.js";
import type { DigestRow } from "../digest/content.js";
import { type DigestEmail, renderDigest } from "../digest/email.js";
import { instantOf, utcDate } from "../domain/time.js";
import { EventValidationError, parseEnvelope } from "../events/envelope.js";
import { DETAIL_TYPES } from "../events/registry.js";
import { documentClient } from "../store/clients.js";
import { isConditionalFailure } from "../store/errors.js";
import { originalSk } from "../store/keys.js";
import type { OriginalRecord } from "../store/original-records.js";
import { backoffMs, sleep } from "../store/retry.js";
import { batchGetAll, keyOf } from "./batch-get.js";
import { type ClaimItem, claimSk, type ExpiryMemory, expiryOf } from "./claims.js";
import { DIGEST_SK, type DigestItem, type DigestRowRef, digestPk } from "./digests.js";
import { daysLeftUntil, reminderDecision } from "./schedule.js";

/** Must exceed the notifier's Lambda timeout (30 s), so a live sender keeps its lease. */
export const SEND_LEASE_MS = 60_000;
const THROTTLE_RETRIES = 6;
const RECORD_ATTEMPTS = 6;
const ROW_CONCURRENCY = 8;

export type DigestOutcome =
  | { kind: "sent"; messageId: string; rows: number; dropped: number }
  | { kind: "duplicate" }
  | { kind: "skipped"; reason: "unknownDigest" | "superseded" | "nothingToSend"; dropped?: number };

/** Why a row of a digest is not sent (its claim is deleted). */
export type DropReason =
  | "originalNotTracked"
  | "originalEnded"
  | "transferNotRemindable"
  | "recipientChanged"
  | "unknownThreshold"
  | "renewed"
  | "pastEndDate"
  | "superseded"
  | "notDueYet";

/** Another delivery of the same digest holds the send lease; retry later. */
export class ReminderInFlightError extends Error {
  override readonly name = "ReminderInFlightError";
  readonly retryable = true;
}

/** Some rows of a sent digest could not be recorded yet; the retry records the rest. */
export class DigestRecordError extends Error {
  override readonly name = "DigestRecordError";
  readonly retryable = true;
}

type NotifierLogger = Pick<Logger, "info" | "warn">;

export type NotifierOptions = {
  db: DynamoDBDocumentClient;
  tableName: string;
  ses: Pick<SESv2Client, "send">;
  senderEmail: string;
  configurationSet?: string | undefined;
  /** The configured reminder thresholds: a claim naming any other is not sent. */
  thresholds: readonly number[];
  /** Wall clock in epoch ms (leases, `sentAt`, days left). */
  clock?: () => number;
  leaseMs?: number;
  throttleRetries?: number;
  /** Base of the full-jitter backoff between throttled sends. */
  throttleBackoffMs?: number;
  logger?: NotifierLogger;
};

type OriginalItem = OriginalRecord & ExpiryMemory & { pk: string; sk: string };
type SendableRow = { index: number; claim: ClaimItem; row: DigestRow };

export class ReminderNotifier {
  private readonly clock: () => number;

  constructor(private readonly options: NotifierOptions) {
    this.clock = options.clock ?? Date.now;
  }

  async sendDigest(digestId: string): Promise<DigestOutcome> {
    const digest = await this.readDigest(digestId);
    if (!digest) return { kind: "skipped", reason: "unknownDigest" };
    if (digest.status === "SENT") {
      await this.recordRows(digest);
      return { kind: "duplicate" };
    }
    if (digest.status === "SUPERSEDED") return { kind: "skipped", reason: "superseded" };

    const token = randomUUID();
    const lease = await this.acquire(digest, token);
    if (lease !== "acquired") return lease;

    const now = this.sendingClock(digest);
    let messageId: string;
    let rows: SendableRow[];
    let dropped: number;
    try {
      ({ rows, dropped } = await this.rowsToSend(digest, now));
      if (rows.length === 0) {
        await this.recordSent(digest, token, null, [], now);
        return { kind: "skipped", reason: "nothingToSend", dropped };
      }
      const email = renderDigest(
        rows.map((r) => r.row),
        { now: new Date(now), thresholds: this.options.thresholds },
      );
      messageId = await this.send(digest.partnerEmail, email);
    } catch (error) {
      // Nothing was sent (SES did not accept it): give the lease back so a retry sends at once.
      await this.release(digest, token);
      throw error;
    }
    // A crash here sends this digest again after the lease expires (see the module comment).
    const sent = await this.recordSent(
      digest,
      token,
      messageId,
      rows.map((r) => r.index),
      now,
    );
    if (sent) await this.recordRows(sent, new Map(rows.map((r) => [keyOf(r.claim), r.claim])));
    return { kind: "sent", messageId, rows: rows.length, dropped };
  }

  /**
   * The sending time on the scan's clock: the scan's `now` advanced by the wall time since the
   * digest was formed (in production the two clocks agree; `scan --now` simulates a date).
   */
  private sendingClock(digest: DigestItem): number {
    const elapsed = Math.max(0, this.clock() - Date.parse(digest.createdAt));
    return (
      (digest.scanClock ? instantOf(digest.scanClock) : Date.parse(digest.createdAt)) + elapsed
    );
  }

  private async readDigest(digestId: string): Promise<DigestItem | null> {
    const result = await this.options.db.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: { pk: digestPk(digestId), sk: DIGEST_SK },
        ConsistentRead: true,
      }),
    );
    return (result.Item as DigestItem | undefined) ?? null;
  }

  /** Takes the send lease; the digest leaves the PENDING index (if its scan had not yet). */
  private async acquire(digest: DigestItem, token: string): Promise<"acquired" | DigestOutcome> {
    const now = this.clock();
    try {
      await this.options.db.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { pk: digest.pk, sk: DIGEST_SK },
          UpdateExpression:
            "SET #status = :sending, leaseToken = :token, leaseUntil = :until, " +
            "attempts = if_not_exists(attempts, :zero) + :one REMOVE reminderShard, reminderDue",
          ConditionExpression:
            "#status IN (:pending, :emitted) OR (#status = :sending AND leaseUntil < :now)",
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
          },
        }),
      );
      return "acquired";
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
    }
    const current = await this.readDigest(digest.digestId);
    if (current?.status === "SENT") {
      await this.recordRows(current);
      return { kind: "duplicate" };
    }
    if (current?.status === "SUPERSEDED") return { kind: "skipped", reason: "superseded" };
    throw new ReminderInFlightError(
      `digest ${digest.digestId} is being sent by another delivery (status ${current?.status ?? "gone"})`,
    );
  }

  /** The digest's own claims that may still be sent now; the others are dropped and deleted. */
  private async rowsToSend(digest: DigestItem, now: number) {
    const claims = await batchGetAll<ClaimItem>(
      this.options.db,
      this.options.tableName,
      digest.rows,
    );
    const mine = digest.rows.flatMap((ref, index) => {
      const claim = claims.get(keyOf(ref));
      // Not this digest's (taken into a later run's digest) or already recorded: not listed.
      return claim?.digestId === digest.digestId && claim.status === "EMITTED"
        ? [{ index, claim }]
        : [];
    });
    const originals = await batchGetAll<OriginalItem>(
      this.options.db,
      this.options.tableName,
      mine.map(({ claim }) => ({ pk: claim.pk, sk: originalSk(claim.subscriptionId) })),
    );
    const nowIso = new Date(now).toISOString();
    const rows: SendableRow[] = [];
    const dropped: { claim: ClaimItem; reason: DropReason }[] = [];
    for (const { index, claim } of mine) {
      const original =
        originals.get(keyOf({ pk: claim.pk, sk: originalSk(claim.subscriptionId) })) ?? null;
      const reason = this.dropReason(claim, original, digest, nowIso);
      if (reason || !original) dropped.push({ claim, reason: reason ?? "originalNotTracked" });
      else rows.push({ index, claim, row: rowOf(original, claim, nowIso) });
    }
    await mapLimited(dropped, ROW_CONCURRENCY, ({ claim }) => this.dropClaim(digest, claim));
    if (dropped.length > 0) {
      const reasons: Record<string, number> = {};
      for (const { reason } of dropped) reasons[reason] = (reasons[reason] ?? 0) + 1;
      this.options.logger?.warn("reminder digest rows not sent: the store disagrees", {
        digestId: digest.digestId,
        reasons,
      });
    }
    return { rows, dropped: dropped.length };
  }

  private dropReason(
    claim: ClaimItem,
    original: OriginalItem | null,
    digest: DigestItem,
    now: string,
  ): DropReason | null {
    if (!original) return "originalNotTracked";
    if (original.state !== "ACTIVE") return "originalEnded";
    if (!original.transferRemindable) return "transferNotRemindable";
    if (partnerKeyOf(original.partnerEmail) !== digest.partnerKey) return "recipientChanged";
    const expiry = claim.expiry ?? utcDate(claim.commitmentEndDate);
    if (
      !this.options.thresholds.includes(claim.thresholdDays) ||
      claim.sk !== claimSk(claim.subscriptionId, expiry, claim.thresholdDays)
    ) {
      return "unknownThreshold";
    }
    if (expiryOf(original).key !== expiry) return "renewed";
    const decision = reminderDecision(original, this.options.thresholds, now);
    if (decision.kind === "drop") {
      return decision.reason === "pastEndDate" ? "pastEndDate" : "notDueYet";
    }
    if (decision.kind === "reschedule") return "notDueYet";
    if (decision.thresholdDays < claim.thresholdDays) return "superseded";
    if (decision.thresholdDays > claim.thresholdDays) return "notDueYet";
    return null;
  }

  /** Nothing was sent for this claim: delete it, so that a later scan may claim it afresh. */
  private async dropClaim(digest: DigestItem, claim: ClaimItem): Promise<void> {
    try {
      await this.options.db.send(
        new DeleteCommand({
          TableName: this.options.tableName,
          Key: { pk: claim.pk, sk: claim.sk },
          ConditionExpression: "digestId = :digest AND #status = :emitted",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":digest": digest.digestId, ":emitted": "EMITTED" },
        }),
      );
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
    }
  }

  /** Nothing was sent: give the lease back (if still ours) so that a retry sends at once. */
  private async release(digest: DigestItem, token: string): Promise<void> {
    try {
      await this.options.db.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { pk: digest.pk, sk: DIGEST_SK },
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

  private async send(to: string, email: DigestEmail): Promise<string> {
    const retries = this.options.throttleRetries ?? THROTTLE_RETRIES;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.options.ses.send(
          new SendEmailCommand({
            FromEmailAddress: this.options.senderEmail,
            Destination: { ToAddresses: [to] },
            Content: {
              Simple: {
                Subject: { Data: email.subject, Charset: "UTF-8" },
                Body: {
                  Html: { Data: email.html, Charset: "UTF-8" },
                  Text: { Data: email.text, Charset: "UTF-8" },
                },
                Attachments: [
                  {
                    FileName: email.calendar.fileName,
                    ContentType: email.calendar.contentType,
                    ContentDisposition: "ATTACHMENT",
                    RawContent: Buffer.from(email.calendar.content, "utf8"),
                  },
                ],
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

  /**
   * Step 3: the digest SENT with the rows it listed (the one write after SES answered). Returns
   * the digest as recorded, or null when another delivery took over after this one's lease ran
   * out (it sends and records its own).
   */
  private async recordSent(
    digest: DigestItem,
    token: string,
    messageId: string | null,
    sentRows: number[],
    now: number,
  ): Promise<DigestItem | null> {
    const sentAt = new Date(now).toISOString();
    const update: UpdateCommandInput = {
      TableName: this.options.tableName,
      Key: { pk: digest.pk, sk: DIGEST_SK },
      UpdateExpression:
        "SET #status = :sent, sentAt = :sentAt, sentRows = :rows, rowsRecorded = :recorded, " +
        "sentToken = :token" +
        (messageId ? ", messageId = :messageId" : "") +
        " REMOVE leaseToken, leaseUntil",
      ConditionExpression: "leaseToken = :token",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: {
        ":sent": "SENT",
        ":sentAt": sentAt,
        ":rows": sentRows,
        ":recorded": sentRows.length === 0,
        ":token": token,
        ...(messageId ? { ":messageId": messageId } : {}),
      },
    };
    for (let attempt = 0; ; attempt++) {
      try {
        await this.options.db.send(new UpdateCommand(update));
        return { ...digest, status: "SENT", sentAt, sentRows, rowsRecorded: sentRows.length === 0 };
      } catch (error) {
        if (isConditionalFailure(error)) {
          // Either an earlier attempt was applied but its answer lost, or the lease was lost.
          const current = await this.readDigest(digest.digestId);
          const ours = current?.status === "SENT" && current.sentToken === token;
          return ours ? current : null;
        }
        // The email is out: failing the delivery now would send it again once the lease
        // expires. A transient fault is retried here.
        if (!isTransientFault(error) || attempt >= RECORD_ATTEMPTS - 1) throw error;
        await sleep(backoffMs(attempt));
      }
    }
  }

  /** Step 4: every sent row recorded on its claim and original (idempotent; resumes). */
  private async recordRows(digest: DigestItem, known = new Map<string, ClaimItem>()) {
    if (digest.rowsRecorded || !digest.sentRows || !digest.sentAt) return;
    const refs = digest.sentRows
      .map((index) => digest.rows[index])
      .filter((ref): ref is DigestRowRef => ref !== undefined);
    const missing = refs.filter((ref) => !known.has(keyOf(ref)));
    const fetched =
      missing.length > 0
        ? await batchGetAll<ClaimItem>(this.options.db, this.options.tableName, missing)
        : new Map<string, ClaimItem>();
    const failures: unknown[] = [];
    await mapLimited(refs, ROW_CONCURRENCY, async (ref) => {
      const claim = known.get(keyOf(ref)) ?? fetched.get(keyOf(ref));
      if (!claim || claim.digestId !== digest.digestId || claim.status === "SENT") return;
      try {
        await this.recordRow(digest, claim);
      } catch (error) {
        failures.push(error);
      }
    });
    if (failures.length > 0) {
      throw new DigestRecordError(
        `digest ${digest.digestId}: ${failures.length} of ${refs.length} reminders not recorded yet ` +
          `(${String((failures[0] as Error)?.message ?? failures[0])}); a retry records them`,
      );
    }
    await this.options.db.send(
      new UpdateCommand({
        TableName: this.options.tableName,
        Key: { pk: digest.pk, sk: DIGEST_SK },
        UpdateExpression: "SET rowsRecorded = :true",
        ExpressionAttributeValues: { ":true": true },
      }),
    );
  }

  /** One row: its claim SENT and the reminder listed on its original, together. */
  private async recordRow(digest: DigestItem, claim: ClaimItem): Promise<void> {
    const claimSent: UpdateCommandInput = {
      TableName: this.options.tableName,
      Key: { pk: claim.pk, sk: claim.sk },
      UpdateExpression: "SET #status = :sent, sentAt = :sentAt, messageId = :messageId",
      ConditionExpression: "digestId = :digest AND #status = :emitted",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: {
        ":sent": "SENT",
        ":sentAt": digest.sentAt,
        ":messageId": digest.messageId ?? "",
        ":digest": digest.digestId,
        ":emitted": "EMITTED",
      },
    };
    for (let attempt = 0; attempt < RECORD_ATTEMPTS; attempt++) {
      try {
        await this.options.db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Update: claimSent as never },
              {
                Update: {
                  TableName: this.options.tableName,
                  Key: { pk: claim.pk, sk: originalSk(claim.subscriptionId) },
                  UpdateExpression:
                    "SET reminders = list_append(if_not_exists(reminders, :none), :reminder)",
                  ConditionExpression: "attribute_exists(pk)",
                  ExpressionAttributeValues: {
                    ":none": [],
                    ":reminder": [{ thresholdDays: claim.thresholdDays, sentAt: digest.sentAt }],
                  },
                },
              },
            ],
          }),
        );
        return;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) {
          // The write is guarded by the claim's state, so a retry after an applied-but-
          // unanswered write finds the claim SENT and stops.
          if (!isTransientFault(error) || attempt >= RECORD_ATTEMPTS - 1) throw error;
          await sleep(backoffMs(attempt));
          continue;
        }
        const codes = (error.CancellationReasons ?? []).map((r) => r.Code ?? "None");
        if (codes[0] === "ConditionalCheckFailed") return; // recorded already
        if (codes[1] === "ConditionalCheckFailed") {
          // The original was dropped from the transfer meanwhile: the claim alone records it.
          try {
            await this.options.db.send(new UpdateCommand(claimSent));
          } catch (claimError) {
            if (!isConditionalFailure(claimError)) throw claimError;
          }
          return;
        }
        await sleep(backoffMs(attempt));
      }
    }
    throw new Error(`could not record reminder ${claim.sk} of ${claim.pk}`);
  }
}

/** What the email says about one row, from the original as stored now. */
function rowOf(original: OriginalItem, claim: ClaimItem, now: string): DigestRow {
  return {
    partnerId: original.partnerId,
    customerTenantId: original.customerTenantId,
    customerName: original.customerName,
    subscriptionId: original.subscriptionId,
    offerId: original.offerId,
    offerName: original.offerName,
    quantity: original.quantity,
    commitmentEndDate: original.commitmentEndDate,
    daysLeft: daysLeftUntil(original.commitmentEndDate, now),
    thresholdDays: claim.thresholdDays,
    autoRenewEnabled: original.autoRenewEnabled,
    offerDiscontinued: original.offerDiscontinued === true,
    replacement: original.replacement ?? null,
    warnings: original.warnings ?? [],
  };
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

/** SES's "Maximum sending rate exceeded" (not the daily quota, which lasts hours). */
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
