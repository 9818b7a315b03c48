import { describe, expect, it } from "vitest";
import { transferView } from "../../../shared/domain/view.js";
import { parseUpstreamEvent, type UpstreamEvent } from "../../../shared/events/index.js";
import { documentClient } from "../../../shared/store/clients.js";
import { STATE_SK } from "../../../shared/store/keys.js";
import { itemSizeBytes } from "../../../shared/store/state-item.js";
import { TransferStore } from "../../../shared/store/transfer-store.js";
import { localDynamoConfig } from "../../support/dynamo.js";
import {
  invitationSent,
  newTransferKey,
  original,
  provisioned,
  updated,
} from "../../support/events.js";
import { FaultInjector } from "../../support/fault-injector.js";
import {
  allItems,
  store,
  storedView,
  tableName,
  thresholds,
  useStoreTable,
} from "./store-harness.js";

useStoreTable("store-size");

describe("TransferStore with large transfers: the 400 KB item limit, original items finished after a crash", () => {
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
});
