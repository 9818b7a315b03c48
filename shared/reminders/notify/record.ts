/**
 * Step 4 of the notifier: record what was sent.
 * - The digest SENT with the rows it listed: ONE conditional write (guarded by the lease token)
 *   after SES answered, retried in place on transient faults — failing the delivery now would
 *   send the email again once the lease expires.
 * - Each row: its claim SENT and the reminder appended to its original, one small transaction per
 *   row, retried in place. A row that still fails fails the delivery (DigestRecordError); the
 *   retry finds the digest SENT and records only the rows not yet recorded. Nothing is sent again.
 */
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  TransactWriteCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { mapLimited } from "../../concurrency.js";
import { isConditionalFailure } from "../../store/errors.js";
import { originalSk } from "../../store/keys.js";
import { backoffMs, sleep } from "../../store/retry.js";
import { batchGetAll, keyOf } from "../batch-get.js";
import type { ClaimItem } from "../claims.js";
import { updateIf } from "../conditional-writes.js";
import { DIGEST_SK, type DigestItem, type DigestRowRef } from "../digests.js";
import type { NotifierContext } from "./context.js";
import { readDigest } from "./lease.js";

const RECORD_ATTEMPTS = 6;
const ROW_CONCURRENCY = 8;

/** Some rows of a sent digest could not be recorded yet; the retry records the rest. */
export class DigestRecordError extends Error {
  override readonly name = "DigestRecordError";
  readonly retryable = true;
}

/**
 * The digest SENT with the rows it listed. Returns the digest as recorded, or null when another
 * delivery took over after this one's lease ran out (it sends and records its own).
 */
export async function recordSent(
  ctx: NotifierContext,
  digest: DigestItem,
  token: string,
  messageId: string | null,
  sentRows: number[],
  now: number,
): Promise<DigestItem | null> {
  const sentAt = new Date(now).toISOString();
  const update: UpdateCommandInput = {
    TableName: ctx.tableName,
    Key: { pk: digest.pk, sk: DIGEST_SK },
    UpdateExpression:
      "SET #status = :sent, sentAt = :sentAt, sentRows = :rows, rowsRecorded = :recorded, " +
      "sentToken = :token" +
      (messageId ? ", messageId = :messageId" : "") +
      " REMOVE leaseToken, leaseUntil, reminderShard, reminderDue",
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
      await ctx.db.send(new UpdateCommand(update));
      return { ...digest, status: "SENT", sentAt, sentRows, rowsRecorded: sentRows.length === 0 };
    } catch (error) {
      if (isConditionalFailure(error)) {
        // Either an earlier attempt was applied but its answer lost, or the lease was lost.
        const current = await readDigest(ctx, digest.digestId);
        const ours = current?.status === "SENT" && current.sentToken === token;
        return ours ? current : null;
      }
      if (!isTransientFault(error) || attempt >= RECORD_ATTEMPTS - 1) throw error;
      await sleep(backoffMs(attempt));
    }
  }
}

/** Every sent row recorded on its claim and original (idempotent; resumes). */
export async function recordRows(
  ctx: NotifierContext,
  digest: DigestItem,
  known = new Map<string, ClaimItem>(),
): Promise<void> {
  if (digest.rowsRecorded || !digest.sentRows || !digest.sentAt) return;
  const refs = digest.sentRows
    .map((index) => digest.rows[index])
    .filter((ref): ref is DigestRowRef => ref !== undefined);
  const missing = refs.filter((ref) => !known.has(keyOf(ref)));
  const fetched =
    missing.length > 0
      ? await batchGetAll<ClaimItem>(ctx.db, ctx.tableName, missing)
      : new Map<string, ClaimItem>();
  const failures: unknown[] = [];
  await mapLimited(refs, ROW_CONCURRENCY, async (ref) => {
    const claim = known.get(keyOf(ref)) ?? fetched.get(keyOf(ref));
    if (!claim || claim.digestId !== digest.digestId || claim.status === "SENT") return;
    try {
      await recordRow(ctx, digest, claim);
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
  await ctx.db.send(
    new UpdateCommand({
      TableName: ctx.tableName,
      Key: { pk: digest.pk, sk: DIGEST_SK },
      UpdateExpression: "SET rowsRecorded = :true",
      ExpressionAttributeValues: { ":true": true },
    }),
  );
}

/** One row: its claim SENT and the reminder listed on its original, together. */
async function recordRow(ctx: NotifierContext, digest: DigestItem, claim: ClaimItem) {
  const claimSent: UpdateCommandInput = {
    TableName: ctx.tableName,
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
      await ctx.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: claimSent as never },
            {
              Update: {
                TableName: ctx.tableName,
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
        await updateIf(ctx.db, claimSent);
        return;
      }
      await sleep(backoffMs(attempt));
    }
  }
  throw new Error(`could not record reminder ${claim.sk} of ${claim.pk}`);
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
