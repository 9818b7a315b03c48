import { describe, expect, it } from "vitest";
import { WARNING_CODES, type WarningCode } from "../../../shared/domain/view-types.js";
import {
  invitationSent,
  original,
  originalSubscriptionEnded,
  originalSubscriptionUpdated,
  type RawEnvelope,
  subscriptionProvisioned,
  tenantObserved,
} from "../../support/events.js";
import { codesOf, viewOf, warningsWith } from "./view-of.js";

/** One original, orig-1: offer-a, 10 seats, ends 30 June 2026, auto-renew off. */
const invite = (overrides: Parameters<typeof original>[0] = {}, detail = {}) =>
  invitationSent({
    subscriptions: [
      original({
        subscriptionId: "orig-1",
        offerId: "offer-a",
        quantity: 10,
        commitmentEndDate: "2026-06-30T00:00:00Z",
        autoRenewEnabled: false,
        ...overrides,
      }),
    ],
    ...detail,
  });

/** new-1 replacing orig-1 explicitly, same offer and seats unless overridden. */
const replacement = (detail: Parameters<typeof subscriptionProvisioned>[0] = {}) =>
  subscriptionProvisioned({
    subscriptionId: "new-1",
    offerId: "offer-a",
    quantity: 10,
    provisionedAt: "2026-02-01T12:00:00Z",
    replacesSubscriptionId: "orig-1",
    ...detail,
  });

const ended = (detail: Parameters<typeof originalSubscriptionEnded>[0] = {}) =>
  originalSubscriptionEnded({ subscriptionId: "orig-1", ...detail });

type Case = {
  name: string;
  events: RawEnvelope[];
  /** Exactly the warning codes expected, in order. */
  codes: WarningCode[];
};

