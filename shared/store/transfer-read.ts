/**
 * The read side of the store: one transfer's view and the transfer summaries. It shares the
 * table's keys and codecs with the write side and never writes. The connector's state-only
 * lookup is readTransferState (state-read.ts), re-exported here.
 */
import { type DynamoDBDocumentClient, paginateQuery, paginateScan } from "@aws-sdk/lib-dynamodb";
import type { TransferState } from "../domain/state.js";
import { deriveView, historyOf } from "../domain/view.js";
import type { HistoryEntry, Reminder, TransferView } from "../domain/view-types.js";
import type { TransferStatus } from "../events/index.js";
import {
  EVENT_PREFIX,
  ORIGINAL_PREFIX,
  partnerKey,
  STATE_SK,
  type TransferKey,
  transferPk,
} from "./keys.js";
import { decodeState } from "./state-codec.js";
import { PARTNER_INDEX } from "./table-definition.js";

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

/** The full transfer view, or null when no event for it was ever stored. */
export async function readTransferView(
  db: DynamoDBDocumentClient,
  tableName: string,
  key: TransferKey,
): Promise<TransferView | null> {
  const pk = transferPk(key);
  let state: TransferState | undefined;
  const history: HistoryEntry[] = [];
  const reminders = new Map<string, Reminder[]>();
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
    for (const item of page.Items ?? []) {
      const sk = String(item.sk);
      if (sk === STATE_SK) state = decodeState(item.state as Uint8Array);
      else if (sk.startsWith(EVENT_PREFIX)) {
        history.push({ eventId: item.eventId, detailType: item.detailType, time: item.time });
      } else if (sk.startsWith(ORIGINAL_PREFIX) && Array.isArray(item.reminders)) {
        reminders.set(String(item.subscriptionId), item.reminders as Reminder[]);
      }
    }
  }
  if (!state) return null;
  const view = deriveView(state);
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

/** Transfer summaries, optionally for one partner and/or one status. */
export async function listTransferSummaries(
  db: DynamoDBDocumentClient,
  tableName: string,
  filter: SummaryFilter = {},
): Promise<TransferSummary[]> {
  const byStatus = filter.status
    ? { FilterExpression: "#status = :status", ExpressionAttributeNames: { "#status": "status" } }
    : {};
  const statusValues = filter.status ? { ":status": filter.status } : {};
  const index = { TableName: tableName, IndexName: PARTNER_INDEX.indexName };
  const pages = filter.partnerId
    ? paginateQuery(
        { client: db },
        {
          ...index,
          ...byStatus,
          KeyConditionExpression: "partnerKey = :partner",
          ExpressionAttributeValues: { ":partner": partnerKey(filter.partnerId), ...statusValues },
        },
      )
    : paginateScan(
        { client: db },
        {
          ...index,
          ...byStatus,
          ...(filter.status ? { ExpressionAttributeValues: statusValues } : {}),
        },
      );
  const items: Record<string, unknown>[] = [];
  for await (const page of pages) items.push(...(page.Items ?? []));
  return items
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
