/**
 * fast-check arbitraries for the event contracts: random VALID upstream events for one transfer,
 * drawn from small pools (ids, offers, instants) so that collisions, contested originals and
 * timestamp ties happen often. Each generated event comes both as the raw EventBridge envelope
 * and as the parsed `UpstreamEvent`, so the same sets drive pure tests and handler/store tests.
 */
import fc from "fast-check";
import { parseUpstreamEvent, type UpstreamEvent } from "../../shared/events/index.js";
import {
  DEFAULT_TRANSFER,
  invitationAccepted,
  invitationSent,
  originalSubscriptionEnded,
  originalSubscriptionUpdated,
  type RawEnvelope,
  subscriptionProvisioned,
  type TransferKey,
  tenantObserved,
} from "./events.js";

export type GeneratedEvent = { envelope: RawEnvelope; event: UpstreamEvent };

/**
 * Instants for facts and envelopes. Several name the same instant in different spellings
 * (`Z`, `.000Z`, an offset, no offset) so that ties are frequent and textual order is not the
 * instant order.
 */
export const INSTANT_POOL = [
  "2026-01-01T00:00:00Z",
  "2026-01-01T00:00:00.000Z",
  "2026-01-01T01:00:00+01:00",
  "2026-02-01T12:00:00Z",
  "2026-02-01T12:00:00",
  "2026-03-15T00:00:00Z",
  "2026-06-30T00:00:00Z",
  "2026-07-01T01:00:00+02:00",
  "2026-07-01T00:00:00Z",
] as const;

/** Commitment end dates: date-only and date-time forms, some on the same UTC day. */
export const END_DATE_POOL = [
  "2026-06-30",
  "2026-06-30T00:00:00Z",
  "2026-06-30T22:00:00Z",
  "2026-07-01T00:00:00Z",
  "2026-12-31T00:00:00Z",
] as const;

export const ORIGINAL_ID_POOL = ["orig-a", "orig-b", "orig-c", "orig-d"] as const;
export const NEW_ID_POOL = ["new-a", "new-b", "new-c", "new-d", "new-e"] as const;
export const OFFER_POOL = ["offer-1", "offer-2", "offer-3"] as const;
export const QUANTITY_POOL = [1, 5, 10, 25] as const;

export const instant = (): fc.Arbitrary<string> => fc.constantFrom(...INSTANT_POOL);
export const endDate = (): fc.Arbitrary<string> => fc.constantFrom(...END_DATE_POOL);
export const quantity = (): fc.Arbitrary<number> => fc.constantFrom(...QUANTITY_POOL);
export const offerId = (): fc.Arbitrary<string> => fc.constantFrom(...OFFER_POOL);
export const originalId = (): fc.Arbitrary<string> => fc.constantFrom(...ORIGINAL_ID_POOL);

/** Usually the same country for partner and customer, sometimes not (an INELIGIBLE transfer). */
export const customerCountry = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.constant("GB") },
    { weight: 1, arbitrary: fc.constant("IE") },
  );

export const originalSubscription = () =>
  fc.record(
    {
      subscriptionId: originalId(),
      offerId: offerId(),
      offerName: fc.constantFrom("Microsoft 365 E3", "Exchange Online (Plan 1)"),
      quantity: quantity(),
      commitmentEndDate: endDate(),
      autoRenewEnabled: fc.boolean(),
      offerDiscontinued: fc.boolean(),
      termDuration: fc.constantFrom("P1M", "P1Y", "P3Y"),
    },
    {
      requiredKeys: [
        "subscriptionId",
        "offerId",
        "offerName",
        "quantity",
        "commitmentEndDate",
        "autoRenewEnabled",
      ],
    },
  );

type Build = (id: string, time: string) => RawEnvelope;

const invitationSentDetail = (key: TransferKey) =>
  fc
    .record({
      customerName: fc.constantFrom("Fabrikam Ltd", "Fabrikam Limited"),
      customerCountry: customerCountry(),
      sentAt: instant(),
      subscriptions: fc.uniqueArray(originalSubscription(), {
        selector: (s) => s.subscriptionId,
        maxLength: ORIGINAL_ID_POOL.length,
      }),
    })
    .map(
      (d): Build =>
        (id, time) =>
          invitationSent({ ...key, partnerCountry: "GB", ...d }, { id, time }),
    );

