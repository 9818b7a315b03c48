/**
 * The read side of the store: one transfer's view, the transfer summaries and a partner's
 * expiries — each through a key or an index that holds what is shown, never a Scan, and never
 * an event's payload (README "Data model"). It shares the table's keys and codecs with the
 * write side and never writes. The connector's state-only lookup, readTransferState
 * (state-read.ts), is re-exported here.
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  type NativeAttributeValue,
  paginateQuery,
  type QueryCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { mapLimited } from "../concurrency.js";
import { deriveView, historyOf } from "../domain/view.js";
import type { HistoryEntry, Reminder, TransferView } from "../domain/view-types.js";
import type { TransferStatus } from "../events/index.js";
import { indexNotReady } from "./errors.js";
import {
  entryPartnerOf,
  expiryEntryRange,
  historyEntryPrefix,
  listKeyPrefix,
  listShardOf,
  listShards,
  ORIGINAL_PREFIX,
  STATE_SK,
  type TransferKey,
  transferPk,
} from "./keys.js";
import type { OriginalRecord } from "./original-records.js";
import { decodeState } from "./state-codec.js";
import { LIST_INDEX, PARTNER_ENTRY_INDEX } from "./table-definition.js";

export { IndexNotReadyError } from "./errors.js";
export { readTransferState } from "./state-read.js";

export type TransferSummary = {
  partnerId: string;
  customerTenantId: string;
  customerName: string | null;
  status: TransferStatus;
  warningCount: number;
  nextExpiry: string | null;
};

export type SummaryFilter = { partnerId?: string; status?: TransferStatus };

/** An active original of a transfer in progress, as its expiry entry holds it. */
export type ExpiryEntry = Pick<
  OriginalRecord,
  | "partnerId"
  | "customerTenantId"
  | "customerName"
  | "subscriptionId"
  | "offerId"
  | "offerName"
  | "quantity"
  | "commitmentEndDate"
  | "autoRenewEnabled"
  | "offerDiscontinued"
  | "replacementProvisioned"
  | "replacement"
  | "warnings"
>;

/** Partners whose entries are read at once (`due` over every partner). */
const PARTNER_CONCURRENCY = 8;

async function queryAll(
  db: DynamoDBDocumentClient,
  input: QueryCommandInput,
): Promise<Record<string, NativeAttributeValue>[]> {
  const items: Record<string, NativeAttributeValue>[] = [];
  try {
    for await (const page of paginateQuery({ client: db }, input)) {
      items.push(...(page.Items ?? []));
    }
  } catch (error) {
    throw (input.IndexName && indexNotReady(error, input.IndexName)) || error;
  }
  return items;
}

/**
 * The full transfer view, or null when no event for it was ever stored: the state item (one
 * consistent GetItem), the original items for the reminders sent (one consistent Query of their
 * key range) and the history entries from the partner-entry index — never the event payloads.
 */
export async function readTransferView(
  db: DynamoDBDocumentClient,
  tableName: string,
  key: TransferKey,
): Promise<TransferView | null> {
  const pk = transferPk(key);
  const [stateItem, originals, entries] = await Promise.all([
    db.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk, sk: STATE_SK },
        ProjectionExpression: "#state",
        ExpressionAttributeNames: { "#state": "state" },
        ConsistentRead: true,
      }),
    ),
    queryAll(db, {
      TableName: tableName,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: { ":pk": pk, ":prefix": ORIGINAL_PREFIX },
      ProjectionExpression: "subscriptionId, reminders",
      ConsistentRead: true,
    }),
    queryAll(db, {
      TableName: tableName,
      IndexName: PARTNER_ENTRY_INDEX.indexName,
      KeyConditionExpression: "entryPartner = :partner AND begins_with(entryKey, :prefix)",
      ExpressionAttributeValues: {
        ":partner": entryPartnerOf(key.partnerId),
        ":prefix": historyEntryPrefix(key.customerTenantId),
      },
      ProjectionExpression: "eventId, detailType, #time",
      ExpressionAttributeNames: { "#time": "time" },
    }),
  ]);
  if (!stateItem.Item?.state) return null;
  const view = deriveView(decodeState(stateItem.Item.state as Uint8Array));
  const reminders = new Map<string, Reminder[]>();
  for (const item of originals) {
    if (Array.isArray(item.reminders)) {
      reminders.set(String(item.subscriptionId), item.reminders as Reminder[]);
    }
  }
  const history: HistoryEntry[] = entries.map((item) => ({
    eventId: String(item.eventId),
    detailType: item.detailType,
    time: String(item.time),
  }));
  return {
    ...view,
    subscriptions: view.subscriptions.map((s) => ({
      ...s,
      reminders: (reminders.get(s.subscriptionId) ?? [])
        .map((r) => ({ thresholdDays: r.thresholdDays, sentAt: r.sentAt }))
        .sort((a, b) => (a.sentAt < b.sentAt ? -1 : a.sentAt > b.sentAt ? 1 : 0)),
    })),
    history: historyOf(history),
  };
}

