/**
 * SPEC section 10, "What a read establishes": end dates and seats followed (as facts of time
 * observedAt), both kinds of end, the untracked original and the coverage warning.
 */
import { describe, expect, it } from "vitest";
import {
  invitationSent,
  original,
  originalSubscriptionEnded,
  originalSubscriptionUpdated,
  subscriptionProvisioned,
  tenantObserved,
} from "../../support/events.js";
import { codesOf, subscriptionOf, viewOf, warningsWith } from "./view-of.js";

const END = "2031-05-06T00:00:00Z";
const invite = (
  originals = [original({ subscriptionId: "orig-1", quantity: 10, commitmentEndDate: END })],
) => invitationSent({ sentAt: "2031-01-05T09:00:00Z", subscriptions: originals });
type Observed = NonNullable<Parameters<typeof tenantObserved>[0]>["originals"];
const read = (
  observedAt: string,
  originals: Observed,
  skus: {
    skuId: string;
    skuPartNumber: string;
    consumedUnits: number;
    enabledLicenses: number;
  }[] = [],
  untracked: NonNullable<Parameters<typeof tenantObserved>[0]>["untracked"] = [],
) => tenantObserved({ observedAt, originals, skus, untracked });
const seen = (
  status: "Enabled" | "Warning" | "Suspended" | "LockedOut" | "Deleted",
  more = {},
) => ({
  subscriptionId: "orig-1",
  status,
  skuId: "sku-std",
  totalLicenses: 10,
  nextLifecycleDateTime: END,
  ...more,
});
const std = (consumedUnits: number, enabledLicenses: number) => ({
  skuId: "sku-std",
  skuPartNumber: "STANDARDPACK",
  consumedUnits,
  enabledLicenses,
});

