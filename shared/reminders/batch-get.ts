/** Consistent BatchGet of any number of items by key, in chunks of 100, with bounded retries. */
import { BatchGetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { backoffMs, sleep } from "../store/retry.js";

const BATCH_GET_LIMIT = 100;
const MAX_ATTEMPTS = 8;

export type ItemKey = { pk: string; sk: string };

export const keyOf = (key: ItemKey) => `${key.pk}\u0000${key.sk}`;

/** The items found, by `keyOf`; a missing item is simply absent. */
export async function batchGetAll<T>(
  db: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly ItemKey[],
): Promise<Map<string, T>> {
  const unique = [...new Map(keys.map((k) => [keyOf(k), { pk: k.pk, sk: k.sk }])).values()];
  const found = new Map<string, T>();
  for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT) {
    let pending: Record<string, unknown>[] = unique.slice(i, i + BATCH_GET_LIMIT);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) {
        throw new Error(
          `BatchGet left ${pending.length} key(s) unprocessed after ${attempt} attempts`,
        );
      }
      if (attempt > 0) await sleep(backoffMs(attempt));
      const result = await db.send(
        new BatchGetCommand({
          RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } },
        }),
      );
      for (const item of result.Responses?.[tableName] ?? []) {
        found.set(keyOf(item as ItemKey), item as T);
      }
      pending = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return found;
}
