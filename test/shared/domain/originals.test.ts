import { describe, expect, it } from "vitest";
import { effectiveOriginals, foldEvents } from "../../../shared/domain/index.js";
import {
  invitationSent,
  original,
  originalSubscriptionUpdated,
  parseAll,
  type RawEnvelope,
} from "../../support/events.js";
import { subscriptionOf, viewOf } from "./view-of.js";

const SENT = "2026-01-05T09:00:00Z";
const BEFORE = "2026-01-04T00:00:00Z";
const AFTER = "2026-01-06T00:00:00Z";
const LATER = "2026-01-07T00:00:00Z";

const invite = (id = "evt-invite") =>
  invitationSent(
    {
      sentAt: SENT,
      subscriptions: [
        original({
          subscriptionId: "o-1",
          quantity: 10,
          autoRenewEnabled: false,
          commitmentEndDate: "2026-06-30T00:00:00Z",
        }),
      ],
    },
    { id },
  );

const update = (detail: Parameters<typeof originalSubscriptionUpdated>[0], id?: string) =>
  originalSubscriptionUpdated({ subscriptionId: "o-1", ...detail }, id ? { id } : {});

type Fields = { quantity: number; autoRenewEnabled: boolean; commitmentEndDate: string };
const fieldsOf = (...events: RawEnvelope[]): Fields => {
  const s = subscriptionOf(viewOf(...events), "o-1");
  return {
    quantity: s.quantity,
    autoRenewEnabled: s.autoRenewEnabled,
    commitmentEndDate: s.commitmentEndDate,
  };
};
const asInvited: Fields = {
  quantity: 10,
  autoRenewEnabled: false,
  commitmentEndDate: "2026-06-30T00:00:00Z",
};

describe("per field, the value with the latest timestamp wins (SPEC section 2)", () => {
  const cases: { name: string; events: RawEnvelope[]; expected: Fields }[] = [
    { name: "no updates: the invitation's values", events: [invite()], expected: asInvited },
    {
      name: "an update after sentAt wins",
      events: [invite(), update({ updatedAt: AFTER, quantity: 12 })],
      expected: { ...asInvited, quantity: 12 },
    },
    {
      name: "an update before sentAt loses: the invitation counts as of its sentAt",
      events: [invite(), update({ updatedAt: BEFORE, quantity: 12, autoRenewEnabled: true })],
      expected: asInvited,
    },
    {
      name: "an update that arrived first but is newer still wins",
      events: [update({ updatedAt: AFTER, autoRenewEnabled: true }), invite()],
      expected: { ...asInvited, autoRenewEnabled: true },
    },
    {
      name: "each field independently: updates of different fields both apply",
      events: [
        invite(),
        update({ updatedAt: AFTER, quantity: 12 }),
        update({ updatedAt: LATER, commitmentEndDate: "2026-12-31" }),
      ],
      expected: { ...asInvited, quantity: 12, commitmentEndDate: "2026-12-31" },
    },
    {
      name: "a field absent from the latest update keeps its previous latest value",
      events: [
        invite(),
        update({ updatedAt: AFTER, quantity: 12, autoRenewEnabled: true }),
        update({ updatedAt: LATER, quantity: 15 }),
      ],
      expected: { ...asInvited, quantity: 15, autoRenewEnabled: true },
    },
    {
      name: "two updates of one field: the later updatedAt wins whatever the arrival order",
      events: [
        invite(),
        update({ updatedAt: LATER, quantity: 15 }),
        update({ updatedAt: AFTER, quantity: 12 }),
      ],
      expected: { ...asInvited, quantity: 15 },
    },
    {
      name: "timestamps compare as instants: 10:00+02:00 is before 09:00Z",
      events: [
        invite(),
        update({ updatedAt: "2026-01-06T10:00:00+02:00", quantity: 12 }),
        update({ updatedAt: "2026-01-06T09:00:00Z", quantity: 15 }),
      ],
      expected: { ...asInvited, quantity: 15 },
    },
    {
      name: "an update for an original that is not in the invitation changes nothing",
      events: [
        invite(),
        originalSubscriptionUpdated({ subscriptionId: "o-9", updatedAt: AFTER, quantity: 3 }),
      ],
      expected: asInvited,
    },
  ];

  it.each(cases)("$name", ({ events, expected }) => {
    expect(fieldsOf(...events)).toEqual(expected);
  });
});

