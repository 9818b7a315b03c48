/**
 * Builders of raw EventBridge envelopes for the upstream detail-types, with sensible defaults.
 * Every builder takes detail overrides and envelope overrides and returns what EventBridge would
 * deliver to a Lambda target (not yet validated: parse it with `parseUpstreamEvent`).
 *
 *   const sent = invitationSent({ subscriptions: [original({ subscriptionId: "o-1" })] });
 *   const event = parseUpstreamEvent(provisioned({ replacesSubscriptionId: "o-1" }, { id: "e-9" }));
 */
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import {
  DETAIL_TYPES,
  type InvitationAccepted,
  type InvitationSent,
  type OriginalSubscription,
  type OriginalSubscriptionEnded,
  type OriginalSubscriptionUpdated,
  parseUpstreamEvent,
  SOURCES,
  type SubscriptionProvisioned,
  type TenantObserved,
  type UpstreamDetailType,
  type UpstreamEvent,
} from "../../shared/events/index.js";

/** The raw envelope EventBridge delivers (AWS fields the product ignores included). */
export type RawEnvelope<D = Record<string, unknown>> = {
  version: string;
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: D;
};

export type EnvelopeOverrides = Partial<Omit<RawEnvelope, "detail">>;

export type TransferKey = { partnerId: string; customerTenantId: string };

export const DEFAULT_TRANSFER: TransferKey = {
  partnerId: "partner-contoso",
  customerTenantId: "11111111-2222-3333-4444-555555555555",
};

/** A fresh transfer key, for tests that share a table and must not see each other's data. */
export function newTransferKey(label = "t"): TransferKey {
  const unique = randomUUID();
  return { partnerId: `partner-${label}-${unique}`, customerTenantId: `tenant-${unique}` };
}

/** Defaults for the facts: an invitation on 1 Jan 2026, originals ending on 30 Jun 2026. */
export const DEFAULT_TIMES = {
  sentAt: "2026-01-05T09:00:00Z",
  acceptedAt: "2026-01-06T10:00:00Z",
  provisionedAt: "2026-02-01T12:00:00Z",
  updatedAt: "2026-03-01T08:00:00Z",
  commitmentEndDate: "2026-06-30T00:00:00Z",
  endedAt: "2026-06-30T00:00:00Z",
} as const;

export function envelope<D>(
  detailType: string,
  detail: D,
  time: string,
  overrides: EnvelopeOverrides = {},
): RawEnvelope<D> {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": detailType,
    source: SOURCES.upstream,
    account: "123456789012",
    time,
    region: "eu-west-1",
    resources: [],
    detail,
    ...overrides,
  };
}

type Input<T extends z.ZodType> = z.input<T>;

/** One original subscription as listed in an `Invitation Sent`. */
export function original(
  overrides: Partial<Input<typeof OriginalSubscription>> = {},
): Input<typeof OriginalSubscription> {
  return {
    subscriptionId: "orig-1",
    offerId: "offer-m365-business-standard",
    offerName: "Microsoft 365 Business Standard",
    quantity: 10,
    commitmentEndDate: DEFAULT_TIMES.commitmentEndDate,
    autoRenewEnabled: false,
    ...overrides,
  };
}

export function invitationSent(
  detail: Partial<Input<typeof InvitationSent>> = {},
  overrides: EnvelopeOverrides = {},
): RawEnvelope<Input<typeof InvitationSent>> {
  const full: Input<typeof InvitationSent> = {
    ...DEFAULT_TRANSFER,
    partnerCountry: "GB",
    partnerEmail: "transfers@partner.example",
    customerName: "Fabrikam Ltd",
    customerCountry: "GB",
    sentAt: DEFAULT_TIMES.sentAt,
    subscriptions: [original()],
    ...detail,
  };
  return envelope(DETAIL_TYPES.invitationSent, full, full.sentAt, overrides);
}

export function invitationAccepted(
  detail: Partial<Input<typeof InvitationAccepted>> = {},
  overrides: EnvelopeOverrides = {},
): RawEnvelope<Input<typeof InvitationAccepted>> {
  const full: Input<typeof InvitationAccepted> = {
    ...DEFAULT_TRANSFER,
    acceptedAt: DEFAULT_TIMES.acceptedAt,
    ...detail,
  };
  return envelope(DETAIL_TYPES.invitationAccepted, full, full.acceptedAt, overrides);
}