const invitationAcceptedDetail = (key: TransferKey) =>
  instant().map(
    (acceptedAt): Build =>
      (id, time) =>
        invitationAccepted({ ...key, acceptedAt }, { id, time }),
  );

const subscriptionProvisionedDetail = (key: TransferKey) =>
  fc
    .record(
      {
        subscriptionId: fc.constantFrom(...NEW_ID_POOL),
        offerId: offerId(),
        offerName: fc.constant("Microsoft 365 E3"),
        quantity: quantity(),
        provisionedAt: instant(),
        replacesSubscriptionId: fc.constantFrom(...ORIGINAL_ID_POOL, "orig-unknown"),
      },
      { requiredKeys: ["subscriptionId", "offerId", "quantity", "provisionedAt"] },
    )
    .map(
      (d): Build =>
        (id, time) =>
          subscriptionProvisioned({ ...key, ...d }, { id, time }),
    );

const originalSubscriptionUpdatedDetail = (key: TransferKey) =>
  fc
    .record(
      {
        subscriptionId: originalId(),
        updatedAt: instant(),
        autoRenewEnabled: fc.boolean(),
        commitmentEndDate: endDate(),
        quantity: quantity(),
      },
      { requiredKeys: ["subscriptionId", "updatedAt"] },
    )
    .filter(
      (d) =>
        d.autoRenewEnabled !== undefined ||
        d.commitmentEndDate !== undefined ||
        d.quantity !== undefined,
    )
    .map(
      (d): Build =>
        (id, time) =>
          // At least one field is present, so the builder adds no default autoRenewEnabled.
          originalSubscriptionUpdated({ ...key, ...d }, { id, time }),
    );

const originalSubscriptionEndedDetail = (key: TransferKey) =>
  fc
    .record({
      subscriptionId: originalId(),
      endedAt: instant(),
      reason: fc.constantFrom("expired" as const, "cancelled" as const),
    })
    .map(
      (d): Build =>
        (id, time) =>
          originalSubscriptionEnded({ ...key, ...d }, { id, time }),
    );

/** An id as Graph might spell it: GUIDs are compared case-insensitively (SPEC section 10). */
const anyCase = (id: string) => fc.boolean().map((upper) => (upper ? id.toUpperCase() : id));

/**
 * A read of the customer's tenant (`Tenant Observed`): some originals matched (any status, ids
 * in any case), two SKUs with users and licenses, and subscriptions from another channel, one
 * of which may be an original or a new subscription after all (the view must drop it).
 */
const tenantObservedDetail = (key: TransferKey) =>
  fc
    .record({
      observedAt: instant(),
      fingerprint: fc.constantFrom("0123456789abcdef", "fedcba9876543210"),
      originals: fc.uniqueArray(
        fc.record({
          subscriptionId: originalId().chain(anyCase),
          status: fc.constantFrom(
            "Enabled" as const,
            "Enabled" as const,
            "Warning" as const,
            "Suspended" as const,
            "LockedOut" as const,
            "Deleted" as const,
          ),
          skuId: fc.constantFrom("sku-1", "SKU-1", "sku-2"),
          totalLicenses: fc.constantFrom(0, 5, 10, 25),
          nextLifecycleDateTime: fc.option(endDate(), { nil: null }),
        }),
        { maxLength: 4, selector: (o) => o.subscriptionId.toLowerCase() },
      ),
      skus: fc.tuple(fc.nat(30), fc.nat(50), fc.nat(30), fc.nat(50)).map(([c1, e1, c2, e2]) => [
        { skuId: "sku-1", skuPartNumber: "STANDARDPACK", consumedUnits: c1, enabledLicenses: e1 },
        { skuId: "sku-2", skuPartNumber: "ENTERPRISEPACK", consumedUnits: c2, enabledLicenses: e2 },
      ]),
      untracked: fc.uniqueArray(
        fc.record({
          subscriptionId: fc.constantFrom("other-1", "other-2", "orig-a", "new-a"),
          otherId: fc.constantFrom(null, "orig-b", "x-1"),
          skuPartNumber: fc.constantFrom("ENTERPRISEPACK", "EMS"),
          totalLicenses: fc.constantFrom(1, 5),
          nextLifecycleDateTime: fc.option(endDate(), { nil: null }),
        }),
        { maxLength: 3, selector: (u) => u.subscriptionId },
      ),
    })
    .map(
      (d): Build =>
        (id, time) =>
          tenantObserved({ ...key, ...d }, { id, time }),
    );

