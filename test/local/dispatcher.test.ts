import { describe, expect, it } from "vitest";
import { Dispatcher, type Handler, targetsOf } from "../../local/dispatcher.js";
import { type BusEvent, Journal } from "../../local/journal.js";
import { EventValidationError } from "../../shared/events/envelope.js";
import { DETAIL_TYPES, SOURCES, UPSTREAM_DETAIL_TYPES } from "../../shared/events/registry.js";
import { FUNCTIONS, RULES } from "../../shared/functions.js";

function busEvent(detailType: string, source: string = SOURCES.upstream): BusEvent {
  return {
    version: "0",
    id: `e-${Math.random()}`,
    "detail-type": detailType,
    source,
    account: "000000000000",
    time: "2026-01-05T09:00:00Z",
    region: "us-east-1",
    resources: [],
    detail: {},
  };
}

async function dispatcherWith(handler: Handler, maxAttempts = 4) {
  const journal = await Journal.open(null);
  const dispatcher = new Dispatcher({
    journal,
    handlers: { invitationSent: handler },
    maxAttempts,
    backoffBaseMs: 1,
    backoffCapMs: 5,
  });
  return { journal, dispatcher };
}

describe("routing with the shared RULES", () => {
  it.each(UPSTREAM_DETAIL_TYPES)("sends %s to the one function that handles it", (detailType) => {
    const targets = targetsOf(busEvent(detailType));
    expect(targets).toHaveLength(1);
    const [target] = targets;
    expect(target && (FUNCTIONS[target].triggers as readonly string[])).toContain(detailType);
  });

  it("routes Reminder Digest Ready from the tracker to the notifier, and Expiry Approaching to no function", () => {
    expect(targetsOf(busEvent(DETAIL_TYPES.reminderDigestReady, SOURCES.tracker))).toEqual([
      "notifier",
    ]);
    // One email per digest: a (late, duplicate) Expiry Approaching is for other consumers only.
    expect(targetsOf(busEvent(DETAIL_TYPES.expiryApproaching, SOURCES.tracker))).toEqual([]);
    expect(targetsOf(busEvent(DETAIL_TYPES.reminderDigestReady, SOURCES.upstream))).toEqual([]);
  });

  it("delivers nothing for the wrong source or an event no rule wants", () => {
    expect(targetsOf(busEvent(DETAIL_TYPES.invitationSent, "someone.else"))).toEqual([]);
    expect(targetsOf(busEvent(DETAIL_TYPES.transferStatusChanged, SOURCES.tracker))).toEqual([]);
    expect(RULES.length).toBeGreaterThan(0);
  });
});

describe("delivery", () => {
  it("retries a transient failure with backoff until the handler succeeds", async () => {
    let calls = 0;
    const { dispatcher, journal } = await dispatcherWith(async () => {
      calls++;
      if (calls < 3) throw Object.assign(new Error("throttled"), { retryable: true });
    });
    await dispatcher.accept(busEvent(DETAIL_TYPES.invitationSent));
    const result = await dispatcher.drain();
    expect(calls).toBe(3);
    expect(result).toEqual({ delivered: 1, deadLettered: 0, pending: 0 });
    expect(journal.dead.size).toBe(0);
  });

  it("dead-letters an invalid event at once, with the validation reason", async () => {
    let calls = 0;
    const { dispatcher, journal } = await dispatcherWith(async () => {
      calls++;
      throw new EventValidationError([{ field: "detail.quantity", reason: "too small" }]);
    });
    await dispatcher.accept(busEvent(DETAIL_TYPES.invitationSent));
    const result = await dispatcher.drain();
    expect(calls).toBe(1);
    expect(result).toEqual({ delivered: 0, deadLettered: 1, pending: 0 });
    const [letter] = [...journal.dead.values()];
    expect(letter?.attempts).toBe(1);
    expect(letter?.reason).toContain("detail.quantity: too small");
  });

  it("dead-letters a delivery that keeps failing after the last attempt", async () => {
    let calls = 0;
    const { dispatcher, journal } = await dispatcherWith(async () => {
      calls++;
      throw new Error("DynamoDB unavailable");
    }, 4);
    await dispatcher.accept(busEvent(DETAIL_TYPES.invitationSent));
    await dispatcher.drain();
    expect(calls).toBe(4);
    const [letter] = [...journal.dead.values()];
    expect(letter?.reason).toBe("gave up after 4 attempts: Error: DynamoDB unavailable");
    expect(letter?.attempts).toBe(4);
  });

  it("resumes deliveries a journal still holds from before a restart", async () => {
    const journal = await Journal.open(null);
    const event = busEvent(DETAIL_TYPES.invitationSent);
    await journal.accept([
      { id: `${event.id}:invitationSent`, functionId: "invitationSent", event },
    ]);
    const seen: string[] = [];
    const dispatcher = new Dispatcher({
      journal,
      handlers: { invitationSent: async (e) => void seen.push(e.id) },
    });
    dispatcher.resume();
    await dispatcher.drain();
    expect(seen).toEqual([event.id]);
  });
});