const cases: Case[] = [
  { name: "a clean transfer in progress", events: [invite(), replacement()], codes: [] },
  {
    name: "a clean transfer, completed",
    events: [invite(), replacement(), ended({ endedAt: "2026-06-30T00:00:00Z" })],
    codes: [],
  },
  // COUNTRY_MISMATCH
  {
    name: "partner in GB, customer in IE",
    events: [invite({}, { partnerCountry: "GB", customerCountry: "IE" })],
    codes: ["COUNTRY_MISMATCH"],
  },
  // OFFER_MISMATCH / LICENSE_REASSIGNMENT_REQUIRED
  {
    name: "replacement on another offer",
    events: [invite(), replacement({ offerId: "offer-b" })],
    codes: ["OFFER_MISMATCH"],
  },
  {
    name: "discontinued original replaced by another offer: reassignment, not offer mismatch",
    events: [invite({ offerDiscontinued: true }), replacement({ offerId: "offer-b" })],
    codes: ["LICENSE_REASSIGNMENT_REQUIRED"],
  },
  {
    name: "discontinued original replaced by the same offer",
    events: [invite({ offerDiscontinued: true }), replacement()],
    codes: [],
  },
  // SEAT_COUNT_MISMATCH
  {
    name: "fewer seats on the replacement",
    events: [invite(), replacement({ quantity: 8 })],
    codes: ["SEAT_COUNT_MISMATCH"],
  },
  {
    name: "another offer and more seats",
    events: [invite(), replacement({ offerId: "offer-b", quantity: 12 })],
    codes: ["OFFER_MISMATCH", "SEAT_COUNT_MISMATCH"],
  },
  {
    name: "the original's seats were updated to match the replacement",
    events: [
      invite(),
      originalSubscriptionUpdated({ subscriptionId: "orig-1", quantity: 12 }),
      replacement({ quantity: 12 }),
    ],
    codes: [],
  },
  // ORIGINAL_AUTO_RENEW_ON
  {
    name: "active original with auto-renew on",
    events: [invite({ autoRenewEnabled: true })],
    codes: ["ORIGINAL_AUTO_RENEW_ON"],
  },
  {
    name: "auto-renew turned on by a later update",
    events: [
      invite(),
      originalSubscriptionUpdated({ subscriptionId: "orig-1", autoRenewEnabled: true }),
    ],
    codes: ["ORIGINAL_AUTO_RENEW_ON"],
  },
  {
    name: "auto-renew turned off by a later update",
    events: [
      invite({ autoRenewEnabled: true }),
      originalSubscriptionUpdated({ subscriptionId: "orig-1", autoRenewEnabled: false }),
    ],
    codes: [],
  },
  {
    name: "auto-renew on, but the original expired (only ACTIVE originals warn)",
    events: [invite({ autoRenewEnabled: true }), replacement(), ended({ reason: "expired" })],
    codes: [],
  },
  {
    name: "auto-renew on, but the original was cancelled on its end date",
    events: [
      invite({ autoRenewEnabled: true }),
      replacement(),
      ended({ reason: "cancelled", endedAt: "2026-06-30T08:00:00Z" }),
    ],
    codes: [],
  },
  // ENDED_WITHOUT_REPLACEMENT
  {
    name: "original ended and nothing was provisioned",
    events: [invite(), ended({ endedAt: "2026-06-30T00:00:00Z" })],
    codes: ["ENDED_WITHOUT_REPLACEMENT"],
  },
  {
    name: "replacement provisioned after the original ended",
    events: [
      invite(),
      ended({ endedAt: "2026-06-30T00:00:00Z" }),
      replacement({ provisionedAt: "2026-06-30T00:00:01Z" }),
    ],
    codes: ["ENDED_WITHOUT_REPLACEMENT"],
  },
  {
    name: "replacement provisioned exactly at endedAt",
    events: [
      invite(),
      ended({ endedAt: "2026-06-30T00:00:00Z" }),
      replacement({ provisionedAt: "2026-06-30T00:00:00.000Z" }),
    ],
    codes: [],
  },
  {
    name: "replacement provisioned earlier, written with an offset (compares instants, not text)",
    events: [
      invite(),
      ended({ endedAt: "2026-06-30T00:00:00Z" }),
      replacement({ provisionedAt: "2026-06-30T01:00:00+02:00" }),
    ],
    codes: [],
  },
  // CANCELLED_BEFORE_EXPIRY
  {
    name: "cancelled a day before the end date (and no replacement)",
    events: [invite(), ended({ reason: "cancelled", endedAt: "2026-06-29T12:00:00Z" })],
    codes: ["ENDED_WITHOUT_REPLACEMENT", "CANCELLED_BEFORE_EXPIRY"],
  },
  {
    name: "cancelled a month early with a replacement in place",
    events: [
      invite(),
      replacement(),
      ended({ reason: "cancelled", endedAt: "2026-05-30T00:00:00Z" }),
    ],
    codes: ["CANCELLED_BEFORE_EXPIRY"],
  },
  {
    name: "cancelled on the same UTC day, hours before the end instant",
    events: [
      invite({ commitmentEndDate: "2026-06-30T23:00:00Z" }),
      replacement(),
      ended({ reason: "cancelled", endedAt: "2026-06-30T00:30:00Z" }),
    ],
    codes: [],
  },
  {
    name: "cancelled at 01:00+02:00 on 30 June, which is 29 June in UTC",
    events: [
      invite({ commitmentEndDate: "2026-06-30" }),
      replacement(),
      ended({ reason: "cancelled", endedAt: "2026-06-30T01:00:00+02:00" }),
    ],
    codes: ["CANCELLED_BEFORE_EXPIRY"],
  },
  {
    name: "cancelled at 23:30-01:00 on 29 June, which is 30 June in UTC",
    events: [
      invite({ commitmentEndDate: "2026-06-30" }),
      replacement(),
      ended({ reason: "cancelled", endedAt: "2026-06-29T23:30:00-01:00" }),
    ],
    codes: [],
  },
  {
    name: "cancelled after the end date",
    events: [
      invite(),
      replacement(),
      ended({ reason: "cancelled", endedAt: "2026-07-02T00:00:00Z" }),
    ],
    codes: [],
  },
  {
    name: "expired early is not a cancellation",
    events: [
      invite(),
      replacement(),
      ended({ reason: "expired", endedAt: "2026-05-01T00:00:00Z" }),
    ],
    codes: [],
  },
  {
    name: "cancelled before an end date moved later by an update",
    events: [
      invite({ commitmentEndDate: "2026-06-30T00:00:00Z" }),
      originalSubscriptionUpdated({ subscriptionId: "orig-1", commitmentEndDate: "2026-12-31" }),
      replacement(),
      ended({ reason: "cancelled", endedAt: "2026-07-15T00:00:00Z" }),
    ],
    codes: ["CANCELLED_BEFORE_EXPIRY"],
  },
  // UNMATCHED_REPLACEMENT
  {
    name: "a new subscription naming an unknown original",
    events: [
      invite(),
      replacement(),
      replacement({ subscriptionId: "new-2", replacesSubscriptionId: "orig-x" }),
    ],
    codes: ["UNMATCHED_REPLACEMENT"],
  },
  {
    name: "a new subscription on an offer no original has",
    events: [
      invite(),
      replacement(),
      replacement({
        subscriptionId: "new-2",
        offerId: "offer-z",
        replacesSubscriptionId: undefined,
      }),
    ],
    codes: ["UNMATCHED_REPLACEMENT"],
  },
  // UNTRACKED_ORIGINAL / LICENSES_NOT_COVERED (the customer's tenant, SPEC section 10)
  {
    name: "the tenant has another channel's subscription the invitation missed",
    events: [
      invite(),
      replacement(),
      tenantObserved({
        untracked: [
          {
            subscriptionId: "other-9",
            otherId: null,
            skuPartNumber: "ENTERPRISEPACK",
            totalLicenses: 5,
            nextLifecycleDateTime: "2026-04-06T00:00:00Z",
          },
        ],
      }),
    ],
    codes: ["UNTRACKED_ORIGINAL"],
  },
  {
    name: "users hold the original's SKU and nothing else of it is left after its end",
    events: [
      invite(),
      replacement({ offerId: "offer-b" }),
      tenantObserved({
        skus: [
          {
            skuId: "sku-standardpack",
            skuPartNumber: "STANDARDPACK",
            consumedUnits: 7,
            enabledLicenses: 10,
          },
        ],
      }),
    ],
    codes: ["OFFER_MISMATCH", "LICENSES_NOT_COVERED"],
  },
];

