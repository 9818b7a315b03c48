import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DeleteCommand, paginateQuery, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { mapLimited } from "../concurrency.js";
import type { TransferState } from "../domain/state.js";
import { deriveView } from "../domain/view.js";
import { isConditionalFailure } from "./errors.js";
import { ORIGINAL_PREFIX, originalSk, STATE_SK } from "./keys.js";
import { originalRecords } from "./original-records.js";
import { originalUpdate } from "./original-writes.js";

export type SyncTarget = {
  db: DynamoDBDocumentClient;
  tableName: string;
  thresholds: readonly number[];
};

const SYNC_CONCURRENCY = 16;

/**
 * Brings every original item of a transfer up to the given state version, for a change too
 * large for one transaction or one a crashed process left half-done. Writes are guarded by the
 * version they carry, so a slower writer never overwrites a newer record; the state is marked
 * synced only if no newer version has been written meanwhile (that writer then syncs).
 */
export async function resyncOriginals(
  target: SyncTarget,
  pk: string,
  version: number,
  state: TransferState,
): Promise<void> {
  const { db, tableName } = target;
  const records = originalRecords(state, deriveView(state), target.thresholds);
  const existing = await originalIds(target, pk);
  const work: (() => Promise<unknown>)[] = [];
  for (const record of records.values()) {
    const update = originalUpdate(tableName, pk, version, record, true);
    work.push(() => ignoringStale(db.send(new UpdateCommand(update))));
  }
  for (const id of existing) {
    if (records.has(id)) continue;
    const remove = new DeleteCommand({
      TableName: tableName,
      Key: { pk, sk: originalSk(id) },
      ConditionExpression: "stateVersion < :v",
      ExpressionAttributeValues: { ":v": version },
    });
    work.push(() => ignoringStale(db.send(remove)));
  }
  await mapLimited(work, SYNC_CONCURRENCY, (task) => task());
  await ignoringStale(
    db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk, sk: STATE_SK },
        UpdateExpression: "SET originalsSynced = :true",
        ConditionExpression: "version = :v",
        ExpressionAttributeValues: { ":true": true, ":v": version },
      }),
    ),
  );
}

async function originalIds({ db, tableName }: SyncTarget, pk: string): Promise<string[]> {
  const ids: string[] = [];
  const pages = paginateQuery(
    { client: db },
    {
      TableName: tableName,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: { ":pk": pk, ":prefix": ORIGINAL_PREFIX },
      ProjectionExpression: "subscriptionId",
      ConsistentRead: true,
    },
  );
  for await (const page of pages)
    ids.push(...(page.Items ?? []).map((i) => String(i.subscriptionId)));
  return ids;
}

/** A conditional write that lost to a newer version is not an error: the newer one stands. */
async function ignoringStale(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (error) {
    if (!isConditionalFailure(error)) throw error;
  }
}
