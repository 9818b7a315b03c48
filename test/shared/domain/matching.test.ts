import { describe, expect, it } from "vitest";
import { type EffectiveOriginal, matchReplacements } from "../../../shared/domain/index.js";
import type { SubscriptionProvisioned } from "../../../shared/events/index.js";
import {
  invitationSent,
  original,
  originalSubscriptionEnded,
  originalSubscriptionUpdated,
  type RawEnvelope,
  subscriptionProvisioned,
} from "../../support/events.js";
import { codesOf, subscriptionOf, viewOf } from "./view-of.js";

const orig = (
  subscriptionId: string,
  offerId: string,
  commitmentEndDate = "2026-06-30T00:00:00Z",
): EffectiveOriginal => ({
  subscriptionId,
  offerId,
  offerName: "Offer",
  quantity: 10,
  commitmentEndDate,
  autoRenewEnabled: false,
  offerDiscontinued: false,
  ended: null,
});

const endedOn = (o: EffectiveOriginal, endedAt: string): EffectiveOriginal => ({
  ...o,
  ended: {
    partnerId: "p",
    customerTenantId: "c",
    subscriptionId: o.subscriptionId,
    endedAt,
    reason: "expired",
  },
});

const made = (
  subscriptionId: string,
  offerId: string,
  provisionedAt: string,
  replacesSubscriptionId?: string,
): SubscriptionProvisioned => ({
  partnerId: "p",
  customerTenantId: "c",
  subscriptionId,
  offerId,
  quantity: 10,
  provisionedAt,
  ...(replacesSubscriptionId === undefined ? {} : { replacesSubscriptionId }),
});

const T1 = "2026-02-01T00:00:00Z";
const T2 = "2026-02-02T00:00:00Z";
const T3 = "2026-02-03T00:00:00Z";

type Case = {
  name: string;
  originals: EffectiveOriginal[];
  provisioned: SubscriptionProvisioned[];
  /** original id -> new id */
  replacements: Record<string, string>;
  unmatched: string[];
};

