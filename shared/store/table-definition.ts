/**
 * The one DynamoDB table, described once for the CDK stack and for DynamoDB Local.
 * See README "Data model" for the items and access patterns.
 */
export const TABLE_KEYS = { partitionKey: "pk", sortKey: "sk" } as const;

/** Sparse index of original subscriptions by the date their next reminder falls due. */
export const REMINDER_INDEX = {
  indexName: "byReminderDate",
  partitionKey: "reminderShard",
  sortKey: "reminderDue",
} as const;

/** Sparse index of transfer items by partner, for `list`. */
export const PARTNER_INDEX = {
  indexName: "byPartner",
  partitionKey: "partnerKey",
  sortKey: "customerKey",
} as const;

/** Reminder-index partitions: spreads one busy day over several partitions. */
export const REMINDER_SHARDS = 16;

export const GLOBAL_INDEXES = [REMINDER_INDEX, PARTNER_INDEX] as const;
