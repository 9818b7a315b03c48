/** SPEC section 10: the two "what to do" sentences the digest, calendar and page use. */
import { describe, expect, it } from "vitest";
import { coverageAdvice, untrackedAdvice } from "../../shared/advice/tenant-advice.js";
import type { Warning } from "../../shared/domain/view-types.js";

const gap = (users: number, date: string | null = "2031-05-06"): Warning => ({
  code: "LICENSES_NOT_COVERED",
  subscriptionId: "orig-1",
  users,
  skuPartNumber: "STANDARDPACK",
  date,
  message: "…",
});
const untracked = (seats: number, date: string | null): Warning => ({
  code: "UNTRACKED_ORIGINAL",
  subscriptionId: "sub-9",
  skuPartNumber: "ENTERPRISEPACK",
  seats,
  date,
  message: "…",
});

describe("tenant advice", () => {
  it.each([
    [gap(7), "Move 7 users from STANDARDPACK before 2031-05-06."],
    [gap(1), "Move 1 user from STANDARDPACK before 2031-05-06."],
    [gap(3, null), "Move 3 users from STANDARDPACK."],
  ])("coverageAdvice %#", (warning, text) => {
    expect(coverageAdvice(warning)).toBe(text);
  });

  it.each([
    [
      untracked(5, "2031-04-06"),
      "The customer also has ENTERPRISEPACK × 5 from another channel, ending 2031-04-06.",
    ],
    [untracked(1, null), "The customer also has ENTERPRISEPACK × 1 from another channel."],
  ])("untrackedAdvice %#", (warning, text) => {
    expect(untrackedAdvice(warning)).toBe(text);
  });

  it("says nothing about other warnings", () => {
    expect(coverageAdvice(untracked(5, null))).toBeNull();
    expect(untrackedAdvice(gap(7))).toBeNull();
    expect(coverageAdvice(gap(0))).toBeNull();
  });
});
