/**
 * The one DynamoDB table, described once for the CDK stack and for DynamoDB Local.
 * See README "Data model" for the items, indexes and access patterns, and "Deploying" for how a
 * table deployed with the earlier indexes gets to these.
 */
export const TABLE_KEYS = { partitionKey: "pk", sortKey: "sk" } as const;

export type IndexDefinition = {
  indexName: string;
  partitionKey: string;
  sortKey: string;
  /** "ALL", or the non-key attributes the index copies (its readers need no more). */
  projection: "ALL" | readonly string[];
};

/** Sparse index of original subscriptions by the date their next reminder falls due. */
export const REMINDER_INDEX = {
  indexName: "byReminderDate",
  partitionKey: "reminderShard",
  sortKey: "reminderDue",
  projection: "ALL",
} as const satisfies IndexDefinition;

/** The summary `list` shows, and nothing else: the transfer list reads these bytes only. */
export const SUMMARY_ATTRIBUTES = [
  "partnerId",
  "customerTenantId",
  "customerName",
  "status",
  "warningCount",
  "nextExpiry",
] as const;

/**
 * Sparse index of transfer summaries (state items only), in a few fixed partitions: `/`,
 * `list` and `list --partner` Query it; it copies the summary, not the compressed state.
 */
export const LIST_INDEX = {
  indexName: "byListShard",
  partitionKey: "listShard",
  sortKey: "listKey",
  projection: SUMMARY_ATTRIBUTES,
} as const satisfies IndexDefinition;

/** What a partner's expiry entry carries: the due row and what the advice about it needs. */
export const EXPIRY_ATTRIBUTES = [
  "partnerId",
  "customerTenantId",
  "customerName",
  "subscriptionId",
  "offerId",
  "offerName",
  "quantity",
  "commitmentEndDate",
  "autoRenewEnabled",
  "offerDiscontinued",
  "replacementProvisioned",
  "replacement",
  "warnings",
] as const;

/** What a history entry carries (SPEC section 6's `history[]`). */
export const HISTORY_ATTRIBUTES = ["eventId", "detailType", "time"] as const;

/**
 * Sparse index of a partner's dated entries: its active originals by end date (`E#<date>#…`,
 * for `due` and the calendar feed) and its transfers' history entries (`H#<customer>#…`, for a
 * transfer's page) — so neither reads an event's payload nor another partner's items.
 */
export const PARTNER_ENTRY_INDEX = {
  indexName: "byPartnerEntry",
  partitionKey: "entryPartner",
  sortKey: "entryKey",
  projection: [...new Set([...EXPIRY_ATTRIBUTES, ...HISTORY_ATTRIBUTES])],
} as const satisfies IndexDefinition;

/**
 * Earlier tables' index of state items by partner, projecting every attribute (the whole
 * compressed state). Nothing reads it any more; it is dropped by step 3 of the migration.
 */
export const LEGACY_PARTNER_INDEX = {
  indexName: "byPartner",
  partitionKey: "partnerKey",
  sortKey: "customerKey",
  projection: "ALL",
} as const satisfies IndexDefinition;

/** Reminder-index partitions: spreads one busy day over several partitions. */
export const REMINDER_SHARDS = 16;
/** Summary-index partitions (by partner): `list` of everything Queries each of them. */
export const LIST_SHARDS = 4;

/**
 * The table's indexes after each step of the migration from the earlier layout. CloudFormation
 * creates or deletes one global index per stack update, so a deployed table goes 1 → 2 → 3
 * (README "Deploying"); a new table is created at the last step.
 */
export const INDEX_STEPS = {
  1: [REMINDER_INDEX, LEGACY_PARTNER_INDEX, LIST_INDEX],
  2: [REMINDER_INDEX, LEGACY_PARTNER_INDEX, LIST_INDEX, PARTNER_ENTRY_INDEX],
  3: [REMINDER_INDEX, LIST_INDEX, PARTNER_ENTRY_INDEX],
} as const satisfies Record<number, readonly IndexDefinition[]>;
export type IndexStep = keyof typeof INDEX_STEPS;
export const FINAL_INDEX_STEP: IndexStep = 3;

export const GLOBAL_INDEXES: readonly IndexDefinition[] = INDEX_STEPS[FINAL_INDEX_STEP];

/** The indexes the read side (pages, API, calendar feed, CLI) Queries. */
export const READ_SIDE_INDEXES: readonly IndexDefinition[] = [LIST_INDEX, PARTNER_ENTRY_INDEX];