describe("ties at the same instant", () => {
  it("a tie between identical values keeps the value and stamps the greater event id", () => {
    // Prepare: the same update sent twice under two ids (a fact re-sent)
    const a = update({ updatedAt: AFTER, quantity: 12 }, "evt-a");
    const b = update({ updatedAt: AFTER, quantity: 12 }, "evt-b");
    // Act
    const forward = foldEvents(parseAll([invite(), a, b]));
    const backward = foldEvents(parseAll([b, a, invite()]));
    // Assess
    expect(forward.updates["o-1"]?.quantity).toEqual({
      stamp: { at: AFTER, eventId: "evt-b" },
      value: 12,
    });
    expect(backward).toEqual(forward);
  });

  it.each([
    { field: "quantity", invited: 10, updated: 12, winner: 12 },
    { field: "quantity", invited: 10, updated: 8, winner: 10 },
    { field: "autoRenewEnabled", invited: false, updated: true, winner: true },
    { field: "autoRenewEnabled", invited: true, updated: false, winner: true },
    {
      field: "commitmentEndDate",
      invited: "2026-06-30T00:00:00Z",
      updated: "2026-12-31T00:00:00Z",
      winner: "2026-12-31T00:00:00Z",
    },
  ] as const)(
    "invitation vs update at the same instant with different $field ($invited vs $updated): the greater value wins, whatever the ids",
    ({ field, invited, updated, winner }) => {
      // Prepare
      const sent = (id: string) =>
        invitationSent(
          {
            sentAt: SENT,
            subscriptions: [
              original({ subscriptionId: "o-1", autoRenewEnabled: false, [field]: invited }),
            ],
          },
          { id },
        );
      const upd = (id: string) => update({ updatedAt: SENT, [field]: updated }, id);
      // Act: both orders of ids
      const updateHasGreaterId = subscriptionOf(viewOf(sent("evt-1"), upd("evt-2")), "o-1");
      const invitationHasGreaterId = subscriptionOf(viewOf(sent("evt-2"), upd("evt-1")), "o-1");
      // Assess
      expect(updateHasGreaterId[field]).toBe(winner);
      expect(invitationHasGreaterId[field]).toBe(winner);
    },
  );

  it("two different updates at the same instant: the same winner whatever the ids or order", () => {
    const views = [
      [
        update({ updatedAt: AFTER, quantity: 12 }, "evt-1"),
        update({ updatedAt: AFTER, quantity: 20 }, "evt-2"),
      ],
      [
        update({ updatedAt: AFTER, quantity: 12 }, "evt-2"),
        update({ updatedAt: AFTER, quantity: 20 }, "evt-1"),
      ],
    ].flatMap((pair) => [fieldsOf(invite(), ...pair), fieldsOf(...[...pair].reverse(), invite())]);
    expect(new Set(views.map((v) => v.quantity))).toEqual(new Set([20]));
  });

  it("a re-sent invitation (same fact, new id) does not flip a tie with an update", () => {
    // Prepare: the update ties with the invitation's sentAt
    const upd = update({ updatedAt: SENT, autoRenewEnabled: true }, "evt-m");
    const before = fieldsOf(invite("evt-a"), upd);
    // Act: the invitation is re-sent under ids on both sides of the update's
    const after = fieldsOf(invite("evt-a"), upd, invite("evt-z"));
    // Assess
    expect(after).toEqual(before);
  });
});

describe("several Invitation Sent: the latest sentAt defines the transfer", () => {
  const first = invitationSent({
    sentAt: "2026-01-01T00:00:00Z",
    customerName: "Fabrikam (old name)",
    partnerEmail: "old@partner.example",
    partnerCountry: "GB",
    customerCountry: "IE",
    subscriptions: [
      original({ subscriptionId: "o-1", quantity: 10 }),
      original({ subscriptionId: "o-gone", quantity: 3 }),
    ],
  });
  const second = invitationSent({
    sentAt: "2026-01-10T00:00:00Z",
    customerName: "Fabrikam Ltd",
    partnerEmail: "new@partner.example",
    partnerCountry: "GB",
    customerCountry: "GB",
    subscriptions: [
      original({ subscriptionId: "o-1", quantity: 11 }),
      original({ subscriptionId: "o-new", quantity: 2 }),
    ],
  });

  it.each([
    { order: "in order", events: [first, second] },
    { order: "latest first", events: [second, first] },
  ])("names, countries and originals come from the latest ($order)", ({ events }) => {
    // Act
    const view = viewOf(...events);
    // Assess
    expect(view.customerName).toBe("Fabrikam Ltd");
    expect(view.status).toBe("INVITED"); // the latest has matching countries
    expect(view.subscriptions.map((s) => [s.subscriptionId, s.quantity])).toEqual([
      ["o-1", 11],
      ["o-new", 2],
    ]);
  });

  it("the partner email comes from the latest (used by reminders)", () => {
    const state = foldEvents(parseAll([second, first]));
    expect(state.invitation?.value.partnerEmail).toBe("new@partner.example");
  });

  it("a later invitation with a country mismatch makes the transfer INELIGIBLE", () => {
    // Prepare
    const third = invitationSent({
      ...second.detail,
      sentAt: "2026-02-01T00:00:00Z",
      customerCountry: "IE",
    });
    // Act + Assess
    expect(viewOf(third, second).status).toBe("INELIGIBLE");
    expect(viewOf(second, third).warnings.map((w) => w.code)).toEqual(["COUNTRY_MISMATCH"]);
  });

  it("a newer invitation re-asserts fields over an older update", () => {
    const update11 = originalSubscriptionUpdated({
      subscriptionId: "o-1",
      updatedAt: "2026-01-05T00:00:00Z",
      quantity: 50,
    });
    const update12 = originalSubscriptionUpdated({
      subscriptionId: "o-1",
      updatedAt: "2026-01-15T00:00:00Z",
      quantity: 60,
    });
    expect(subscriptionOf(viewOf(first, update11, second), "o-1").quantity).toBe(11);
    expect(subscriptionOf(viewOf(first, update11, second, update12), "o-1").quantity).toBe(60);
  });

  it("effectiveOriginals keeps the invitation's other fields and offerDiscontinued default", () => {
    const [o] = effectiveOriginals(foldEvents(parseAll([second])));
    expect(o).toMatchObject({
      subscriptionId: "o-1",
      offerDiscontinued: false,
      ended: null,
    });
  });
});
