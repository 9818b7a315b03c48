/**
 * `maxStateItemBytes`: the size, as DynamoDB counts it, of the largest item of a transfer at the
 * bound of 2,000 distinct GUID subscription ids with every fact each id can carry. The state is
 * folded from the events by the store's own fold and item builder, then one more event goes
 * through the real store, which reads, folds and rewrites it in DynamoDB Local.
 */
import { randomUUID } from "node:crypto";
import { PutCommand, paginateQuery } from "@aws-sdk/lib-dynamodb";
import { DEFAULT_REMINDER_THRESHOLDS } from "../shared/config/thresholds.js";
import { deriveView, foldEvents } from "../shared/domain/view.js";
import { DETAIL_TYPES, parseUpstreamEvent } from "../shared/events/index.js";
import { documentClient } from "../shared/store/clients.js";
import { transferPk } from "../shared/store/keys.js";
import { itemSizeBytes, stateItemOf } from "../shared/store/state-item.js";
import { TransferStore } from "../shared/store/transfer-store.js";
import type { BenchDynamo } from "./harness.js";
import { progress } from "./harness.js";
import { transferAtBound } from "./transfer-at-bound.js";

export async function benchBound(bench: BenchDynamo): Promise<{ maxStateItemBytes: number }> {
  progress("bound: a transfer at 2,000 distinct GUID subscription ids");
  const tableName = await bench.newTable("bench-bound");
  const db = documentClient(bench.clientConfig);
  const key = { partnerId: randomUUID(), customerTenantId: randomUUID() };
  const pk = transferPk(key);
  const state = foldEvents(transferAtBound(key).map(parseUpstreamEvent));
  const meta = { version: 1, originalsSynced: true, inboxBusyUntil: undefined };
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: stateItemOf(pk, key, state, deriveView(state), meta),
    }),
  );
  const store = new TransferStore(
    db,
    tableName,
    DEFAULT_REMINDER_THRESHOLDS.split(",").map(Number),
  );
  const time = "2026-12-01T00:00:00Z";
  await store.apply(
    parseUpstreamEvent({
      version: "0",
      id: randomUUID(),
      "detail-type": DETAIL_TYPES.invitationAccepted,
      source: "csp.transfers",
      account: "000000000000",
      time,
      region: "us-east-1",
      resources: [],
      detail: { ...key, acceptedAt: time },
    }),
  );
  let largest = 0;
  const pages = paginateQuery(
    { client: db },
    {
      TableName: tableName,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": pk },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) largest = Math.max(largest, itemSizeBytes(item));
  }
  return { maxStateItemBytes: largest };
}
