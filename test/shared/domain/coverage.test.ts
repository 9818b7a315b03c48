/** SPEC section 10: `remaining` and `users` as plain arithmetic, on tables of numbers. */
import { describe, expect, it } from "vitest";
import { coverage } from "../../../shared/domain/coverage.js";

describe("coverage (who loses a license when an original ends)", () => {
  it.each([
    // consumed, enabled, own, ending -> remaining, users
    { why: "nothing else of the SKU: every user loses it", c: 7, e: 10, o: 10, x: 0, r: 0, u: 7 },
    {
      why: "a replacement of 10 on the same SKU covers 7 users",
      c: 7,
      e: 20,
      o: 10,
      x: 0,
      r: 10,
      u: 0,
    },
    { why: "a replacement of 5 covers 5 of 7", c: 7, e: 15, o: 10, x: 0, r: 5, u: 2 },
    { why: "exactly enough left", c: 10, e: 20, o: 10, x: 0, r: 10, u: 0 },
    {
      why: "another original ending first takes its 5 too",
      c: 12,
      e: 25,
      o: 10,
      x: 5,
      r: 10,
      u: 2,
    },
    { why: "no users at all", c: 0, e: 10, o: 10, x: 0, r: 0, u: 0 },
    {
      why: "inconsistent tenant (own above enabled): nothing left, never negative",
      c: 3,
      e: 5,
      o: 10,
      x: 0,
      r: 0,
      u: 3,
    },
    {
      why: "the STANDARDPACK example: 7 of 12 users keep a license",
      c: 12,
      e: 15,
      o: 10,
      x: 0,
      r: 5,
      u: 7,
    },
  ])("$why", ({ c, e, o, x, r, u }) => {
    expect(
      coverage({ consumedUnits: c, enabledLicenses: e, ownLicenses: o, endingLicenses: x }),
    ).toEqual({ remaining: r, users: u });
  });
});
