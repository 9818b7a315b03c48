import { describe, expect, it } from "vitest";
import { transferView } from "../../../shared/domain/view.js";
import { parseUpstreamEvent } from "../../../shared/events/index.js";
import {
  accepted,
  ended,
  invitationSent,
  newTransferKey,
  original,
  resent,
} from "../../support/events.js";
import {
  allItems,
  lifecycle,
  originalItem,
  store,
  storedView,
  useStoreTable,
} from "./store-harness.js";

useStoreTable("store");

describe("TransferStore against DynamoDB Local: the view, replays and the reminder index", () => {
  it("stores the same view as the pure function of the events", async () => {
    // Prepare
    const key = newTransferKey("seq");
    const events = lifecycle(key, 6);
    // Act
    for (const event of events) await store.apply(event);
    // Assess
    expect(await storedView(key)).toEqual(transferView(events));
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
