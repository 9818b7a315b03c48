import { describe, expect, it } from "vitest";
import {
  deriveView,
  foldEvents,
  historyOf,
  type SubscriptionState,
  transferView,
} from "../../../shared/domain/index.js";
import {
  invitationAccepted,
  invitationSent,
  original,
  originalSubscriptionEnded,
  originalSubscriptionUpdated,
  parseAll,
  type RawEnvelope,
  resent,
  subscriptionProvisioned,
} from "../../support/events.js";
import { subscriptionOf, viewOf } from "./view-of.js";

const invite = invitationSent({
  customerName: "Fabrikam Ltd",
  subscriptions: [
    original({
      subscriptionId: "o-1",
      offerId: "offer-a",
      offerName: "Microsoft 365 E3",
      quantity: 10,
      commitmentEndDate: "2026-06-30T00:00:00Z",
      autoRenewEnabled: false,
    }),
  ],
});

describe("subscription state: ACTIVE, EXPIRED, CANCELLED", () => {
  const end = (reason: "expired" | "cancelled", endedAt: string, id?: string) =>
    originalSubscriptionEnded({ subscriptionId: "o-1", reason, endedAt }, id ? { id } : {});
  const cases: { name: string; events: RawEnvelope[]; state: SubscriptionState }[] = [
    { name: "not ended", events: [invite], state: "ACTIVE" },
    {
      name: "ended as expired",
      events: [invite, end("expired", "2026-06-30T00:00:00Z")],
      state: "EXPIRED",
    },
    {
      name: "ended as cancelled",
      events: [invite, end("cancelled", "2026-06-01T00:00:00Z")],
      state: "CANCELLED",
    },
    {
      name: "ended before the invitation arrived",
      events: [end("expired", "2026-06-30T00:00:00Z"), invite],
      state: "EXPIRED",
    },
    {
      name: "two different ends: the earliest endedAt is the real one",
      events: [
        invite,
        end("expired", "2026-06-30T00:00:00Z"),
        end("cancelled", "2026-06-10T00:00:00Z"),
      ],
      state: "CANCELLED",
    },
    {
      name: "two different ends at the same instant: cancelled wins (expired has the greater id)",
      events: [
        invite,
        end("expired", "2026-06-30T00:00:00Z", "evt-2"),
        end("cancelled", "2026-06-30T00:00:00.000Z", "evt-1"),
      ],
      state: "CANCELLED",
    },
    {
      name: "two different ends at the same instant: cancelled wins (cancelled has the greater id)",
      events: [
        invite,
        end("expired", "2026-06-30T00:00:00Z", "evt-1"),
        end("cancelled", "2026-06-30T00:00:00Z", "evt-2"),
      ],
      state: "CANCELLED",
    },
    {
      name: "an end for another original does not end this one",
      events: [invite, originalSubscriptionEnded({ subscriptionId: "o-2" })],
      state: "ACTIVE",
    },
  ];

  it.each(cases)("$state when $name", ({ events, state }) => {
    expect(subscriptionOf(viewOf(...events), "o-1").state).toBe(state);
    expect(subscriptionOf(viewOf(...[...events].reverse()), "o-1").state).toBe(state);
  });
});

