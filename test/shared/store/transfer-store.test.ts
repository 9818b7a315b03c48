import { randomUUID } from "node:crypto";
import { GetCommand, paginateQuery } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_REMINDER_THRESHOLDS } from "../../../shared/config/thresholds.js";
import { transferView } from "../../../shared/domain/view.js";
import { parseUpstreamEvent, type UpstreamEvent } from "../../../shared/events/index.js";
import { documentClient } from "../../../shared/store/clients.js";
import { STATE_SK, transferPk } from "../../../shared/store/keys.js";
import { readTransferView } from "../../../shared/store/transfer-read.js";
import { TransferStore } from "../../../shared/store/transfer-store.js";
import { freshTable, localDynamoConfig } from "../../support/dynamo.js";
import {
  accepted,
  ended,
  invitationSent,
  newTransferKey,
  original,
  provisioned,
  resent,
  updated,
} from "../../support/events.js";
import { FaultInjector } from "../../support/fault-injector.js";

const thresholds = DEFAULT_REMINDER_THRESHOLDS.split(",").map(Number);

/**
 * Applies as a Lambda delivery would: a retryable failure (the transfer stayed contended for
 * the whole budget; the event waits in the inbox) is delivered again, up to 3 attempts.
 */
async function delivered(target: TransferStore | undefined, event: UpstreamEvent) {
  if (!target) throw new Error("no store");
  for (let attempt = 1; ; attempt++) {
    try {
      return await target.apply(event);
    } catch (error) {
      if (attempt === 3 || (error as { retryable?: boolean }).retryable !== true) throw error;
    }
  }
}
let store: TransferStore;
let db: Awaited<ReturnType<typeof freshTable>>["db"];
let tableName: string;

beforeAll(async () => {
  ({ db, tableName } = await freshTable("store"));
  store = new TransferStore(db, tableName, thresholds);
});

/** The stored view with reminders (storage-only) set aside, to compare with the pure oracle. */
async function storedView(key: { partnerId: string; customerTenantId: string }) {
  const view = await readTransferView(store.db, store.tableName, key);
  if (!view) throw new Error("transfer not stored");
  return view;
}

