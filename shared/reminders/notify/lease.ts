/**
 * Step 1 of the notifier: take the digest's send lease. A conditional update moves the digest
 * from PENDING/EMITTED (or a SENDING whose lease expired: the sender died) to SENDING with a
 * random token and `leaseUntil`. Another delivery of the same digest then finds SENT (a
 * duplicate), SUPERSEDED (a later scan took its claims) or a live lease (ReminderInFlightError,
 * retryable). Nothing sent: the lease is given back so that a retry sends at once.
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { updateIf } from "../conditional-writes.js";
import {
  DIGEST_SK,
  type DigestItem,
  digestPk,
  digestShard,
  sendingDigestIndexKey,
} from "../digests.js";
import type { NotifierContext } from "./context.js";

/** Must exceed the notifier's Lambda timeout (30 s), so a live sender keeps its lease. */
export const SEND_LEASE_MS = 60_000;

/** Past a lease's expiry before a retry may take it over (its condition is `leaseUntil < now`). */
const RETRY_MARGIN_MS = 250;

/**
 * Another delivery of the same digest holds the send lease; retry later — not before
 * `retryAfterMs`, when the lease expires (the local bus honours it; Lambda's asynchronous retries
 * come 1 and 3 minutes after a failure, past the 60-second lease).
 */
export class ReminderInFlightError extends Error {
  override readonly name = "ReminderInFlightError";
  readonly retryable = true;
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
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

/**
 * Takes the send lease. The digest is listed in the reminder index under its lease's expiry, so
 * that if this sender dies and every retry of its delivery is spent, the next scan takes it over.
 */
export async function takeLease(
  ctx: NotifierContext,
  digest: DigestItem,
  token: string,
): Promise<Lease> {
  const now = ctx.clock();
  const until = now + (ctx.leaseMs ?? SEND_LEASE_MS);
  const acquired = await updateIf(ctx.db, {
    TableName: ctx.tableName,
    Key: { pk: digest.pk, sk: DIGEST_SK },
    UpdateExpression:
      "SET #status = :sending, leaseToken = :token, leaseUntil = :until, " +
      "attempts = if_not_exists(attempts, :zero) + :one, " +
      "reminderShard = :shard, reminderDue = :due",
    ConditionExpression:
      "#status IN (:pending, :emitted) OR (#status = :sending AND leaseUntil < :now)",
    ExpressionAttributeNames: { "#status": "status" },
    ExpressionAttributeValues: {
      ":sending": "SENDING",
      ":pending": "PENDING",
      ":emitted": "EMITTED",
      ":token": token,
      ":until": until,
      ":shard": digestShard(digest.digestId),
      ":due": sendingDigestIndexKey(new Date(until).toISOString(), digest.digestId),
      ":now": now,
      ":zero": 0,
      ":one": 1,
    },
  });
  if (acquired) return { kind: "acquired" };
  const current = await readDigest(ctx, digest.digestId);
  if (current?.status === "SENT") return { kind: "sent", digest: current };
  if (current?.status === "SUPERSEDED") return { kind: "superseded" };
  const leaseLeft =
    current?.status === "SENDING" && current.leaseUntil !== undefined
      ? Math.max(0, current.leaseUntil - now)
      : 0;
  throw new ReminderInFlightError(
    `digest ${digest.digestId} is being sent by another delivery (status ${current?.status ?? "gone"})`,
    leaseLeft + RETRY_MARGIN_MS,
  );
}

/**
 * Nothing was sent: give the lease back (if still ours) so that a retry sends at once. It stays in
 * the index: if every retry fails too, the next scan takes its claims over.
 */
export async function releaseLease(
  ctx: NotifierContext,
  digest: DigestItem,
  token: string,
): Promise<void> {
  await updateIf(ctx.db, {
    TableName: ctx.tableName,
    Key: { pk: digest.pk, sk: DIGEST_SK },
    UpdateExpression: "SET #status = :emitted, reminderDue = :due REMOVE leaseToken, leaseUntil",
    ConditionExpression: "leaseToken = :token",
    ExpressionAttributeNames: { "#status": "status" },
    ExpressionAttributeValues: {
      ":emitted": "EMITTED",
      ":token": token,
      ":due": sendingDigestIndexKey(new Date(ctx.clock()).toISOString(), digest.digestId),
    },
  });
}
