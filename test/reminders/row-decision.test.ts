/**
 * The notifier's rule for one row of a digest at sending time (SPEC section 4), as a pure
 * function: (original as stored now, claim, clock) → the row to send, or why not.
 */
import { describe, expect, it } from "vitest";
import { claimSk } from "../../shared/reminders/claims.js";
import {
  decideRow,
  type RowClaim,
  type RowOriginal,
} from "../../shared/reminders/notify/row-decision.js";

const THRESHOLDS = [60, 30, 14, 7, 1];
const END = "2026-06-30T00:00:00Z";
const PARTNER = "ops@partner.example";
/** 60 days before END. */
const AT_60 = "2026-05-01T09:00:00Z";

const original = (extra: Partial<RowOriginal> = {}): RowOriginal => ({
  partnerId: "p-1",
  customerTenantId: "c-1",
  customerName: "Fabrikam Ltd",
  partnerEmail: PARTNER,
  subscriptionId: "sub-1",
  offerId: "offer-1",
  offerName: "Microsoft 365 Business Standard",
  quantity: 10,
  commitmentEndDate: END,
  autoRenewEnabled: false,
  termDuration: "P1Y",
  state: "ACTIVE",
  replacementProvisioned: false,
  offerDiscontinued: false,
  replacement: null,
  warnings: [],
  transferRemindable: true,
  firstReminderDate: "2026-05-01",
  ...extra,
});

const claim = (thresholdDays = 60, expiry = "2026-06-30", extra: Partial<RowClaim> = {}) => ({
  sk: claimSk("sub-1", expiry, thresholdDays),
  subscriptionId: "sub-1",
  commitmentEndDate: END,
  expiry,
  thresholdDays,
  ...extra,
});

const decide = (o: RowOriginal | null, c: RowClaim = claim(), now = AT_60, partnerKey = PARTNER) =>
  decideRow({ original: o, claim: c, partnerKey, thresholds: THRESHOLDS, now });

describe("a row is not sent when the store disagrees", () => {
  const cases: [string, RowOriginal | null, RowClaim, string, string][] = [
    ["the transfer no longer lists the original", null, claim(), AT_60, "originalNotTracked"],
    ["the original expired", original({ state: "EXPIRED" }), claim(), AT_60, "originalEnded"],
    [
      "the original was cancelled",
      original({ state: "CANCELLED" }),
      claim(),
      AT_60,
      "originalEnded",
    ],
    [
      "the transfer became INELIGIBLE or COMPLETED",
      original({ transferRemindable: false }),
      claim(),
      AT_60,
      "transferNotRemindable",
    ],
    [
      "the partner address changed",
      original({ partnerEmail: "new@partner.example" }),
      claim(),
      AT_60,
      "recipientChanged",
    ],
    ["a threshold that is not configured", original(), claim(45), AT_60, "unknownThreshold"],
    [
      "a claim whose key does not name its threshold",
      original(),
      claim(60, "2026-06-30", { sk: claimSk("sub-1", "2026-06-30", 30) }),
      AT_60,
      "unknownThreshold",
    ],
    [
      "renewed since the claim (end date 90 days later)",
      original({
        commitmentEndDate: "2026-09-28T00:00:00Z",
        reminderExpiry: "2026-06-30",
        reminderExpiryEnd: "2026-06-30",
      }),
      claim(),
      AT_60,
      "renewed",
    ],
    [
      "the end date has passed at sending time",
      original(),
      claim(1),
      "2026-07-01T00:00:00Z",
      "pastEndDate",
    ],
    [
      "a smaller threshold is crossed by now",
      original(),
      claim(60),
      "2026-06-20T09:00:00Z",
      "superseded",
    ],
    ["no threshold is crossed yet", original(), claim(60), "2026-04-01T09:00:00Z", "notDueYet"],
    ["only a larger threshold is crossed", original(), claim(30), AT_60, "notDueYet"],
    [
      "the threshold is longer than the term (P1M)",
      original({ termDuration: "P1M" }),
      claim(60),
      AT_60,
      "notDueYet",
    ],
  ];
  it.each(cases)("%s", (_title, o, c, now, reason) => {
    expect(decide(o, c, now)).toEqual({ drop: reason });
  });
});

describe("a row that is sent", () => {
  it("says what the original says now, with the days left at sending time", () => {
    const replacement = { subscriptionId: "new-1", offerId: "offer-1", quantity: 8 };
    const warnings = [
      { code: "SEAT_COUNT_MISMATCH" as const, message: "8 of 10", expected: 10, actual: 8 },
    ];
    const decision = decide(
      original({ replacement, replacementProvisioned: true, warnings, quantity: 10 }),
      claim(60),
      "2026-05-03T23:59:00Z",
    );
    expect(decision).toEqual({
      send: {
        partnerId: "p-1",
        customerTenantId: "c-1",
        customerName: "Fabrikam Ltd",
        subscriptionId: "sub-1",
        offerId: "offer-1",
        offerName: "Microsoft 365 Business Standard",
        quantity: 10,
        commitmentEndDate: END,
        daysLeft: 58,
        thresholdDays: 60,
        autoRenewEnabled: false,
        offerDiscontinued: false,
        replacement,
        warnings,
      },
    });
  });

  it.each([
    ["the same address written differently", original({ partnerEmail: "  OPS@Partner.Example " })],
    [
      "an end date corrected three days earlier (the same expiry)",
      original({
        commitmentEndDate: "2026-06-27T00:00:00Z",
        reminderExpiry: "2026-06-30",
        reminderExpiryEnd: "2026-06-30",
      }),
    ],
    ["an unknown term skips no threshold", original({ termDuration: null })],
  ])("%s", (_title, o) => {
    expect(decide(o, claim(60), AT_60)).toHaveProperty("send.thresholdDays", 60);
  });

  it("on the end date itself, the 1-day threshold is sent with 0 days left", () => {
    expect(decide(original(), claim(1), "2026-06-30T18:00:00Z")).toHaveProperty("send.daysLeft", 0);
  });

  it("a claim written before expiries were remembered names its end date", () => {
    const old = { ...claim(60), expiry: undefined as unknown as string };
    expect(decide(original(), old, AT_60)).toHaveProperty("send.thresholdDays", 60);
  });
});
