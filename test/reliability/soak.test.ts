/**
 * The soak at a size that fits CI (`npm run soak` runs the full 20,000 events): shuffled events
 * with re-sent facts and same-id redeliveries, 32 concurrent callers; every transfer view must
 * equal the pure function of its distinct events, nothing lost, nothing dead-lettered.
 */
import { describe, expect, it } from "vitest";
import { runScript } from "../e2e/helpers.js";

describe("soak", () => {
  it("3,000 events over 300 transfers converge with nothing lost", {
    timeout: 600_000,
  }, async () => {
    const result = await runScript("bench/soak.ts", [
      "--events",
      "3000",
      "--transfers",
      "300",
      "--json",
      "--time-limit",
      "500",
    ]);

    expect(result.code, result.stderr).toBe(0);
    const figures = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}");
    expect(figures).toMatchObject({
      soakPuts: 2850,
      soakAccepted: 2850,
      soakTransfers: 300,
      soakLost: 0,
      soakMismatched: 0,
      soakDeadLettered: 0,
    });
    expect(figures.soakRedelivered).toBeGreaterThan(0);
    expect(figures.soakEvents).toBe(figures.soakPuts + figures.soakRedelivered);
    expect(figures.soakEventsPerSecond).toBeGreaterThan(0);
  });
});