const cases: Case[] = [
  {
    name: "explicit replacesSubscriptionId, even on another offer",
    originals: [orig("o1", "A")],
    provisioned: [made("n1", "B", T1, "o1")],
    replacements: { o1: "n1" },
    unmatched: [],
  },
  {
    name: "explicit first: a later explicit claim beats an earlier offer match",
    originals: [orig("o1", "A")],
    provisioned: [made("n1", "A", T1), made("n2", "A", T2, "o1")],
    replacements: { o1: "n2" },
    unmatched: ["n1"],
  },
  {
    name: "two explicit claims on one original: the earliest provisionedAt wins",
    originals: [orig("o1", "A")],
    provisioned: [made("n1", "A", T2, "o1"), made("n2", "A", T1, "o1")],
    replacements: { o1: "n2" },
    unmatched: ["n1"],
  },
  {
    name: "two explicit claims provisioned at the same instant: the smaller subscriptionId wins",
    originals: [orig("o1", "A")],
    provisioned: [made("n-b", "A", T1, "o1"), made("n-a", "A", "2026-02-01T01:00:00+01:00", "o1")],
    replacements: { o1: "n-a" },
    unmatched: ["n-b"],
  },
  {
    name: "explicit claim on an unknown original is unmatched (no fallback to the offer)",
    originals: [orig("o1", "A")],
    provisioned: [made("n1", "A", T1, "o-unknown")],
    replacements: {},
    unmatched: ["n1"],
  },
  {
    name: "by offer: an original still active at provisionedAt before one that had ended",
    originals: [
      endedOn(orig("s1", "A", "2026-05-31T00:00:00Z"), "2026-05-31T00:00:00Z"),
      orig("s2", "A", "2026-12-31T00:00:00Z"),
    ],
    provisioned: [made("n1", "A", "2026-06-15T00:00:00Z")],
    replacements: { s2: "n1" },
    unmatched: [],
  },
  {
    name: "by offer: an original that ended after provisionedAt was still active then",
    originals: [
      endedOn(orig("s1", "A", "2026-05-31T00:00:00Z"), "2026-06-20T00:00:00Z"),
      orig("s2", "A", "2026-12-31T00:00:00Z"),
    ],
    provisioned: [made("n1", "A", "2026-06-15T00:00:00Z")],
    replacements: { s1: "n1" },
    unmatched: [],
  },
  {
    name: "by offer: an original that ended exactly at provisionedAt had ended",
    originals: [
      endedOn(orig("s1", "A", "2026-05-31T00:00:00Z"), "2026-06-15T02:00:00+02:00"),
      orig("s2", "A", "2026-12-31T00:00:00Z"),
    ],
    provisioned: [made("n1", "A", "2026-06-15T00:00:00Z")],
    replacements: { s2: "n1" },
    unmatched: [],
  },
  {
    name: "by offer: an ended original is taken when no active one of the offer is left",
    originals: [
      endedOn(orig("s1", "A", "2026-05-31T00:00:00Z"), "2026-05-31T00:00:00Z"),
      orig("s2", "A", "2026-12-31T00:00:00Z"),
    ],
    provisioned: [made("n1", "A", "2026-06-15T00:00:00Z"), made("n2", "A", "2026-06-16T00:00:00Z")],
    replacements: { s2: "n1", s1: "n2" },
    unmatched: [],
  },
  {
    name: "by offer: the original with the earliest commitmentEndDate first",
    originals: [orig("o1", "A", "2026-09-30T00:00:00Z"), orig("o2", "A", "2026-06-30T00:00:00Z")],
    provisioned: [made("n1", "A", T1)],
    replacements: { o2: "n1" },
    unmatched: [],
  },
  {
    name: "by offer: commitmentEndDate compared as instants, not as text",
    originals: [
      orig("o1", "A", "2026-07-01T00:00:00Z"),
      orig("o2", "A", "2026-06-30T23:00:00-05:00"),
    ],
    provisioned: [made("n1", "A", T1)],
    replacements: { o1: "n1" },
    unmatched: [],
  },
  {
    name: "by offer: same commitmentEndDate, the smaller original subscriptionId first",
    originals: [orig("o2", "A"), orig("o1", "A")],
    provisioned: [made("n1", "A", T1)],
    replacements: { o1: "n1" },
    unmatched: [],
  },
  {
    name: "by offer in provisionedAt order: the earliest new one gets the earliest-ending original",
    originals: [
      orig("o-late", "A", "2026-12-31T00:00:00Z"),
      orig("o-soon", "A", "2026-06-30T00:00:00Z"),
    ],
    provisioned: [made("n-second", "A", T2), made("n-first", "A", T1)],
    replacements: { "o-soon": "n-first", "o-late": "n-second" },
    unmatched: [],
  },
  {
    name: "by offer: same provisionedAt, ordered by new subscriptionId",
    originals: [
      orig("o-late", "A", "2026-12-31T00:00:00Z"),
      orig("o-soon", "A", "2026-06-30T00:00:00Z"),
    ],
    provisioned: [made("n-b", "A", T1), made("n-a", "A", T1)],
    replacements: { "o-soon": "n-a", "o-late": "n-b" },
    unmatched: [],
  },
  {
    name: "by offer skips originals already taken explicitly",
    originals: [
      orig("o-soon", "A", "2026-06-30T00:00:00Z"),
      orig("o-late", "A", "2026-12-31T00:00:00Z"),
    ],
    provisioned: [made("n1", "A", T1), made("n2", "A", T3, "o-soon")],
    replacements: { "o-soon": "n2", "o-late": "n1" },
    unmatched: [],
  },
  {
    name: "more new subscriptions than originals of that offer: the last ones are unmatched",
    originals: [orig("o1", "A")],
    provisioned: [made("n1", "A", T1), made("n2", "A", T2)],
    replacements: { o1: "n1" },
    unmatched: ["n2"],
  },
  {
    name: "no original of that offer",
    originals: [orig("o1", "A")],
    provisioned: [made("n1", "B", T1)],
    replacements: {},
    unmatched: ["n1"],
  },
  {
    name: "no originals at all (invitation not yet received)",
    originals: [],
    provisioned: [made("n2", "A", T1, "o1"), made("n1", "A", T1)],
    replacements: {},
    unmatched: ["n1", "n2"],
  },
  {
    name: "unmatched are listed in provisionedAt, subscriptionId order",
    originals: [],
    provisioned: [made("n3", "A", T1), made("n1", "A", T2), made("n2", "A", T1)],
    replacements: {},
    unmatched: ["n2", "n3", "n1"],
  },
];

describe("matchReplacements (SPEC section 2)", () => {
  it.each(cases)("$name", ({ originals, provisioned, replacements, unmatched }) => {
    // Act
    const result = matchReplacements(originals, provisioned);
    // Assess
    expect(
      Object.fromEntries([...result.replacements].map(([o, n]) => [o, n.subscriptionId])),
    ).toEqual(replacements);
    expect(result.unmatched.map((n) => n.subscriptionId)).toEqual(unmatched);
  });

  it.each(cases)("does not depend on the input order: $name", (c) => {
    const forward = matchReplacements(c.originals, c.provisioned);
    const backward = matchReplacements([...c.originals].reverse(), [...c.provisioned].reverse());
    expect([...backward.replacements].sort()).toEqual([...forward.replacements].sort());
    expect(backward.unmatched).toEqual(forward.unmatched);
  });
});

