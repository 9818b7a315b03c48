import type { TransactWriteCommandInput, UpdateCommandInput } from "@aws-sdk/lib-dynamodb";
import { originalSk, reminderDueKey, reminderShardOf } from "./keys.js";
import type { OriginalRecord } from "./original-records.js";

export type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/**
 * The update that writes an original's record. It never touches `reminders` (the notifier's)
 * and resets the reminder index to the first due date: the scan skips thresholds already
 * claimed, so a reset costs at most one extra read. `guarded` writes (outside the state
 * transaction) only land if no newer state version has written the item.
 */
export function originalUpdate(
  tableName: string,
  pk: string,
  version: number,
  record: OriginalRecord,
  guarded: boolean,
): UpdateCommandInput & { UpdateExpression: string } {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ":v": version, ":type": "ORIGINAL" };
  const sets = ["stateVersion = :v", "itemType = :type"];
  for (const [field, value] of Object.entries(record)) {
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    sets.push(`#${field} = :${field}`);
  }
  let update = `SET ${sets.join(", ")}`;
  if (record.firstReminderDate) {
    values[":shard"] = reminderShardOf(pk, record.subscriptionId);
    values[":due"] = reminderDueKey(record.firstReminderDate, pk, record.subscriptionId);
    update += ", reminderShard = :shard, reminderDue = :due";
  } else {
    update += " REMOVE reminderShard, reminderDue";
  }
  return {
    TableName: tableName,
    Key: { pk, sk: originalSk(record.subscriptionId) },
    UpdateExpression: update,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ...(guarded
      ? { ConditionExpression: "attribute_not_exists(stateVersion) OR stateVersion < :v" }
      : {}),
  };
}
