import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { transferView } from "../../../shared/domain/view.js";
import { parseUpstreamEvent } from "../../../shared/events/index.js";
import { documentClient } from "../../../shared/store/clients.js";
import { STATE_SK } from "../../../shared/store/keys.js";
import { TransferStore } from "../../../shared/store/transfer-store.js";
import { localDynamoConfig } from "../../support/dynamo.js";
import { invitationSent, newTransferKey, original, provisioned } from "../../support/events.js";
import {
  allItems,
  delivered,
  lifecycle,
  store,
  storedView,
  tableName,
  thresholds,
  useStoreTable,
} from "./store-harness.js";

useStoreTable("store-burst");

describe("TransferStore under contention: concurrent deliveries, bursts over instances, unprocessed reads", () => {
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
});
