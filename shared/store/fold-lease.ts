/**
 * The fold lease (README "Bursts for one transfer"): the short right of one waiting delivery to
 * fold a contended transfer's inbox, so that waiting deliveries do not all fold the same events.
 */
import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { isConditionalFailure } from "./errors.js";
import { STATE_SK } from "./keys.js";

/** How long a waiting delivery may fold the inbox before others may take over. */
const FOLD_LEASE_MS = 3_000;

/**
 * Claims (or renews) the right to fold the inbox for a few seconds: a conditional update of
 * the state item that leaves its version alone; the next commit's put clears it. Returns the
 * lease's expiry, or null when another delivery holds it. A transfer without a state item yet
 * has nothing to lease: the version check decides.
 */
export async function takeFoldLease(
  db: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  version: number,
  held: number | undefined,
): Promise<number | null> {
  const now = Date.now();
  const until = now + FOLD_LEASE_MS;
  if (version === 0) return until;
  try {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk, sk: STATE_SK },
        UpdateExpression: "SET foldLeaseUntil = :until",
        ConditionExpression:
          "version = :version AND (attribute_not_exists(foldLeaseUntil) OR foldLeaseUntil < :now OR foldLeaseUntil = :held)",
        ExpressionAttributeValues: {
          ":until": until,
          ":version": version,
          ":now": now,
          ":held": held ?? -1,
        },
      }),
    );
    return until;
  } catch (error) {
    if (isConditionalFailure(error)) return null;
    throw error;
  }
}