/** A `Subscription Provisioned`: by default the same offer and seats as `original()`. */
export function subscriptionProvisioned(
  detail: Partial<Input<typeof SubscriptionProvisioned>> = {},
  overrides: EnvelopeOverrides = {},
): RawEnvelope<Input<typeof SubscriptionProvisioned>> {
  const full: Input<typeof SubscriptionProvisioned> = {
    ...DEFAULT_TRANSFER,
    subscriptionId: "new-1",
    offerId: "offer-m365-business-standard",
    offerName: "Microsoft 365 Business Standard",
    quantity: 10,
    provisionedAt: DEFAULT_TIMES.provisionedAt,
    ...detail,
  };
  return envelope(DETAIL_TYPES.subscriptionProvisioned, full, full.provisionedAt, overrides);
}

export function originalSubscriptionUpdated(
  detail: Partial<Input<typeof OriginalSubscriptionUpdated>> = {},
  overrides: EnvelopeOverrides = {},
): RawEnvelope<Input<typeof OriginalSubscriptionUpdated>> {
  const full: Input<typeof OriginalSubscriptionUpdated> = {
    ...DEFAULT_TRANSFER,
    subscriptionId: "orig-1",
    updatedAt: DEFAULT_TIMES.updatedAt,
    ...("autoRenewEnabled" in detail || "commitmentEndDate" in detail || "quantity" in detail
      ? {}
      : { autoRenewEnabled: false }),
    ...detail,
  };
  return envelope(DETAIL_TYPES.originalSubscriptionUpdated, full, full.updatedAt, overrides);
}

export function originalSubscriptionEnded(
  detail: Partial<Input<typeof OriginalSubscriptionEnded>> = {},
  overrides: EnvelopeOverrides = {},
): RawEnvelope<Input<typeof OriginalSubscriptionEnded>> {
  const full: Input<typeof OriginalSubscriptionEnded> = {
    ...DEFAULT_TRANSFER,
    subscriptionId: "orig-1",
    endedAt: DEFAULT_TIMES.endedAt,
    reason: "expired",
    ...detail,
  };
  return envelope(DETAIL_TYPES.originalSubscriptionEnded, full, full.endedAt, overrides);
}

/**
 * A `Tenant Observed`: by default a read in which `orig-1` is `Enabled` as invited, and its
 * SKU has 10 users on 20 enabled licenses (the original's 10 and a replacement's 10).
 */
export function tenantObserved(
  detail: Partial<Input<typeof TenantObserved>> = {},
  overrides: EnvelopeOverrides = {},
): RawEnvelope<Input<typeof TenantObserved>> {
  const full: Input<typeof TenantObserved> = {
    ...DEFAULT_TRANSFER,
    observedAt: "2026-03-02T06:00:00Z",
    fingerprint: "0123456789abcdef",
    originals: [
      {
        subscriptionId: "orig-1",
        status: "Enabled",
        skuId: "sku-standardpack",
        totalLicenses: 10,
        nextLifecycleDateTime: DEFAULT_TIMES.commitmentEndDate,
      },
    ],
    skus: [
      {
        skuId: "sku-standardpack",
        skuPartNumber: "STANDARDPACK",
        consumedUnits: 10,
        enabledLicenses: 20,
      },
    ],
    untracked: [],
    ...detail,
  };
  return envelope(DETAIL_TYPES.tenantObserved, full, full.observedAt, overrides);
}

/** Short aliases. */
export {
  invitationAccepted as accepted,
  originalSubscriptionEnded as ended,
  originalSubscriptionUpdated as updated,
  subscriptionProvisioned as provisioned,
};

/** The builder for each upstream detail-type (for table-driven tests over all of them). */
export const UPSTREAM_BUILDERS: Record<
  UpstreamDetailType,
  (detail?: Record<string, unknown>, overrides?: EnvelopeOverrides) => RawEnvelope
> = {
  [DETAIL_TYPES.invitationSent]: invitationSent,
  [DETAIL_TYPES.invitationAccepted]: invitationAccepted,
  [DETAIL_TYPES.subscriptionProvisioned]: subscriptionProvisioned,
  [DETAIL_TYPES.originalSubscriptionUpdated]: originalSubscriptionUpdated,
  [DETAIL_TYPES.originalSubscriptionEnded]: originalSubscriptionEnded,
  [DETAIL_TYPES.tenantObserved]: tenantObserved,
};

/** The same fact re-sent by upstream: identical detail under a new envelope id. */
export function resent<D>(raw: RawEnvelope<D>, overrides: EnvelopeOverrides = {}): RawEnvelope<D> {
  return { ...structuredClone(raw), id: randomUUID(), ...overrides };
}

/** Parses raw envelopes into typed upstream events (throws on an invalid one). */
export function parseAll(raws: readonly unknown[]): UpstreamEvent[] {
  return raws.map(parseUpstreamEvent);
}