describe("a read of the customer's tenant", () => {
  it("an Enabled match takes the tenant's end date and seats", () => {
    const view = viewOf(
      invite(),
      read(
        "2031-02-01T06:00:00Z",
        [seen("Enabled", { nextLifecycleDateTime: "2032-05-06T00:00:00Z", totalLicenses: 12 })],
        [std(12, 12)],
      ),
    );
    const sub = subscriptionOf(view, "orig-1");
    expect(sub.commitmentEndDate).toBe("2032-05-06T00:00:00Z");
    expect(sub.quantity).toBe(12);
    expect(sub.state).toBe("ACTIVE");
  });

  it("matches the tenant's GUIDs case-insensitively", () => {
    const id = "3f2a9c1e-7b4d-4e8f-9a0b-1c2d3e4f5a6b";
    const view = viewOf(
      invite([original({ subscriptionId: id, commitmentEndDate: END })]),
      read(
        "2031-02-01T06:00:00Z",
        [seen("Enabled", { subscriptionId: id.toUpperCase(), totalLicenses: 4 })],
        [std(0, 4)],
      ),
    );
    expect(subscriptionOf(view, id).quantity).toBe(4);
  });

  it("is a fact of time observedAt: a later update wins over it, an earlier one does not", () => {
    const tenantRead = read(
      "2031-02-01T06:00:00Z",
      [seen("Enabled", { totalLicenses: 12 })],
      [std(0, 12)],
    );
    const before = originalSubscriptionUpdated({
      subscriptionId: "orig-1",
      updatedAt: "2031-01-20T00:00:00Z",
      quantity: 15,
    });
    const after = originalSubscriptionUpdated({
      subscriptionId: "orig-1",
      updatedAt: "2031-02-02T00:00:00Z",
      quantity: 15,
    });
    expect(subscriptionOf(viewOf(invite(), before, tenantRead), "orig-1").quantity).toBe(12);
    expect(subscriptionOf(viewOf(invite(), tenantRead, after), "orig-1").quantity).toBe(15);
  });

  it.each([
    ["Warning", "2031-05-06T00:00:00Z", "2031-06-01T06:00:00Z", "EXPIRED", []],
    ["Deleted", "2031-05-06T00:00:00Z", "2031-05-06T08:00:00Z", "EXPIRED", []],
    [
      "Suspended",
      "2031-03-01T06:00:00Z",
      "2031-03-01T06:00:00Z",
      "CANCELLED",
      ["CANCELLED_BEFORE_EXPIRY"],
    ],
    [
      "LockedOut",
      "2031-03-01T06:00:00Z",
      "2031-03-01T06:00:00Z",
      "CANCELLED",
      ["CANCELLED_BEFORE_EXPIRY"],
    ],
  ] as const)(
    "%s ends the original (read %s... ended %s: %s)",
    (status, _endedAt, observedAt, state, extra) => {
      const view = viewOf(
        invite(),
        subscriptionProvisioned({
          subscriptionId: "new-1",
          replacesSubscriptionId: "orig-1",
          offerId: "offer-m365-business-standard",
          provisionedAt: "2031-02-01T00:00:00Z",
        }),
        read(observedAt, [seen(status)], [std(0, 10)]),
      );
      expect(subscriptionOf(view, "orig-1").state).toBe(state);
      expect(codesOf(view)).toEqual([...extra]);
      expect(view.status).toBe("COMPLETED");
    },
  );

  it("an earlier Original Subscription Ended keeps its date; the read's end never moves it later", () => {
    const view = viewOf(
      invite(),
      originalSubscriptionEnded({
        subscriptionId: "orig-1",
        endedAt: "2031-02-10T00:00:00Z",
        reason: "cancelled",
      }),
      read("2031-03-01T06:00:00Z", [seen("Suspended")]),
    );
    expect(warningsWith(view, "CANCELLED_BEFORE_EXPIRY")[0]?.message).toContain("2031-02-10");
  });

  it("the latest read wins: Enabled again after a Suspended read makes the original active", () => {
    const view = viewOf(
      invite(),
      read("2031-03-01T06:00:00Z", [seen("Suspended")]),
      read("2031-03-02T06:00:00Z", [seen("Enabled")], [std(0, 10)]),
    );
    expect(subscriptionOf(view, "orig-1").state).toBe("ACTIVE");
    expect(view.tenant?.observedAt).toBe("2031-03-02T06:00:00Z");
  });

  it("UNTRACKED_ORIGINAL names the SKU, seats and date; an original or a new subscription is not untracked", () => {
    const untracked = [
      {
        subscriptionId: "other-1",
        otherId: null,
        skuPartNumber: "ENTERPRISEPACK",
        totalLicenses: 5,
        nextLifecycleDateTime: "2031-04-06T00:00:00Z",
      },
      {
        subscriptionId: "dir-id-9",
        otherId: "ORIG-1",
        skuPartNumber: "STANDARDPACK",
        totalLicenses: 10,
        nextLifecycleDateTime: END,
      },
      {
        subscriptionId: "new-1",
        otherId: null,
        skuPartNumber: "STANDARDPACK",
        totalLicenses: 10,
        nextLifecycleDateTime: null,
      },
    ];
    const view = viewOf(
      invite(),
      subscriptionProvisioned({
        subscriptionId: "new-1",
        replacesSubscriptionId: "orig-1",
        offerId: "offer-m365-business-standard",
        provisionedAt: "2031-02-01T00:00:00Z",
      }),
      read("2031-02-02T06:00:00Z", [seen("Enabled")], [std(10, 20)], untracked),
    );
    expect(warningsWith(view, "UNTRACKED_ORIGINAL")).toEqual([
      {
        code: "UNTRACKED_ORIGINAL",
        subscriptionId: "other-1",
        skuPartNumber: "ENTERPRISEPACK",
        seats: 5,
        date: "2031-04-06",
        message:
          "The customer also has ENTERPRISEPACK × 5 from another channel (subscription other-1, next lifecycle date 2031-04-06) that this transfer does not include: it will be neither moved nor reminded.",
      },
    ]);
  });

  describe("LICENSES_NOT_COVERED", () => {
    const replacement = (offerId: string) =>
      subscriptionProvisioned({
        subscriptionId: "new-1",
        replacesSubscriptionId: "orig-1",
        offerId,
        provisionedAt: "2031-02-01T00:00:00Z",
      });

    it("gives the users, the SKU and the date, in the SPEC's words", () => {
      const view = viewOf(
        invite(),
        replacement("offer-other"),
        read("2031-02-02T06:00:00Z", [seen("Enabled")], [std(7, 10)]),
      );
      expect(warningsWith(view, "LICENSES_NOT_COVERED")).toEqual([
        {
          code: "LICENSES_NOT_COVERED",
          subscriptionId: "orig-1",
          users: 7,
          skuPartNumber: "STANDARDPACK",
          date: "2031-05-06",
          message:
            "7 users hold STANDARDPACK licenses that end with this original on 2031-05-06 and have no other STANDARDPACK license to fall back on: assign them the replacement's license before then.",
        },
      ]);
      expect(view.tenant?.coverage).toEqual([
        {
          subscriptionId: "orig-1",
          status: "Enabled",
          skuPartNumber: "STANDARDPACK",
          licenses: 10,
          consumedUnits: 7,
          remaining: 0,
          users: 7,
          endDate: "2031-05-06",
        },
      ]);
    });

    it("a replacement on the same SKU with enough seats covers everyone", () => {
      const view = viewOf(
        invite(),
        replacement("offer-m365-business-standard"),
        read("2031-02-02T06:00:00Z", [seen("Enabled")], [std(10, 20)]),
      );
      expect(warningsWith(view, "LICENSES_NOT_COVERED")).toEqual([]);
      expect(view.tenant?.coverage[0]?.users).toBe(0);
    });

    it("appears and clears as users are moved (consumed units fall)", () => {
      const first = read("2031-02-02T06:00:00Z", [seen("Enabled")], [std(7, 10)]);
      const later = read("2031-02-03T06:00:00Z", [seen("Enabled")], [std(0, 10)]);
      expect(codesOf(viewOf(invite(), first))).toEqual(["LICENSES_NOT_COVERED"]);
      expect(codesOf(viewOf(invite(), first, later))).toEqual([]);
      expect(codesOf(viewOf(invite(), later, first))).toEqual([]);
    });

    it("two originals of the SKU ending the same day cannot cover each other", () => {
      const two = invite([
        original({ subscriptionId: "orig-1", quantity: 10, commitmentEndDate: END }),
        original({ subscriptionId: "orig-2", quantity: 5, commitmentEndDate: END }),
      ]);
      const view = viewOf(
        two,
        read(
          "2031-02-02T06:00:00Z",
          [seen("Enabled"), seen("Enabled", { subscriptionId: "orig-2", totalLicenses: 5 })],
          [std(12, 15)],
        ),
      );
      expect(
        warningsWith(view, "LICENSES_NOT_COVERED").map((w) => [w.subscriptionId, w.users]),
      ).toEqual([
        ["orig-1", 12],
        ["orig-2", 12],
      ]);
    });

    it("an original ending later still covers one ending earlier", () => {
      const two = invite([
        original({ subscriptionId: "orig-1", quantity: 10, commitmentEndDate: END }),
        original({
          subscriptionId: "orig-2",
          quantity: 5,
          commitmentEndDate: "2031-09-01T00:00:00Z",
        }),
      ]);
      const view = viewOf(
        two,
        read(
          "2031-02-02T06:00:00Z",
          [
            seen("Enabled"),
            seen("Enabled", {
              subscriptionId: "orig-2",
              totalLicenses: 5,
              nextLifecycleDateTime: "2031-09-01T00:00:00Z",
            }),
          ],
          [std(12, 15)],
        ),
      );
      expect(
        warningsWith(view, "LICENSES_NOT_COVERED").map((w) => [w.subscriptionId, w.users]),
      ).toEqual([
        ["orig-1", 7],
        ["orig-2", 12],
      ]);
    });

    it("is not given for an original that has ended", () => {
      const view = viewOf(invite(), read("2031-05-07T06:00:00Z", [seen("Warning")], [std(7, 10)]));
      expect(warningsWith(view, "LICENSES_NOT_COVERED")).toEqual([]);
    });
  });
});
