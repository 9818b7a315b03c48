import type { z } from "zod";
import {
  ExpiryApproaching,
  InvitationAccepted,
  InvitationSent,
  OriginalSubscriptionEnded,
  OriginalSubscriptionUpdated,
  ReminderDigestReady,
  SubscriptionProvisioned,
  TransferStatusChanged,
} from "./details.js";
import { PartnerCenterNotification } from "./partner-center.js";
import { TenantObserved } from "./tenant.js";

/** Event sources: upstream systems publish as `upstream`; the product publishes as `tracker`. */
export const SOURCES = {
  upstream: "csp.transfers",
  tracker: "csp.transfers.tracker",
  /** Signed Partner Center webhooks, put on the bus by the receiver once verified. */
  partnerCenter: "csp.transfers.partner-center",
} as const;
export type Source = (typeof SOURCES)[keyof typeof SOURCES];

export const DETAIL_TYPES = {
  invitationSent: "Invitation Sent",
  invitationAccepted: "Invitation Accepted",
  subscriptionProvisioned: "Subscription Provisioned",
  originalSubscriptionUpdated: "Original Subscription Updated",
  originalSubscriptionEnded: "Original Subscription Ended",
  expiryApproaching: "Expiry Approaching",
  transferStatusChanged: "Transfer Status Changed",
  reminderDigestReady: "Reminder Digest Ready",
  partnerCenterNotification: "Partner Center Notification",
  tenantObserved: "Tenant Observed",
} as const;
export type DetailType = (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];

/** The event catalogue: every detail-type with its source and detail schema. */
export const EVENT_CATALOGUE = {
  [DETAIL_TYPES.invitationSent]: { source: SOURCES.upstream, detail: InvitationSent },
  [DETAIL_TYPES.invitationAccepted]: { source: SOURCES.upstream, detail: InvitationAccepted },
  [DETAIL_TYPES.subscriptionProvisioned]: {
    source: SOURCES.upstream,
    detail: SubscriptionProvisioned,
  },
  [DETAIL_TYPES.originalSubscriptionUpdated]: {
    source: SOURCES.upstream,
    detail: OriginalSubscriptionUpdated,
  },
  [DETAIL_TYPES.originalSubscriptionEnded]: {
    source: SOURCES.upstream,
    detail: OriginalSubscriptionEnded,
  },
  [DETAIL_TYPES.expiryApproaching]: { source: SOURCES.tracker, detail: ExpiryApproaching },
  [DETAIL_TYPES.transferStatusChanged]: { source: SOURCES.tracker, detail: TransferStatusChanged },
  [DETAIL_TYPES.reminderDigestReady]: { source: SOURCES.tracker, detail: ReminderDigestReady },
  [DETAIL_TYPES.partnerCenterNotification]: {
    source: SOURCES.partnerCenter,
    detail: PartnerCenterNotification,
  },
  // Put by the connector's reconcile after reading the customer's tenant (SPEC section 10).
  [DETAIL_TYPES.tenantObserved]: { source: SOURCES.upstream, detail: TenantObserved },
} as const satisfies Record<DetailType, { source: Source; detail: z.ZodType }>;

/** Detail-types the upstream systems publish; each has its own rule and handler. */
export const UPSTREAM_DETAIL_TYPES = [
  DETAIL_TYPES.invitationSent,
  DETAIL_TYPES.invitationAccepted,
  DETAIL_TYPES.subscriptionProvisioned,
  DETAIL_TYPES.originalSubscriptionUpdated,
  DETAIL_TYPES.originalSubscriptionEnded,
  DETAIL_TYPES.tenantObserved,
] as const;
export type UpstreamDetailType = (typeof UPSTREAM_DETAIL_TYPES)[number];

export type DetailOf<T extends DetailType> = z.infer<(typeof EVENT_CATALOGUE)[T]["detail"]>;

/** The EventBridge rule pattern that matches one detail-type; used by CDK and the local router. */
export function rulePatternFor(detailType: DetailType): {
  source: string[];
  "detail-type": string[];
} {
  return { source: [EVENT_CATALOGUE[detailType].source], "detail-type": [detailType] };
}

export function isDetailType(value: string): value is DetailType {
  return Object.hasOwn(EVENT_CATALOGUE, value);
}