/**
 * Transfer summaries, optionally for one partner and/or one status, from the summary index:
 * one Query of the partner's key range, or one per summary partition.
 */
export async function listTransferSummaries(
  db: DynamoDBDocumentClient,
  tableName: string,
  filter: SummaryFilter = {},
): Promise<TransferSummary[]> {
  const byStatus = filter.status
    ? { FilterExpression: "#status = :status", ExpressionAttributeNames: { "#status": "status" } }
    : {};
  const statusValue = filter.status ? { ":status": filter.status } : {};
  const query = (shard: string) =>
    queryAll(db, {
      TableName: tableName,
      IndexName: LIST_INDEX.indexName,
      ...byStatus,
      ...(filter.partnerId
        ? {
            KeyConditionExpression: "listShard = :shard AND begins_with(listKey, :prefix)",
            ExpressionAttributeValues: {
              ":shard": shard,
              ":prefix": listKeyPrefix(filter.partnerId),
              ...statusValue,
            },
          }
        : {
            KeyConditionExpression: "listShard = :shard",
            ExpressionAttributeValues: { ":shard": shard, ...statusValue },
          }),
    });
  const shards = filter.partnerId ? [listShardOf(filter.partnerId)] : listShards();
  const items = (await Promise.all(shards.map(query))).flat();
  return items
    .filter((item) => !filter.partnerId || item.partnerId === filter.partnerId)
    .map((item) => ({
      partnerId: String(item.partnerId),
      customerTenantId: String(item.customerTenantId),
      customerName: (item.customerName as string | undefined) ?? null,
      status: item.status as TransferStatus,
      warningCount: Number(item.warningCount),
      nextExpiry: (item.nextExpiry as string | undefined) ?? null,
    }))
    .sort(
      (a, b) =>
        a.partnerId.localeCompare(b.partnerId) ||
        a.customerTenantId.localeCompare(b.customerTenantId),
    );
}

/** The distinct partners of some summaries, each once. */
export const partnersOf = (summaries: readonly TransferSummary[]): string[] => [
  ...new Set(summaries.map((s) => s.partnerId)),
];

/**
 * Active originals of transfers in progress ending from `fromDate` to `toDate` (UTC dates,
 * inclusive), from the partner-entry index: one Query of each partner's date range. `partners`
 * names them; without it, every partner named in the summary index (one read of the summaries,
 * which a caller that has just read them saves by passing their partners).
 */
export async function readExpiries(
  db: DynamoDBDocumentClient,
  tableName: string,
  range: { fromDate: string; toDate: string; partners?: readonly string[] },
): Promise<ExpiryEntry[]> {
  if (range.fromDate > range.toDate) return [];
  const [from, to] = expiryEntryRange(range.fromDate, range.toDate);
  const ofPartner = (partnerId: string) =>
    queryAll(db, {
      TableName: tableName,
      IndexName: PARTNER_ENTRY_INDEX.indexName,
      KeyConditionExpression: "entryPartner = :partner AND entryKey BETWEEN :from AND :to",
      ExpressionAttributeValues: {
        ":partner": entryPartnerOf(partnerId),
        ":from": from,
        ":to": to,
      },
    });
  const partners = range.partners ?? partnersOf(await listTransferSummaries(db, tableName));
  const items = (await mapLimited(partners, PARTNER_CONCURRENCY, ofPartner)).flat();
  return items.map((item) => ({
    partnerId: String(item.partnerId),
    customerTenantId: String(item.customerTenantId),
    customerName: String(item.customerName),
    subscriptionId: String(item.subscriptionId),
    offerId: String(item.offerId),
    offerName: String(item.offerName),
    quantity: Number(item.quantity),
    commitmentEndDate: String(item.commitmentEndDate),
    autoRenewEnabled: item.autoRenewEnabled === true,
    offerDiscontinued: item.offerDiscontinued === true,
    replacementProvisioned: item.replacementProvisioned === true,
    replacement: (item.replacement as ExpiryEntry["replacement"] | undefined) ?? null,
    warnings: (item.warnings as ExpiryEntry["warnings"] | undefined) ?? [],
  }));
}
