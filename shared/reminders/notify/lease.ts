/**
 * Step 1 of the notifier: take the digest's send lease. A conditional update moves the digest
 * from PENDING/EMITTED (or a SENDING whose lease expired: the sender died) to SENDING with a
 * random token and `leaseUntil`. Another delivery of the same digest then finds SENT (a
 * duplicate), SUPERSEDED (a later scan took its claims) or a live lease (ReminderInFlightError,
 * retryable). Nothing sent: the lease is given back so that a retry sends at once.
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { updateIf } from "../conditional-writes.js";
import { DIGEST_SK, type DigestItem, digestPk } from "../digests.js";
import type { NotifierContext } from "./context.js";

/** Must exceed the notifier's Lambda timeout (30 s), so a live sender keeps its lease. */
export const SEND_LEASE_MS = 60_000;

/** Another delivery of the same digest holds the send lease; retry later. */
export class ReminderInFlightError extends Error {
  override readonly name = "ReminderInFlightError";
  readonly retryable = true;
}

export type Lease =
  | { kind: "acquired" }
  /** Another delivery sent it: the rows it has not recorded yet are this one's to record. */
  | { kind: "sent"; digest: DigestItem }
  | { kind: "superseded" };

export async function readDigest(
  ctx: NotifierContext,
  digestId: string,
): Promise<DigestItem | null> {
  const result = await ctx.db.send(
    new GetCommand({
      TableName: ctx.tableName,
      Key: { pk: digestPk(digestId), sk: DIGEST_SK },
      ConsistentRead: true,
    }),
  );
  return (result.Item as DigestItem | undefined) ?? null;
}

/** Takes the send lease; the digest leaves the PENDING index (if its scan had not yet). */
export async function takeLease(
  ctx: NotifierContext,
  digest: DigestItem,
  token: string,
): Promise<Lease> {
  const now = ctx.clock();
  const acquired = await updateIf(ctx.db, {
    TableName: ctx.tableName,
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
      ":until": now + (ctx.leaseMs ?? SEND_LEASE_MS),
      ":now": now,
      ":zero": 0,
      ":one": 1,
    },
  });
  if (acquired) return { kind: "acquired" };
  const current = await readDigest(ctx, digest.digestId);
  if (current?.status === "SENT") return { kind: "sent", digest: current };
  if (current?.status === "SUPERSEDED") return { kind: "superseded" };
  throw new ReminderInFlightError(
    `digest ${digest.digestId} is being sent by another delivery (status ${current?.status ?? "gone"})`,
  );
}

/** Nothing was sent: give the lease back (if still ours) so that a retry sends at once. */
export async function releaseLease(
  ctx: NotifierContext,
  digest: DigestItem,
  token: string,
): Promise<void> {
  await updateIf(ctx.db, {
    TableName: ctx.tableName,
    Key: { pk: digest.pk, sk: DIGEST_SK },
    UpdateExpression: "SET #status = :emitted REMOVE leaseToken, leaseUntil",
    ConditionExpression: "leaseToken = :token",
    ExpressionAttributeNames: { "#status": "status" },
    ExpressionAttributeValues: { ":emitted": "EMITTED", ":token": token },
  });
}
