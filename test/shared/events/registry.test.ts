import { describe, expect, it } from "vitest";
import {
  DETAIL_TYPES,
  EVENT_CATALOGUE,
  isDetailType,
  rulePatternFor,
  SOURCES,
  UPSTREAM_DETAIL_TYPES,
} from "../../../shared/events/index.js";

describe("event registry", () => {
  it("has the seven detail-types of SPEC section 2, the internal digest event, the Partner Center one of section 9 and the tenant read of section 10, spelled exactly", () => {
    expect(Object.values(DETAIL_TYPES).sort()).toEqual(
      [
        "Reminder Digest Ready",
        "Invitation Sent",
        "Invitation Accepted",
        "Subscription Provisioned",
        "Original Subscription Updated",
        "Original Subscription Ended",
        "Expiry Approaching",
        "Transfer Status Changed",
        "Partner Center Notification",
        "Tenant Observed",
      ].sort(),
    );
    expect(Object.keys(EVENT_CATALOGUE).sort()).toEqual(Object.values(DETAIL_TYPES).sort());
  });

  it("uses the SPEC sources: upstream csp.transfers, emitted csp.transfers.tracker, webhooks csp.transfers.partner-center", () => {
    expect(SOURCES).toEqual({
      upstream: "csp.transfers",
      tracker: "csp.transfers.tracker",
      partnerCenter: "csp.transfers.partner-center",
    });
    for (const detailType of Object.values(DETAIL_TYPES)) {
      const upstream = (UPSTREAM_DETAIL_TYPES as readonly string[]).includes(detailType);
      const expected =
        detailType === "Partner Center Notification"
          ? SOURCES.partnerCenter
          : upstream
            ? SOURCES.upstream
            : SOURCES.tracker;
      expect(EVENT_CATALOGUE[detailType].source).toBe(expected);
    }
    expect([...UPSTREAM_DETAIL_TYPES]).toHaveLength(6);
  });

  it.each(Object.values(DETAIL_TYPES))(
    "rulePatternFor(%s) matches its source and detail-type",
    (detailType) => {
      expect(rulePatternFor(detailType)).toEqual({
        source: [EVENT_CATALOGUE[detailType].source],
        "detail-type": [detailType],
      });
    },
  );

  it("recognises detail-types exactly (case and inherited keys do not count)", () => {
    expect(isDetailType("Invitation Sent")).toBe(true);
    expect(isDetailType("invitation sent")).toBe(false);
    expect(isDetailType("toString")).toBe(false);
  });
});