describe("the view's shape (SPEC section 6, show)", () => {
  it("lists each original with its latest fields, its replacement and no reminders yet", () => {
    // Prepare
    const events = [
      invite,
      invitationAccepted(),
      originalSubscriptionUpdated({
        subscriptionId: "o-1",
        updatedAt: "2026-03-01T00:00:00Z",
        autoRenewEnabled: true,
      }),
      subscriptionProvisioned({
        subscriptionId: "n-1",
        offerId: "offer-a",
        quantity: 10,
        provisionedAt: "2026-02-01T12:00:00Z",
      }),
    ];
    // Act
    const view = viewOf(...events);
    // Assess
    expect(view).toMatchObject({
      partnerId: invite.detail.partnerId,
      customerTenantId: invite.detail.customerTenantId,
      customerName: "Fabrikam Ltd",
      status: "PROVISIONED",
      unmatched: [],
      subscriptions: [
        {
          subscriptionId: "o-1",
          offerId: "offer-a",
          offerName: "Microsoft 365 E3",
          quantity: 10,
          commitmentEndDate: "2026-06-30T00:00:00Z",
          autoRenewEnabled: true,
          state: "ACTIVE",
          replacement: {
            subscriptionId: "n-1",
            offerId: "offer-a",
            quantity: 10,
            provisionedAt: "2026-02-01T12:00:00Z",
          },
          reminders: [],
        },
      ],
    });
    expect(view.warnings.map((w) => w.code)).toEqual(["ORIGINAL_AUTO_RENEW_ON"]);
  });

  it("deriveView of the folded state is the view without its history", () => {
    // Prepare: an invitation, then its acceptance (written out, not computed by the oracle)
    const acceptance = invitationAccepted(
      { acceptedAt: "2026-01-06T10:00:00Z" },
      { id: "acc-1", time: "2026-01-06T10:00:00Z" },
    );
    // Act
    const view = deriveView(foldEvents(parseAll([acceptance, invite])));
    // Assess
    expect(view).toEqual({
      partnerId: invite.detail.partnerId,
      customerTenantId: invite.detail.customerTenantId,
      customerName: "Fabrikam Ltd",
      status: "ACCEPTED",
      warnings: [],
      unmatched: [],
      subscriptions: [
        {
          subscriptionId: "o-1",
          offerId: "offer-a",
          offerName: "Microsoft 365 E3",
          quantity: 10,
          commitmentEndDate: "2026-06-30T00:00:00Z",
          autoRenewEnabled: false,
          state: "ACTIVE",
          replacement: null,
          reminders: [],
        },
      ],
    });
    expect(view).not.toHaveProperty("history");
    expect(transferView(parseAll([acceptance, invite])).history).toEqual([
      { eventId: invite.id, detailType: "Invitation Sent", time: invite.time },
      { eventId: "acc-1", detailType: "Invitation Accepted", time: "2026-01-06T10:00:00Z" },
    ]);
  });

  it("foldEvents refuses an empty list (a transfer exists only through its events)", () => {
    expect(() => foldEvents([])).toThrow(RangeError);
  });
});

describe("history (SPEC section 3)", () => {
  const at = (time: string, id: string) => invitationAccepted({ acceptedAt: time }, { id, time });

  it("lists each distinct envelope id once, sorted by time then id", () => {
    // Prepare
    const a = at("2026-01-03T00:00:00Z", "id-c");
    const b = at("2026-01-01T00:00:00Z", "id-z");
    const c = at("2026-01-01T00:00:00Z", "id-a");
    // Act
    const view = viewOf(a, b, c, a, b, a);
    // Assess
    expect(view.history).toEqual([
      { eventId: "id-a", detailType: "Invitation Accepted", time: "2026-01-01T00:00:00Z" },
      { eventId: "id-z", detailType: "Invitation Accepted", time: "2026-01-01T00:00:00Z" },
      { eventId: "id-c", detailType: "Invitation Accepted", time: "2026-01-03T00:00:00Z" },
    ]);
  });

  it("sorts by instant, not by text: 01:00+01:00 equals 00:00Z, then the id decides", () => {
    const view = viewOf(
      at("2026-01-01T01:00:00+01:00", "id-b"),
      at("2026-01-01T00:30:00Z", "id-c"),
      at("2026-01-01T00:00:00Z", "id-a"),
    );
    expect(view.history.map((h) => h.eventId)).toEqual(["id-a", "id-b", "id-c"]);
  });

  it("a fact re-sent with a new id is a new entry, and the view is otherwise unchanged", () => {
    // Prepare
    const original = subscriptionProvisioned({}, { id: "id-1", time: "2026-02-01T12:00:00Z" });
    const again = resent(original, { id: "id-2", time: "2026-02-01T12:05:00Z" });
    // Act
    const once = viewOf(invite, original);
    const twice = viewOf(invite, original, again);
    // Assess
    expect(twice.history.map((h) => h.eventId)).toEqual([invite.id, "id-1", "id-2"]);
    const { history: _h1, ...withoutHistory1 } = once;
    const { history: _h2, ...withoutHistory2 } = twice;
    expect(withoutHistory2).toEqual(withoutHistory1);
  });

  it("keeps events of every detail-type, including those before the invitation", () => {
    const view = viewOf(
      originalSubscriptionEnded({}, { id: "e-end", time: "2026-06-30T00:00:00Z" }),
      invitationAccepted({}, { id: "e-acc", time: "2026-01-06T00:00:00Z" }),
    );
    expect(view.status).toBe("PENDING_INVITATION");
    expect(view.history.map((h) => [h.eventId, h.detailType])).toEqual([
      ["e-acc", "Invitation Accepted"],
      ["e-end", "Original Subscription Ended"],
    ]);
  });

  it("historyOf keeps the first entry seen for an id", () => {
    const entry = {
      eventId: "x",
      detailType: "Invitation Sent" as const,
      time: "2026-01-01T00:00:00Z",
    };
    expect(historyOf([entry, { ...entry }, entry])).toEqual([entry]);
    expect(historyOf([])).toEqual([]);
  });
});