/** Event ids: short hex strings, unique within a set, in random order (ties go by id). */
const eventIds = (count: number) =>
  fc.uniqueArray(hexId(""), { minLength: count, maxLength: count });

/** A short hex id with a prefix, e.g. "3fa2c1". */
export const hexId = (prefix: string): fc.Arbitrary<string> =>
  fc.integer({ min: 0, max: 0xffffff }).map((n) => `${prefix}${n.toString(16).padStart(6, "0")}`);

function toGenerated(envelope: RawEnvelope): GeneratedEvent {
  return { envelope, event: parseUpstreamEvent(envelope) };
}

/**
 * A random set of distinct, valid upstream events for one transfer: invitations (several, so the
 * latest-`sentAt` rule matters), acceptances, provisionings with and without
 * `replacesSubscriptionId` (also naming unknown or contested originals), updates and ends.
 */
export function validTransferEvents(
  options: {
    key?: TransferKey;
    minLength?: number;
    maxLength?: number;
    /** Mix in reads of the customer's tenant (`Tenant Observed`, SPEC section 10). */
    tenantReads?: boolean;
  } = {},
): fc.Arbitrary<GeneratedEvent[]> {
  const key = options.key ?? DEFAULT_TRANSFER;
  const kinds = [
    { weight: 3, arbitrary: invitationSentDetail(key) },
    { weight: 1, arbitrary: invitationAcceptedDetail(key) },
    { weight: 4, arbitrary: subscriptionProvisionedDetail(key) },
    { weight: 3, arbitrary: originalSubscriptionUpdatedDetail(key) },
    { weight: 2, arbitrary: originalSubscriptionEndedDetail(key) },
  ];
  if (options.tenantReads) kinds.push({ weight: 3, arbitrary: tenantObservedDetail(key) });
  const build = fc.oneof(...kinds);
  const builds = fc.array(fc.tuple(build, instant()), {
    minLength: options.minLength ?? 1,
    maxLength: options.maxLength ?? 16,
  });
  return builds.chain((list) =>
    eventIds(list.length).map((ids) =>
      list.map(([make, time], i) => toGenerated(make(ids[i] ?? `evt-${i}`, time))),
    ),
  );
}

/** The same envelope (same id) delivered again. */
function duplicatesOf(events: readonly GeneratedEvent[]): fc.Arbitrary<GeneratedEvent[]> {
  if (events.length === 0) return fc.constant([]);
  return fc
    .array(fc.nat(events.length - 1), { maxLength: events.length })
    .map((picks) => picks.map((i) => events[i] as GeneratedEvent));
}

/** A permutation of `events` plus random redeliveries of the same envelopes (same ids). */
export function withSameIdDuplicates(
  events: readonly GeneratedEvent[],
): fc.Arbitrary<GeneratedEvent[]> {
  return duplicatesOf(events).chain((extra) => shuffled([...events, ...extra]));
}

/** The same fact (identical detail) re-sent by upstream under a new envelope id and time. */
export function resentFact(generated: GeneratedEvent, id: string, time: string): GeneratedEvent {
  return {
    envelope: { ...structuredClone(generated.envelope), id, time },
    event: { ...structuredClone(generated.event), id, time },
  };
}

/**
 * A permutation of `events` plus same-id redeliveries AND facts re-sent under new ids. The
 * re-sent facts are new history entries, so compare such sets with history excluded.
 */
export function withDuplicatesAndResends(
  events: readonly GeneratedEvent[],
): fc.Arbitrary<GeneratedEvent[]> {
  if (events.length === 0) return fc.constant([]);
  // New ids look like "r" + hex, so they never collide with the generated ones.
  const resends = fc.uniqueArray(fc.tuple(fc.nat(events.length - 1), instant(), hexId("r")), {
    minLength: 1,
    maxLength: events.length,
    selector: ([, , id]) => id,
  });
  return fc
    .tuple(duplicatesOf(events), resends)
    .map(([extra, picks]) => [
      ...events,
      ...extra,
      ...picks.map(([i, time, id]) => resentFact(events[i] as GeneratedEvent, id, time)),
    ])
    .chain((all) => withSameIdDuplicates(all));
}

/** A uniformly random permutation. */
export function shuffled<T>(items: readonly T[]): fc.Arbitrary<T[]> {
  return fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length });
}
