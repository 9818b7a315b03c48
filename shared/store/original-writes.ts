import type { TransactWriteCommandInput, UpdateCommandInput } from "@aws-sdk/lib-dynamodb";
import { utcDate } from "../domain/time.js";
import {
  entryPartnerOf,
  expiryEntryKey,
  originalSk,
  reminderDueKey,
  reminderShardOf,
} from "./keys.js";
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
  const removes: string[] = [];
  if (record.firstReminderDate) {
    values[":shard"] = reminderShardOf(pk, record.subscriptionId);
    values[":due"] = reminderDueKey(record.firstReminderDate, pk, record.subscriptionId);
    sets.push("reminderShard = :shard", "reminderDue = :due");
  } else {
    removes.push("reminderShard", "reminderDue");
  }
  const entry = expiryEntryOf(record);
  if (entry) {
    values[":entryPartner"] = entry.entryPartner;
    values[":entryKey"] = entry.entryKey;
    sets.push("entryPartner = :entryPartner", "entryKey = :entryKey");
  } else {
    removes.push("entryPartner", "entryKey");
  }
  const update = `SET ${sets.join(", ")}${removes.length ? ` REMOVE ${removes.join(", ")}` : ""}`;
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

/**
 * The original's entry in the partner-entry index while `due` and the calendar show it: active,
 * in a transfer still in progress (SPEC section 4's due rule); null otherwise.
 */
export function expiryEntryOf(
  record: Pick<
    OriginalRecord,
    | "partnerId"
    | "customerTenantId"
    | "subscriptionId"
    | "commitmentEndDate"
    | "state"
    | "transferRemindable"
  >,
): { entryPartner: string; entryKey: string } | null {
  if (record.state !== "ACTIVE" || !record.transferRemindable) return null;
  return {
    entryPartner: entryPartnerOf(record.partnerId),
    entryKey: expiryEntryKey(
      utcDate(record.commitmentEndDate),
      record.customerTenantId,
      record.subscriptionId,
    ),
  };
}
