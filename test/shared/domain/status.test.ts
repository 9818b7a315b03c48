import { describe, expect, it } from "vitest";
import type { TransferStatus } from "../../../shared/events/index.js";
import {
  invitationAccepted,
  invitationSent,
  original,
  originalSubscriptionEnded,
  type RawEnvelope,
  subscriptionProvisioned,
} from "../../support/events.js";
import { viewOf } from "./view-of.js";

// Two originals on two offers; each replacement below matches one of them by offer.
const twoOriginals = invitationSent({
  subscriptions: [
    original({ subscriptionId: "orig-1", offerId: "offer-a", quantity: 10 }),
    original({ subscriptionId: "orig-2", offerId: "offer-b", quantity: 5 }),
  ],
});
const accepted = invitationAccepted();
const replaces1 = subscriptionProvisioned({
  subscriptionId: "new-1",
  offerId: "offer-a",
  quantity: 10,
});
const replaces2 = subscriptionProvisioned({
  subscriptionId: "new-2",
  offerId: "offer-b",
  quantity: 5,
});
const explicit1 = subscriptionProvisioned({
  subscriptionId: "new-1",
  offerId: "offer-a",
  quantity: 10,
  replacesSubscriptionId: "orig-1",
});
const unmatchedNew = subscriptionProvisioned({ subscriptionId: "new-9", offerId: "offer-z" });
const expired1 = originalSubscriptionEnded({ subscriptionId: "orig-1", reason: "expired" });
const expired2 = originalSubscriptionEnded({ subscriptionId: "orig-2", reason: "expired" });
const cancelled2 = originalSubscriptionEnded({
  subscriptionId: "orig-2",
  reason: "cancelled",
  endedAt: "2026-06-30T12:00:00Z",
});

const cases: { name: string; events: RawEnvelope[]; status: TransferStatus }[] = [
  // PENDING_INVITATION: events arrived before Invitation Sent
  { name: "only an acceptance so far", events: [accepted], status: "PENDING_INVITATION" },
  {
    name: "provisioning and an end, but no invitation yet",
    events: [replaces1, expired1],
    status: "PENDING_INVITATION",
  },
  // INELIGIBLE
  {
    name: "partner and customer in different countries",
    events: [invitationSent({ partnerCountry: "GB", customerCountry: "IE" })],
    status: "INELIGIBLE",
  },
  {
    name: "country mismatch stays INELIGIBLE even when everything else is done",
    events: [
      invitationSent({
        partnerCountry: "US",
        customerCountry: "CA",
        subscriptions: [original({ subscriptionId: "orig-1", offerId: "offer-a" })],
      }),
      accepted,
      replaces1,
      expired1,
    ],
    status: "INELIGIBLE",
  },
  // INVITED
  { name: "invitation only", events: [twoOriginals], status: "INVITED" },
  {
    name: "invitation with an original that has ended, nothing else",
    events: [twoOriginals, expired1],
    status: "INVITED",
  },
  // ACCEPTED
  { name: "invitation accepted", events: [twoOriginals, accepted], status: "ACCEPTED" },
  {
    name: "a Subscription Provisioned implies acceptance (even one that matches nothing)",
    events: [twoOriginals, unmatchedNew],
    status: "ACCEPTED",
  },
  {
    name: "an invitation with no originals, accepted",
    events: [invitationSent({ subscriptions: [] }), accepted],
    status: "ACCEPTED",
  },
  // PROVISIONING: some originals have a replacement
  {
    name: "one of two originals replaced (by offer)",
    events: [twoOriginals, accepted, replaces1],
    status: "PROVISIONING",
  },
  {
    name: "one of two originals replaced (explicitly), no acceptance event: provisioning implies it",
    events: [twoOriginals, explicit1],
    status: "PROVISIONING",
  },
  {
    name: "all originals ended but one never got a replacement",
    events: [twoOriginals, accepted, replaces1, expired1, expired2],
    status: "PROVISIONING",
  },
  // PROVISIONED: all have one, some originals still active
  {
    name: "all replaced, none ended",
    events: [twoOriginals, accepted, replaces1, replaces2],
    status: "PROVISIONED",
  },
  {
    name: "all replaced, one ended, one still active",
    events: [twoOriginals, accepted, replaces1, replaces2, expired1],
    status: "PROVISIONED",
  },
  // COMPLETED: all originals ended and all had replacements
  {
    name: "all replaced and all expired",
    events: [twoOriginals, accepted, replaces1, replaces2, expired1, expired2],
    status: "COMPLETED",
  },
  {
    name: "all replaced, one expired and one cancelled",
    events: [twoOriginals, replaces1, replaces2, expired1, cancelled2],
    status: "COMPLETED",
  },
];

describe("transfer status (SPEC section 3)", () => {
  it.each(cases)("$status when $name", ({ events, status }) => {
    // Act
    const view = viewOf(...events);
    // Assess
    expect(view.status).toBe(status);
  });

  it.each(cases)("$status does not depend on arrival order ($name)", ({ events, status }) => {
    expect(viewOf(...[...events].reverse()).status).toBe(status);
  });

  it("covers every status", () => {
    expect(new Set(cases.map((c) => c.status))).toEqual(
      new Set([
        "PENDING_INVITATION",
        "INELIGIBLE",
        "INVITED",
        "ACCEPTED",
        "PROVISIONING",
        "PROVISIONED",
        "COMPLETED",
      ]),
    );
  });

  it("a pending transfer has no customer name or originals yet, but keeps its events", () => {
    // Prepare
    const early = subscriptionProvisioned({ subscriptionId: "new-1", offerId: "offer-a" });
    // Act
    const view = viewOf(early);
    // Assess
    expect(view).toMatchObject({
      partnerId: early.detail.partnerId,
      customerTenantId: early.detail.customerTenantId,
      customerName: null,
      status: "PENDING_INVITATION",
      subscriptions: [],
    });
    // Until the originals are known, a new subscription replaces none of them.
    expect(view.unmatched.map((u) => u.subscriptionId)).toEqual(["new-1"]);
    expect(view.warnings.map((w) => [w.code, w.subscriptionId])).toEqual([
      ["UNMATCHED_REPLACEMENT", "new-1"],
    ]);
    expect(view.history.map((h) => h.eventId)).toEqual([early.id]);
  });

  it("a provisioning that arrived before the invitation is matched once the invitation arrives", () => {
    const view = viewOf(replaces1, replaces2, twoOriginals);
    expect(view.status).toBe("PROVISIONED");
    expect(view.unmatched).toEqual([]);
  });
});
