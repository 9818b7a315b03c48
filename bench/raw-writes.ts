/**
 * The ceiling the local runtime is measured against: conditional PutItem requests (the kind
 * the store's optimistic writes are) that DynamoDB Local accepts per second from one Node
 * process, at a given concurrency, with nothing else in the way.
 */
import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { mapLimited } from "../shared/concurrency.js";
import { documentClient } from "../shared/store/clients.js";
import { createTableIfMissing } from "../shared/store/create-table.js";

const CREDENTIALS = { accessKeyId: "bench", secretAccessKey: "bench" };

export async function rawConditionalPutsPerSecond(options: {
  endpoint: string;
  concurrency: number;
  puts: number;
}): Promise<number> {
  const config = { endpoint: options.endpoint, region: "us-east-1", credentials: CREDENTIALS };
  const admin = new DynamoDBClient(config);
  const tableName = `raw-writes-${randomUUID()}`;
  await createTableIfMissing(admin, tableName);
  admin.destroy();
  const db = documentClient(config);
  const payload = "x".repeat(400);
  const put = (n: number) =>
    db.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: `RAW#${n % 1_000}`, sk: `ITEM#${n}`, version: 1, payload },
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
  // Warm the connections and the JIT before timing.
  await mapLimited(
    Array.from({ length: options.concurrency * 4 }, (_, i) => -1 - i),
    options.concurrency,
    put,
  );
  const began = performance.now();
  await mapLimited(
    Array.from({ length: options.puts }, (_, i) => i),
    options.concurrency,
    put,
  );
  const seconds = (performance.now() - began) / 1000;
  db.destroy();
  return Math.round(options.puts / seconds);
}