/** A realistic mix of events for one transfer: 3 originals, replacements, updates and ends. */
function lifecycle(key: { partnerId: string; customerTenantId: string }, updates: number) {
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

describe("TransferStore against DynamoDB Local", () => {
  it("stores the same view as the pure function of the events", async () => {
    // Prepare
    const key = newTransferKey("seq");
    const events = lifecycle(key, 6);
    // Act
    for (const event of events) await store.apply(event);
    // Assess
    expect(await storedView(key)).toEqual(transferView(events));
  });

  it("50 events for one transfer applied concurrently give the pure function's view", async () => {
    const key = newTransferKey("concurrent");
    const events = lifecycle(key, 45);
    expect(events).toHaveLength(50);

    const outcomes = await Promise.all(events.map((event) => delivered(store, event)));

    // A redelivery after a retryable failure finds its event folded: a duplicate.
    expect(outcomes.filter((o) => o.kind === "applied").length).toBeGreaterThan(0);
    expect(await storedView(key)).toEqual(transferView(events));
    const items = await allItems(key);
    expect(items.filter((i) => String(i.sk).startsWith("EVENT#"))).toHaveLength(50);
    expect(items.filter((i) => String(i.sk).startsWith("INBOX#"))).toEqual([]);
  });

  it("a burst over separate instances is folded in fewer commits than events, none left waiting", {
    timeout: 120_000,
  }, async () => {
    // Prepare: 120 originals; 120 replacements delivered at once to 16 instances, each with
    // its own clients and store, as EventBridge spreads a burst over Lambda instances.
    const key = newTransferKey("burst");
    const subscriptions = Array.from({ length: 120 }, (_, i) =>
      original({ subscriptionId: randomUUID(), offerId: `offer-${i % 9}`, quantity: 1 + i }),
    );
    const invitation = parseUpstreamEvent(invitationSent({ ...key, subscriptions }));
    await store.apply(invitation);
    const burst = subscriptions.map((s, i) =>
      parseUpstreamEvent(
        provisioned({
          ...key,
          subscriptionId: randomUUID(),
          offerId: s.offerId,
          quantity: s.quantity,
          provisionedAt: new Date(Date.UTC(2026, 1, 1, 0, i)).toISOString(),
          replacesSubscriptionId: s.subscriptionId,
        }),
      ),
    );
    const instances = Array.from(
      { length: 16 },
      () => new TransferStore(documentClient(localDynamoConfig()), tableName, thresholds),
    );

    // Act
    const outcomes = await Promise.all(
      burst.map((event, i) => delivered(instances[i % instances.length], event)),
    );

    // Assess
    expect(outcomes.every((o) => o.kind === "applied" || o.kind === "duplicate")).toBe(true);
    const all = [invitation, ...burst];
    expect(await storedView(key)).toEqual(transferView(all));
    expect((await storedView(key)).status).toBe("PROVISIONED");
    const items = await allItems(key);
    expect(items.filter((i) => String(i.sk).startsWith("INBOX#"))).toEqual([]);
    const state = items.find((i) => i.sk === STATE_SK);
    expect(Number(state?.version)).toBeLessThan(all.length);
    // Exactly one event reported the change to PROVISIONED: the one that completed the set.
    const toProvisioned = outcomes.filter((o) => o?.statusChange?.to === "PROVISIONED");
    expect(toProvisioned).toHaveLength(1);
  });

  it("a burst with every event delivered twice at once applies each once, none left waiting", {
    timeout: 120_000,
  }, async () => {
    // Prepare: 40 originals; each replacement delivered twice (same id) to two instances.
    const key = newTransferKey("burst-twice");
    const subscriptions = Array.from({ length: 40 }, (_, i) =>
      original({ subscriptionId: randomUUID(), offerId: `offer-${i % 5}` }),
    );
    const invitation = parseUpstreamEvent(invitationSent({ ...key, subscriptions }));
    await store.apply(invitation);
    const burst = subscriptions.map((s) =>
      parseUpstreamEvent(provisioned({ ...key, subscriptionId: randomUUID(), offerId: s.offerId })),
    );
    const instances = Array.from(
      { length: 8 },
      () => new TransferStore(documentClient(localDynamoConfig()), tableName, thresholds),
    );
    const deliveries = [...burst, ...burst].map((event, i) => ({ event, i }));

    // Act
    const outcomes = await Promise.all(
      deliveries.map(({ event, i }) => delivered(instances[i % instances.length], event)),
    );

    // Assess: per event id, at least one delivery applied it; the view counts it once.
    for (const event of burst) {
      const kinds = outcomes.filter((_, i) => deliveries[i]?.event.id === event.id);
      expect(kinds.some((o) => o?.kind === "applied")).toBe(true);
    }
    expect(await storedView(key)).toEqual(transferView([invitation, ...burst]));
    const items = await allItems(key);
    expect(items.filter((i) => String(i.sk).startsWith("EVENT#"))).toHaveLength(41);
    expect(items.filter((i) => String(i.sk).startsWith("INBOX#"))).toEqual([]);
  });

  it("gives up reading after a bounded number of unprocessed-key answers, retryably", async () => {
    // Prepare: DynamoDB answers every BatchGet with all keys unprocessed (throttled table).
    const throttled = documentClient(localDynamoConfig());
    let reads = 0;
    throttled.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== "BatchGetItemCommand") return next(args);
        reads++;
        const input = args.input as { RequestItems: Record<string, { Keys: unknown[] }> };
        const output = { $metadata: {}, Responses: {}, UnprocessedKeys: input.RequestItems };
        return { output } as Awaited<ReturnType<typeof next>>;
      },
      { step: "initialize", name: "alwaysUnprocessed" },
    );
    const event = parseUpstreamEvent(invitationSent({ ...newTransferKey("unprocessed") }));

    // Act
    const applying = new TransferStore(throttled, tableName, thresholds).apply(event);

    // Assess
    await expect(applying).rejects.toMatchObject({ name: "ContentionError", retryable: true });
    expect(reads).toBe(8);
  });

  it("replaying the same 200 events changes nothing", async () => {
    const key = newTransferKey("replay");
    const events = lifecycle(key, 195);
    for (const event of events) await store.apply(event);
    const before = await storedView(key);
    const itemsBefore = await allItems(key);

    const outcomes = await Promise.all(events.map((event) => store.apply(event)));

    expect(outcomes.filter((o) => o.kind === "duplicate")).toHaveLength(200);
    expect(await storedView(key)).toEqual(before);
    expect(await allItems(key)).toEqual(itemsBefore);
  });

  it("a fact re-sent under a new id adds history but leaves the rest of the view as it was", async () => {
    const key = newTransferKey("resent");
    const raw = invitationSent({ ...key });
    await store.apply(parseUpstreamEvent(raw));
    const before = await storedView(key);

    const outcome = await store.apply(parseUpstreamEvent(resent(raw)));

    expect(outcome.kind).toBe("applied");
    const after = await storedView(key);
    expect(after.history).toHaveLength(2);
    expect({ ...after, history: [] }).toEqual({ ...before, history: [] });
  });

  it("reports the status change an event caused, and the same change for its duplicate", async () => {
    const key = newTransferKey("status");
    await store.apply(parseUpstreamEvent(invitationSent({ ...key })));
    const acceptance = parseUpstreamEvent(accepted({ ...key }));

    const first = await store.apply(acceptance);
    const again = await store.apply(acceptance);

    const change = { from: "INVITED", to: "ACCEPTED", at: acceptance.time };
    expect(first).toMatchObject({ kind: "applied", status: "ACCEPTED", statusChange: change });
    expect(again).toEqual({ kind: "duplicate", statusChange: change });
  });

  it("keeps a 500-subscription transfer with 2,000 events under the 400 KB item limit", {
    timeout: 300_000,
  }, async () => {
    const key = newTransferKey("large");
    const subscriptions = Array.from({ length: 500 }, (_, i) =>
      original({
        subscriptionId: `orig-${String(i).padStart(3, "0")}-${"x".repeat(50)}`,
        offerId: `offer-${i % 40}`,
        offerName: `Microsoft 365 E3 (annual commitment, paid monthly) variant ${i}`,
        quantity: 1 + (i % 300),
        commitmentEndDate: new Date(Date.UTC(2026, 6, 1 + (i % 200))).toISOString(),
        termDuration: "P1Y",
      }),
    );
    const events: UpstreamEvent[] = [parseUpstreamEvent(invitationSent({ ...key, subscriptions }))];
    for (let i = 0; i < 500; i++) {
      const id = subscriptions[i]?.subscriptionId ?? "";
      events.push(
        parseUpstreamEvent(
          provisioned({
            ...key,
            subscriptionId: `new-${i}-${"y".repeat(50)}`,
            offerId: `offer-${i % 40}`,
            quantity: 1 + (i % 300),
            replacesSubscriptionId: id,
          }),
        ),
      );
      for (let u = 0; u < 3; u++) {
        events.push(
          parseUpstreamEvent(
            updated({
              ...key,
              subscriptionId: id,
              updatedAt: new Date(Date.UTC(2026, 3, 1, u, i % 60)).toISOString(),
              autoRenewEnabled: u % 2 === 1,
            }),
          ),
        );
      }
    }
    expect(events).toHaveLength(2001);

    // One transfer's events serialise on its version anyway: apply them in arrival order.
    for (const event of events) await store.apply(event);

    const view = await storedView(key);
    expect(view.status).toBe("PROVISIONED");
    expect(view.history).toHaveLength(2001);
    expect(view).toEqual(transferView(events));
    const items = await allItems(key);
    const largest = Math.max(...items.map(itemSizeBytes));
    expect(largest).toBeLessThan(400 * 1024);
    expect(items.filter((i) => String(i.sk).startsWith("ORIGINAL#"))).toHaveLength(500);
  });

  it("finishes a large invitation's original items on redelivery after a crash half-way", async () => {
    // Prepare: 120 originals do not fit in one transaction; the 40th follow-up write fails.
    const faulty = documentClient(localDynamoConfig());
    const injector = new FaultInjector().attach(faulty);
    const crashing = new TransferStore(faulty, tableName, thresholds);
    const key = newTransferKey("overflow");
    const subscriptions = Array.from({ length: 120 }, (_, i) =>
      original({ subscriptionId: `o-${i}`, offerId: `offer-${i % 7}` }),
    );
    const event = parseUpstreamEvent(invitationSent({ ...key, subscriptions }));
    injector.arm({ command: "UpdateItemCommand", nth: 40, kind: "timeout", timing: "before" });

    // Act
    await expect(crashing.apply(event)).rejects.toThrow(/timed out/);
    const afterCrash = (await allItems(key)).filter((i) => String(i.sk).startsWith("ORIGINAL#"));
    const redelivery = await store.apply(event);

    // Assess
    expect(afterCrash.length).toBeLessThan(120);
    expect(redelivery.kind).toBe("duplicate");
    const items = await allItems(key);
    expect(items.filter((i) => String(i.sk).startsWith("ORIGINAL#"))).toHaveLength(120);
    expect(items.find((i) => i.sk === STATE_SK)?.originalsSynced).toBe(true);
  });

  it("indexes an active original by its first reminder date and drops it once ended", async () => {
    const key = newTransferKey("index");
    const sub = original({ subscriptionId: "o-idx", commitmentEndDate: "2026-09-30T00:00:00Z" });
    await store.apply(parseUpstreamEvent(invitationSent({ ...key, subscriptions: [sub] })));
    const indexed = await originalItem(key, "o-idx");
    expect(String(indexed?.reminderDue)).toMatch(/^2026-08-01#/);
    expect(indexed?.reminderShard).toMatch(/^DUE#\d+$/);

    await store.apply(parseUpstreamEvent(ended({ ...key, subscriptionId: "o-idx" })));

    const dropped = await originalItem(key, "o-idx");
    expect(dropped?.state).toBe("EXPIRED");
    expect(dropped?.reminderDue).toBeUndefined();
  });
});

async function allItems(key: { partnerId: string; customerTenantId: string }) {
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

async function originalItem(key: { partnerId: string; customerTenantId: string }, id: string) {
  const result = await db.send(
    new GetCommand({ TableName: tableName, Key: { pk: transferPk(key), sk: `ORIGINAL#${id}` } }),
  );
  return result.Item;
}

/** An item's size as DynamoDB counts it: attribute names plus values (binary by its bytes). */
function itemSizeBytes(item: Record<string, unknown>): number {
  const valueSize = (value: unknown): number => {
    if (value instanceof Uint8Array) return value.byteLength;
    if (typeof value === "string") return Buffer.byteLength(value);
    if (typeof value === "number") return 21;
    if (typeof value === "boolean" || value === null || value === undefined) return 1;
    if (Array.isArray(value)) return 3 + value.reduce((n: number, v) => n + 1 + valueSize(v), 0);
    return 3 + itemSizeBytes(value as Record<string, unknown>);
  };
  return Object.entries(item).reduce((n, [k, v]) => n + Buffer.byteLength(k) + valueSize(v), 0);
}