describe("warnings (SPEC sections 1 and 3)", () => {
  it.each(cases)("$name -> [$codes]", ({ events, codes }) => {
    // Act
    const view = viewOf(...events);
    // Assess
    expect(codesOf(view)).toEqual(codes);
  });

  it("covers every warning code", () => {
    expect(new Set(cases.flatMap((c) => c.codes))).toEqual(new Set(WARNING_CODES));
  });

  it("every message is a sentence", () => {
    for (const { events } of cases) {
      // A sentence may open with its number ("7 users hold STANDARDPACK licenses…", SPEC section 10).
      for (const w of viewOf(...events).warnings) expect(w.message).toMatch(/^[A-Z0-9].*\.$/s);
    }
  });

  it("COUNTRY_MISMATCH has subscriptionId null and names both countries", () => {
    const [warning] = warningsWith(
      viewOf(invite({}, { partnerCountry: "GB", customerCountry: "IE" })),
      "COUNTRY_MISMATCH",
    );
    expect(warning).toMatchObject({ code: "COUNTRY_MISMATCH", subscriptionId: null });
    expect(warning?.message).toMatch(/GB/);
    expect(warning?.message).toMatch(/IE/);
  });

  it("OFFER_MISMATCH names the original, the replacement and both offers", () => {
    const [warning] = warningsWith(
      viewOf(invite(), replacement({ offerId: "offer-b" })),
      "OFFER_MISMATCH",
    );
    expect(warning?.subscriptionId).toBe("orig-1");
    for (const s of ["orig-1", "new-1", "offer-a", "offer-b"])
      expect(warning?.message).toContain(s);
  });

  it("LICENSE_REASSIGNMENT_REQUIRED is about the original and names both offers", () => {
    const [warning] = warningsWith(
      viewOf(invite({ offerDiscontinued: true }), replacement({ offerId: "offer-b" })),
      "LICENSE_REASSIGNMENT_REQUIRED",
    );
    expect(warning?.subscriptionId).toBe("orig-1");
    for (const s of ["orig-1", "offer-a", "offer-b"]) expect(warning?.message).toContain(s);
  });

  it.each([
    { original: 10, replacementSeats: 8, delta: "-2" },
    { original: 10, replacementSeats: 12, delta: "+2" },
    { original: 1, replacementSeats: 250, delta: "+249" },
  ])(
    "SEAT_COUNT_MISMATCH $original -> $replacementSeats carries expected/actual and the delta $delta",
    ({ original: seats, replacementSeats, delta }) => {
      // Prepare
      const events = [invite({ quantity: seats }), replacement({ quantity: replacementSeats })];
      // Act
      const [warning] = warningsWith(viewOf(...events), "SEAT_COUNT_MISMATCH");
      // Assess
      expect(warning).toMatchObject({
        code: "SEAT_COUNT_MISMATCH",
        subscriptionId: "orig-1",
        expected: seats,
        actual: replacementSeats,
      });
      expect(warning?.message).toContain(String(seats));
      expect(warning?.message).toContain(String(replacementSeats));
      expect(warning?.message).toContain(delta);
    },
  );

  it("SEAT_COUNT_MISMATCH compares with the original's latest quantity", () => {
    const [warning] = warningsWith(
      viewOf(
        invite({ quantity: 10 }),
        originalSubscriptionUpdated({ subscriptionId: "orig-1", quantity: 15 }),
        replacement({ quantity: 10 }),
      ),
      "SEAT_COUNT_MISMATCH",
    );
    expect(warning).toMatchObject({ expected: 15, actual: 10 });
  });

  it("only SEAT_COUNT_MISMATCH carries expected/actual", () => {
    const view = viewOf(invite({ autoRenewEnabled: true }), replacement({ offerId: "offer-b" }));
    for (const w of view.warnings) {
      expect(w).not.toHaveProperty("expected");
      expect(w).not.toHaveProperty("actual");
    }
  });

  it("ORIGINAL_AUTO_RENEW_ON names the original and its end date", () => {
    const [warning] = warningsWith(
      viewOf(invite({ autoRenewEnabled: true })),
      "ORIGINAL_AUTO_RENEW_ON",
    );
    expect(warning?.subscriptionId).toBe("orig-1");
    expect(warning?.message).toContain("2026-06-30");
  });

  it("ENDED_WITHOUT_REPLACEMENT names the original, the end date and the seats", () => {
    const [warning] = warningsWith(
      viewOf(invite({ quantity: 7 }), ended({ endedAt: "2026-06-30T00:00:00Z" })),
      "ENDED_WITHOUT_REPLACEMENT",
    );
    expect(warning?.subscriptionId).toBe("orig-1");
    expect(warning?.message).toContain("2026-06-30");
    expect(warning?.message).toContain("7");
  });

  it("CANCELLED_BEFORE_EXPIRY says how many days early and both dates", () => {
    const [warning] = warningsWith(
      viewOf(
        invite(),
        replacement(),
        ended({ reason: "cancelled", endedAt: "2026-06-20T15:00:00Z" }),
      ),
      "CANCELLED_BEFORE_EXPIRY",
    );
    expect(warning?.subscriptionId).toBe("orig-1");
    expect(warning?.message).toContain("2026-06-20");
    expect(warning?.message).toContain("2026-06-30");
    expect(warning?.message).toMatch(/\b10 days\b/);
  });

  it("UNMATCHED_REPLACEMENT carries the new subscription's id, and the new one is listed as unmatched", () => {
    // Prepare
    const stray = replacement({
      subscriptionId: "new-2",
      offerId: "offer-z",
      quantity: 3,
      provisionedAt: "2026-03-01T00:00:00Z",
      replacesSubscriptionId: undefined,
    });
    // Act
    const view = viewOf(invite(), replacement(), stray);
    // Assess
    const [warning] = warningsWith(view, "UNMATCHED_REPLACEMENT");
    expect(warning?.subscriptionId).toBe("new-2");
    expect(warning?.message).toContain("new-2");
    expect(warning?.message).toContain("offer-z");
    expect(view.unmatched).toEqual([
      {
        subscriptionId: "new-2",
        offerId: "offer-z",
        quantity: 3,
        provisionedAt: "2026-03-01T00:00:00Z",
      },
    ]);
  });

  it("UNMATCHED_REPLACEMENT for an explicit replacement names the original it asked for", () => {
    const [warning] = warningsWith(
      viewOf(invite(), replacement({ subscriptionId: "new-2", replacesSubscriptionId: "orig-x" })),
      "UNMATCHED_REPLACEMENT",
    );
    expect(warning?.message).toContain("orig-x");
  });

  it("an INELIGIBLE transfer still reports the other problems", () => {
    const view = viewOf(
      invite({ autoRenewEnabled: true }, { partnerCountry: "GB", customerCountry: "FR" }),
      replacement({ quantity: 9 }),
    );
    expect(view.status).toBe("INELIGIBLE");
    expect(codesOf(view)).toEqual([
      "COUNTRY_MISMATCH",
      "SEAT_COUNT_MISMATCH",
      "ORIGINAL_AUTO_RENEW_ON",
    ]);
  });

  it("warnings of several originals are each attributed to their original", () => {
    const view = viewOf(
      invitationSent({
        subscriptions: [
          original({ subscriptionId: "orig-1", offerId: "offer-a", autoRenewEnabled: true }),
          original({ subscriptionId: "orig-2", offerId: "offer-b", quantity: 4 }),
        ],
      }),
      subscriptionProvisioned({ subscriptionId: "new-2", offerId: "offer-b", quantity: 5 }),
    );
    expect(view.warnings.map((w) => [w.code, w.subscriptionId])).toEqual([
      ["ORIGINAL_AUTO_RENEW_ON", "orig-1"],
      ["SEAT_COUNT_MISMATCH", "orig-2"],
    ]);
  });
});