describe("matching in the transfer view", () => {
  const invite = invitationSent({
    subscriptions: [
      original({ subscriptionId: "o-1", offerId: "A", commitmentEndDate: "2026-06-30T00:00:00Z" }),
      original({ subscriptionId: "o-2", offerId: "A", commitmentEndDate: "2026-09-30T00:00:00Z" }),
    ],
  });

  it("uses the latest commitmentEndDate of each original (after updates)", () => {
    // Prepare: o-1 is extended past o-2, so o-2 now expires first
    const events: RawEnvelope[] = [
      invite,
      originalSubscriptionUpdated({ subscriptionId: "o-1", commitmentEndDate: "2026-12-31" }),
      subscriptionProvisioned({ subscriptionId: "n-1", offerId: "A" }),
    ];
    // Act
    const view = viewOf(...events);
    // Assess
    expect(subscriptionOf(view, "o-2").replacement?.subscriptionId).toBe("n-1");
    expect(subscriptionOf(view, "o-1").replacement).toBeNull();
  });

  it("gives a new subscription to the original still active, not to one that already ended", () => {
    // Prepare: s1 of offer A ended 31 May, s2 of offer A ends 31 December; n1 of offer A is
    // provisioned on 15 June without naming an original.
    const events: RawEnvelope[] = [
      invitationSent({
        subscriptions: [
          original({ subscriptionId: "s1", offerId: "A", commitmentEndDate: "2026-05-31" }),
          original({ subscriptionId: "s2", offerId: "A", commitmentEndDate: "2026-12-31" }),
        ],
      }),
      originalSubscriptionEnded({ subscriptionId: "s1", endedAt: "2026-05-31T00:00:00Z" }),
      subscriptionProvisioned({
        subscriptionId: "n1",
        offerId: "A",
        provisionedAt: "2026-06-15T09:00:00Z",
      }),
    ];
    // Act
    const view = viewOf(...events);
    // Assess
    expect(subscriptionOf(view, "s2").replacement?.subscriptionId).toBe("n1");
    expect(subscriptionOf(view, "s1").replacement).toBeNull();
    expect(codesOf(view)).toContain("ENDED_WITHOUT_REPLACEMENT");
    expect(view.unmatched).toEqual([]);
  });

  it("shows the replacement's subscriptionId, offerId, quantity and provisionedAt", () => {
    const view = viewOf(
      invite,
      subscriptionProvisioned({
        subscriptionId: "n-1",
        offerId: "A",
        offerName: "Offer A",
        quantity: 10,
        provisionedAt: "2026-02-01T12:00:00Z",
        replacesSubscriptionId: "o-2",
      }),
    );
    expect(subscriptionOf(view, "o-2").replacement).toEqual({
      subscriptionId: "n-1",
      offerId: "A",
      quantity: 10,
      provisionedAt: "2026-02-01T12:00:00Z",
    });
    expect(codesOf(view)).toEqual([]);
  });

  it("the loser of a contested original is unmatched with UNMATCHED_REPLACEMENT", () => {
    const view = viewOf(
      invite,
      subscriptionProvisioned({
        subscriptionId: "n-late",
        offerId: "A",
        provisionedAt: "2026-02-02T00:00:00Z",
        replacesSubscriptionId: "o-1",
      }),
      subscriptionProvisioned({
        subscriptionId: "n-early",
        offerId: "A",
        provisionedAt: "2026-02-01T00:00:00Z",
        replacesSubscriptionId: "o-1",
      }),
    );
    expect(subscriptionOf(view, "o-1").replacement?.subscriptionId).toBe("n-early");
    expect(subscriptionOf(view, "o-2").replacement).toBeNull();
    expect(view.unmatched.map((u) => u.subscriptionId)).toEqual(["n-late"]);
    expect(view.warnings).toEqual([
      expect.objectContaining({ code: "UNMATCHED_REPLACEMENT", subscriptionId: "n-late" }),
    ]);
  });

  it("a re-sent provisioning of the same new subscription is one subscription, not two", () => {
    const first = subscriptionProvisioned({ subscriptionId: "n-1", offerId: "A" });
    const again = { ...first, id: "another-id" };
    const view = viewOf(invite, first, again);
    expect(view.unmatched).toEqual([]);
    expect(view.subscriptions.filter((s) => s.replacement !== null)).toHaveLength(1);
  });
});
