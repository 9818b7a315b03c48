/**
 * The store tests' shared table and helpers: one table per test file (created in its
 * beforeAll), a delivery with Lambda's retries, the stored view, a realistic event mix, and the
 * transfer's raw items.
 */
import { GetCommand, paginateQuery } from "@aws-sdk/lib-dynamodb";
import { beforeAll } from "vitest";
import { DEFAULT_REMINDER_THRESHOLDS } from "../../../shared/config/thresholds.js";
import { parseUpstreamEvent, type UpstreamEvent } from "../../../shared/events/index.js";
import { transferPk } from "../../../shared/store/keys.js";
import { readTransferView } from "../../../shared/store/transfer-read.js";
import { TransferStore } from "../../../shared/store/transfer-store.js";
import { freshTable } from "../../support/dynamo.js";
import {
  accepted,
  ended,
  invitationSent,
  original,
  provisioned,
  updated,
} from "../../support/events.js";

export const thresholds = DEFAULT_REMINDER_THRESHOLDS.split(",").map(Number);

/**
 * Applies as a Lambda delivery would: a retryable failure (the transfer stayed contended for
 * the whole budget; the event waits in the inbox) is delivered again, up to 3 attempts.
 */
export async function delivered(target: TransferStore | undefined, event: UpstreamEvent) {
  if (!target) throw new Error("no store");
  for (let attempt = 1; ; attempt++) {
    try {
      return await target.apply(event);
    } catch (error) {
      if (attempt === 3 || (error as { retryable?: boolean }).retryable !== true) throw error;
    }
  }
}
export let store: TransferStore;
export let db: Awaited<ReturnType<typeof freshTable>>["db"];
export let tableName: string;

/** A table of the calling test file's own, with a store over it (live bindings above). */
export function useStoreTable(label: string): void {
  beforeAll(async () => {
    ({ db, tableName } = await freshTable(label));
    store = new TransferStore(db, tableName, thresholds);
  });
}

/** The stored view with reminders (storage-only) set aside, to compare with the pure oracle. */
export async function storedView(key: { partnerId: string; customerTenantId: string }) {
  const view = await readTransferView(store.db, store.tableName, key);
  if (!view) throw new Error("transfer not stored");
  return view;
}

/** A realistic mix of events for one transfer: 3 originals, replacements, updates and ends. */
export function lifecycle(key: { partnerId: string; customerTenantId: string }, updates: number) {
  const originals = ["o-1", "o-2", "o-3"].map((id, i) =>
    original({
      subscriptionId: id,
      offerId: i === 2 ? "offer-old" : "offer-std",
      offerDiscontinued: i === 2,
      autoRenewEnabled: i === 1,
      quantity: 10 + i,
      commitmentEndDate: `2026-0${6 + i}-30T00:00:00Z`,
    }),
  );
  const raws: unknown[] = [
    invitationSent({ ...key, subscriptions: originals }),
    accepted({ ...key }),
    provisioned({ ...key, subscriptionId: "n-1", offerId: "offer-std", quantity: 10 }),
    provisioned({
      ...key,
      subscriptionId: "n-3",
      offerId: "offer-new",
      quantity: 12,
      replacesSubscriptionId: "o-3",
    }),
    ended({ ...key, subscriptionId: "o-1", reason: "expired", endedAt: "2026-06-30T00:00:00Z" }),
  ];
  for (let i = 0; i < updates; i++) {
    raws.push(
      updated({
        ...key,
        subscriptionId: `o-${(i % 3) + 1}`,
        updatedAt: new Date(Date.UTC(2026, 2, 1, 0, i)).toISOString(),
        quantity: 10 + (i % 5),
        autoRenewEnabled: i % 2 === 0,
      }),
    );
  }
  return raws.map(parseUpstreamEvent);
}

export async function allItems(key: { partnerId: string; customerTenantId: string }) {
  const items: Record<string, unknown>[] = [];
  const pages = paginateQuery(
    { client: db },
    {
      TableName: tableName,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": transferPk(key) },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) items.push(...(page.Items ?? []));
  return items.map((item): Record<string, unknown> => ({ ...item, receivedAt: undefined }));
}

export async function originalItem(
  key: { partnerId: string; customerTenantId: string },
  id: string,
) {
  const result = await db.send(
    new GetCommand({ TableName: tableName, Key: { pk: transferPk(key), sk: `ORIGINAL#${id}` } }),
  );
  return result.Item;
}
