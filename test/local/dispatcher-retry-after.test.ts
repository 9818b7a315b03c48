/**
 * An error may say when a retry can succeed (`retryAfterMs`, e.g. the notifier's
 * ReminderInFlightError: another delivery holds the digest's send lease until it expires). The
 * local bus waits at least that long before the next attempt, so its retries outlast the lease
 * instead of being spent within a few hundred milliseconds (SPEC section 4).
 */
import { describe, expect, it } from "vitest";
import { Dispatcher } from "../../local/dispatcher.js";
import { type BusEvent, Journal } from "../../local/journal.js";
import { DETAIL_TYPES, SOURCES } from "../../shared/events/registry.js";

const event = (): BusEvent => ({
  version: "0",
  id: `e-${Math.random()}`,
  "detail-type": DETAIL_TYPES.reminderDigestReady,
  source: SOURCES.tracker,
  account: "000000000000",
  time: "2026-01-05T09:00:00Z",
  region: "us-east-1",
  resources: [],
  detail: { digestId: "d-1" },
});

/** A handler that fails like a live lease until `heldMs` after its first call. */
function leaseHolder(heldMs: number, retryAfterMs: number | undefined) {
  const calls: number[] = [];
  const handler = async () => {
    calls.push(Date.now());
    const first = calls[0] ?? Date.now();
    if (Date.now() - first < heldMs) {
      throw Object.assign(new Error("digest is being sent by another delivery"), {
        name: "ReminderInFlightError",
        retryable: true,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
  };
  return { handler, calls };
}

async function deliverOnce(handler: () => Promise<void>) {
  const dispatcher = new Dispatcher({
    journal: await Journal.open(null),
    handlers: { notifier: handler },
    maxAttempts: 3,
    backoffBaseMs: 1,
    backoffCapMs: 5,
  });
  await dispatcher.accept(event());
  return dispatcher.drain();
}

describe("a retry after a live lease", () => {
  it("waits for the time the error names, and then succeeds", async () => {
    const { handler, calls } = leaseHolder(400, 450);
    const result = await deliverOnce(handler);
    expect(result).toEqual({ delivered: 1, deadLettered: 0, pending: 0 });
    expect(calls).toHaveLength(2);
    expect((calls[1] ?? 0) - (calls[0] ?? 0)).toBeGreaterThanOrEqual(440);
  });

  it("without a named time, the ordinary backoff is spent before the lease expires", async () => {
    const { handler, calls } = leaseHolder(400, undefined);
    const result = await deliverOnce(handler);
    expect(result).toEqual({ delivered: 0, deadLettered: 1, pending: 0 });
    expect(calls).toHaveLength(3);
  });
});
