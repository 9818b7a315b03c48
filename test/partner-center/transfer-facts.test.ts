/**
 * The connector's lookups read a transfer's state item, not its partition (issue 19 item 4):
 * against DynamoDB Local, a 500-notification burst for one customer with a long history costs
 * 500 GetItems of one small item — counted in commands and in the read units DynamoDB reports —
 * not 500 reads of the history. And the facts are the state's: the invitation that defines the
 * transfer is the one with the latest `sentAt`, whatever its event's publication time.
 */
import { type DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { parseUpstreamEvent } from "../../shared/events/envelope.js";
import { storeLookup } from "../../shared/partner-center/transfer-facts.js";
import { transferPk } from "../../shared/store/keys.js";
import { TransferStore } from "../../shared/store/transfer-store.js";
import { freshTable } from "../support/dynamo.js";
import {
  invitationSent,
  newTransferKey,
  original,
  subscriptionProvisioned,
  updated,
} from "../support/events.js";

let db: DynamoDBDocumentClient;
let tableName: string;
let store: TransferStore;

/** Counts commands and the read units DynamoDB reports for them (ReturnConsumedCapacity). */
function metered() {
  const counts = new Map<string, number>();
  let readUnits = 0;
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      counts.set(name, (counts.get(name) ?? 0) + 1);
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = "TOTAL";
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } })
        .ConsumedCapacity;
      readUnits += consumed?.CapacityUnits ?? 0;
      return result;
    },
    { step: "initialize", name: "meter" },
  );
  return {
    counts,
    readUnits: () => readUnits,
    stop: () => db.middlewareStack.remove("meter"),
  };
}

beforeAll(async () => {
  ({ db, tableName } = await freshTable("pc-facts"));
  store = new TransferStore(db, tableName, []);
});

async function apply(raws: unknown[]) {
  for (const raw of raws) await store.apply(parseUpstreamEvent(raw));
}

describe("a burst of notifications for one customer", () => {
  it("reads the state item once per notification, never the history", async () => {
    const key = newTransferKey("burst");
    const originals = Array.from({ length: 40 }, (_, i) =>
      original({ subscriptionId: `orig-${i}`, offerName: `Offer ${i} ${"x".repeat(100)}` }),
    );
    const history = [
      invitationSent({ ...key, subscriptions: originals }),
      ...Array.from({ length: 100 }, (_, i) =>
        updated({
          ...key,
          subscriptionId: `orig-${i % 40}`,
          quantity: 10 + i,
          updatedAt: new Date(Date.UTC(2026, 1, 1, 0, i)).toISOString(),
        }),
      ),
    ];
    await apply(history);
    const lookup = storeLookup(db, tableName);

    const oneView = metered();
    // The whole partition with every event payload: what a lookup read before it read the state alone.
    await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": transferPk(key) },
        ConsistentRead: true,
      }),
    );
    const historyUnits = oneView.readUnits();
    oneView.stop();

    const burst = metered();
    for (let i = 0; i < 500; i++) {
      const facts = await lookup.get(key.partnerId, key.customerTenantId);
      expect(facts?.originalIds.size).toBe(40);
    }
    const burstUnits = burst.readUnits();
    burst.stop();

    expect(Object.fromEntries(burst.counts)).toEqual({ GetItemCommand: 500 });
    const perNotification = burstUnits / 500;
    // One small item each: a fraction of what one read of the history costs.
    expect(perNotification).toBeGreaterThan(0);
    expect(perNotification * 5).toBeLessThan(historyUnits);
    expect(burstUnits).toBeLessThan((500 * historyUnits) / 5);
  });
});

describe("the facts", () => {
  it("take the latest sentAt, not the time the invitation's event was published", async () => {
    const key = newTransferKey("sent");
    await apply([
      // Sent on the 5th, put on the bus four days later.
      invitationSent({ ...key, sentAt: "2026-01-05T09:00:00Z" }, { time: "2026-01-09T09:00:00Z" }),
      // An older invitation arriving last changes nothing.
      invitationSent({ ...key, sentAt: "2026-01-02T09:00:00Z" }, { time: "2026-01-10T09:00:00Z" }),
      subscriptionProvisioned({ ...key, subscriptionId: "New-1" }),
    ]);
    const facts = await storeLookup(db, tableName).get(key.partnerId, key.customerTenantId);
    expect(facts).toMatchObject({
      status: "PROVISIONED",
      invitationSentAt: "2026-01-05T09:00:00Z",
    });
    expect([...(facts?.knownNewIds ?? [])]).toEqual(["new-1"]);
    expect([...(facts?.originalIds ?? [])]).toEqual(["orig-1"]);
  });

  it("is null for a transfer never seen", async () => {
    const key = newTransferKey("none");
    expect(await storeLookup(db, tableName).get(key.partnerId, key.customerTenantId)).toBeNull();
  });
});
