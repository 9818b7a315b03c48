/**
 * A transfer's folded state alone: one consistent GetItem of its STATE item, without its events'
 * payloads or its original items. For lookups that need the status, the originals and the known
 * subscription ids (the connector's webhook processor and reconcile), so that a burst of
 * notifications for one customer reads one small item each, not its whole history.
 */
import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { TransferState } from "../domain/state.js";
import { STATE_SK, type TransferKey, transferPk } from "./keys.js";
import { decodeState } from "./state-codec.js";

export async function readTransferState(
  db: DynamoDBDocumentClient,
  tableName: string,
  key: TransferKey,
): Promise<TransferState | null> {
  const { Item } = await db.send(
    new GetCommand({
      TableName: tableName,
      Key: { pk: transferPk(key), sk: STATE_SK },
      ProjectionExpression: "#state",
      ExpressionAttributeNames: { "#state": "state" },
      ConsistentRead: true,
    }),
  );
  if (!Item?.state) return null;
  return decodeState(Item.state as Uint8Array);
}
