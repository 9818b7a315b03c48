/**
 * Reads one shard of the sparse reminder index (`byReminderDate`) between two sort keys, page by
 * page, counting what it reads. It stops starting pages at the run's deadline (the run is then
 * incomplete; the index itself is the cursor for the next run).
 *
 * Sort keys in a shard, in order: `!claim#…` (PENDING claims), `!digest#…` (PENDING digests),
 * `!sending#…` (digests being sent, by lease expiry), then dates (`YYYY-MM-DD#…`, due originals).
 */
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { REMINDER_INDEX } from "../../store/table-definition.js";
import type { ScanRun } from "./scan-run.js";

const PAGE_SIZE = 100;

export async function* indexPages(
  run: ScanRun,
  shard: string,
  from: string,
  to: string,
): AsyncGenerator<Record<string, unknown>[]> {
  let startKey: Record<string, unknown> | undefined;
  do {
    if (run.pastDeadline()) {
      run.complete = false;
      return;
    }
    const page = await run.db.send(
      new QueryCommand({
        TableName: run.tableName,
        IndexName: REMINDER_INDEX.indexName,
        KeyConditionExpression: "#shard = :shard AND #due BETWEEN :from AND :to",
        ExpressionAttributeNames: {
          "#shard": REMINDER_INDEX.partitionKey,
          "#due": REMINDER_INDEX.sortKey,
        },
        ExpressionAttributeValues: { ":shard": shard, ":from": from, ":to": to },
        ExclusiveStartKey: startKey,
        Limit: run.options.pageSize ?? PAGE_SIZE,
        ReturnConsumedCapacity: "TOTAL",
      }),
    );
    run.itemsRead += page.ScannedCount ?? page.Items?.length ?? 0;
    run.consumedReadCapacity += page.ConsumedCapacity?.CapacityUnits ?? 0;
    yield page.Items ?? [];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}
