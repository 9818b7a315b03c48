/**
 * The bound of SPEC section 5 with realistic ids: a transfer at 2,000 distinct GUID
 * subscription ids, every fact about each id recorded (replacements, updates of every field,
 * ends), stays under DynamoDB's 400 KB item limit, and the event that would pass the bound is
 * refused and changes nothing.
 */

import { randomUUID } from "node:crypto";
import { PutCommand, paginateQuery } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { transferAtBound } from "../../../bench/transfer-at-bound.js";
import { DEFAULT_REMINDER_THRESHOLDS } from "../../../shared/config/thresholds.js";
import { distinctSubscriptionIds, MAX_SUBSCRIPTION_IDS } from "../../../shared/domain/bounds.js";
import { deriveView, foldEvents, transferView } from "../../../shared/domain/view.js";
import { parseUpstreamEvent } from "../../../shared/events/index.js";
import { transferPk } from "../../../shared/store/keys.js";
import { itemSizeBytes, stateItemOf } from "../../../shared/store/state-item.js";
import { readTransferView } from "../../../shared/store/transfer-read.js";
import { TransferStore } from "../../../shared/store/transfer-store.js";
import { freshTable } from "../../support/dynamo.js";
import { newTransferKey, provisioned, updated } from "../../support/events.js";

const thresholds = DEFAULT_REMINDER_THRESHOLDS.split(",").map(Number);
const ITEM_LIMIT = 400 * 1024;
let db: Awaited<ReturnType<typeof freshTable>>["db"];
let tableName: string;
let store: TransferStore;

beforeAll(async () => {
  ({ db, tableName } = await freshTable("bound"));
  store = new TransferStore(db, tableName, thresholds);
});

async function allItems(pk: string) {
  const items: Record<string, unknown>[] = [];
  const pages = paginateQuery(
    { client: db },
    {
      TableName: tableName,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": pk },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) items.push(...(page.Items ?? []));
  return items;
}

describe("at most 2,000 distinct subscription ids per transfer", () => {
  it("keeps every item under 400 KB at the bound with GUID ids, and refuses the next new id", {
    timeout: 120_000,
  }, async () => {
    // Prepare: the state the store holds after the events (the fold is the store's own), put
    // with the store's own item builder; a real apply then reads and rewrites it.
    const key = newTransferKey("bound");
    const pk = transferPk(key);
    const events = transferAtBound(key).map(parseUpstreamEvent);
    const state = foldEvents(events);
    expect(distinctSubscriptionIds(state)).toBe(MAX_SUBSCRIPTION_IDS);
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: stateItemOf(pk, key, state, deriveView(state), {
          version: 1,
          originalsSynced: true,
          inboxBusyUntil: undefined,
        }),
      }),
    );
    const lastUpdate = parseUpstreamEvent(
      updated({
        ...key,
        subscriptionId: state.invitation?.value.subscriptions[0]?.subscriptionId ?? "",
        updatedAt: "2026-12-01T00:00:00Z",
        quantity: 99,
      }),
    );
    await store.apply(lastUpdate);
    const before = await allItems(pk);

    // Act
    const oneTooMany = parseUpstreamEvent(provisioned({ ...key, subscriptionId: randomUUID() }));
    const refused = store.apply(oneTooMany);

    // Assess
    await expect(refused).rejects.toMatchObject({
      name: "TransferBoundError",
      retryable: false,
      message: expect.stringMatching(/2001 distinct subscription ids; at most 2000/),
    });
    expect(await allItems(pk)).toEqual(before);
    const view = await readTransferView(store.db, store.tableName, key);
    expect({ ...view, history: [] }).toEqual({
      ...transferView([...events, lastUpdate]),
      history: [],
    });
    const sizes = before.map(itemSizeBytes);
    const largest = Math.max(...sizes);
    console.info(`largest item at the bound: ${largest} bytes (limit ${ITEM_LIMIT})`);
    expect(largest).toBeGreaterThan(50 * 1024);
    expect(largest).toBeLessThan(ITEM_LIMIT);
  });
});
