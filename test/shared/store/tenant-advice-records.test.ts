/**
 * The tenant's two warnings reach the reminder: the coverage gap on its original, the
 * subscription the invitation missed once per customer (with the original that ends soonest),
 * and the one advice turns both into what to do (SPEC section 10).
 */
import { describe, expect, it } from "vitest";
import { whatToDo } from "../../../shared/advice/advice.js";
import { deriveView, foldEvents } from "../../../shared/domain/view.js";
import { originalRecords } from "../../../shared/store/original-records.js";
import { invitationSent, original, parseAll, tenantObserved } from "../../support/events.js";

const SOON = "2031-05-06T00:00:00Z";
const LATER = "2031-09-30T00:00:00Z";

function recordsOf(raws: unknown[]) {
  const state = foldEvents(parseAll(raws));
  return originalRecords(state, deriveView(state), [60, 30, 14, 7, 1]);
}

describe("tenant warnings in the reminder records and the advice", () => {
  const invite = invitationSent({
    sentAt: "2031-01-05T09:00:00Z",
    subscriptions: [
      original({ subscriptionId: "orig-late", quantity: 4, commitmentEndDate: LATER }),
      original({ subscriptionId: "orig-soon", quantity: 10, commitmentEndDate: SOON }),
    ],
  });
  const read = tenantObserved({
    observedAt: "2031-02-01T06:00:00Z",
    originals: [
      {
        subscriptionId: "orig-soon",
        status: "Enabled",
        skuId: "sku-std",
        totalLicenses: 10,
        nextLifecycleDateTime: SOON,
      },
      {
        subscriptionId: "orig-late",
        status: "Enabled",
        skuId: "sku-visio",
        totalLicenses: 4,
        nextLifecycleDateTime: LATER,
      },
    ],
    skus: [
      { skuId: "sku-std", skuPartNumber: "STANDARDPACK", consumedUnits: 7, enabledLicenses: 10 },
      { skuId: "sku-visio", skuPartNumber: "VISIOCLIENT", consumedUnits: 0, enabledLicenses: 4 },
    ],
    untracked: [
      {
        subscriptionId: "other-1",
        otherId: null,
        skuPartNumber: "ENTERPRISEPACK",
        totalLicenses: 5,
        nextLifecycleDateTime: "2031-04-06T00:00:00Z",
      },
    ],
  });

  it("the gap is on its original; the missed subscription is told with the soonest original only", () => {
    const records = recordsOf([invite, read]);
    const soon = records.get("orig-soon");
    const late = records.get("orig-late");
    expect(soon?.warnings.map((w) => w.code).sort()).toEqual([
      "LICENSES_NOT_COVERED",
      "UNTRACKED_ORIGINAL",
    ]);
    expect(late?.warnings.map((w) => w.code)).toEqual([]);
  });

  it("the one advice says who to move and what else the customer has", () => {
    const soon = recordsOf([invite, read]).get("orig-soon");
    if (!soon) throw new Error("no record of orig-soon");
    const advice = whatToDo({ ...soon, state: "ACTIVE" });
    expect(advice).toContain("Move 7 users from STANDARDPACK before 2031-05-06.");
    expect(advice).toContain(
      "The customer also has ENTERPRISEPACK × 5 from another channel, ending 2031-04-06.",
    );
  });
});
