import * as z from "zod";
import {
  CountryCode,
  Email,
  IdString,
  IsoDateTime,
  Quantity,
  TermDuration,
  TextString,
} from "./primitives.js";

/** Up to 500 originals per invitation, as Partner Center allows per customer transfer. */
export const MAX_SUBSCRIPTIONS_PER_INVITATION = 500;

const TransferKey = {
  partnerId: IdString,
  customerTenantId: IdString,
};

export const OriginalSubscription = z.object({
  subscriptionId: IdString,
  offerId: IdString,
  offerName: TextString,
  quantity: Quantity,
  commitmentEndDate: IsoDateTime,
  autoRenewEnabled: z.boolean(),
  offerDiscontinued: z.boolean().default(false),
  termDuration: TermDuration.optional(),
});

export const InvitationSent = z.object({
  ...TransferKey,
  partnerCountry: CountryCode,
  partnerEmail: Email,
  customerName: TextString,
  customerCountry: CountryCode,
  sentAt: IsoDateTime,
  subscriptions: z
    .array(OriginalSubscription)
    .max(MAX_SUBSCRIPTIONS_PER_INVITATION)
    .superRefine((subs, ctx) => {
      const firstIndex = new Map<string, number>();
      subs.forEach((sub, index) => {
        const first = firstIndex.get(sub.subscriptionId);
        if (first === undefined) firstIndex.set(sub.subscriptionId, index);
        else
          ctx.addIssue({
            code: "custom",
            path: [index, "subscriptionId"],
            message: `duplicate subscriptionId "${sub.subscriptionId}" (already at index ${first}); subscriptionId values must be unique`,
          });
      });
    }),
});

export const InvitationAccepted = z.object({
  ...TransferKey,
  acceptedAt: IsoDateTime,
});

export const SubscriptionProvisioned = z.object({
  ...TransferKey,
  subscriptionId: IdString,
  offerId: IdString,
  offerName: TextString.optional(),
  quantity: Quantity,
  provisionedAt: IsoDateTime,
  replacesSubscriptionId: IdString.optional(),
});

export const OriginalSubscriptionUpdated = z
  .object({
    ...TransferKey,
    subscriptionId: IdString,
    updatedAt: IsoDateTime,
    autoRenewEnabled: z.boolean().optional(),
    commitmentEndDate: IsoDateTime.optional(),
    quantity: Quantity.optional(),
  })
  .refine(
    (u) =>
      u.autoRenewEnabled !== undefined ||
      u.commitmentEndDate !== undefined ||
      u.quantity !== undefined,
    { message: "must carry at least one of autoRenewEnabled, commitmentEndDate, quantity" },
  );

export const OriginalSubscriptionEnded = z.object({
  ...TransferKey,
  subscriptionId: IdString,
  endedAt: IsoDateTime,
  reason: z.enum(["expired", "cancelled"]),
});

export const ExpiryApproaching = z.object({
  ...TransferKey,
  customerName: TextString,
  partnerEmail: Email,
  subscriptionId: IdString,
  offerId: IdString,
  offerName: TextString,
  quantity: Quantity,
  commitmentEndDate: IsoDateTime,
  daysLeft: z.number().int().min(0),
  thresholdDays: z.number().int().min(0),
  replacementProvisioned: z.boolean(),
});

/**
 * Internal: the expiry scan hands the notifier one digest (one email) per partner address per
 * run. The event names the digest only; everything the email says is read from the store.
 */
export const ReminderDigestReady = z.object({
  digestId: IdString,
});

export const TransferStatus = z.enum([
  "PENDING_INVITATION",
  "INELIGIBLE",
  "INVITED",
  "ACCEPTED",
  "PROVISIONING",
  "PROVISIONED",
  "COMPLETED",
]);
export type TransferStatus = z.infer<typeof TransferStatus>;

export const TransferStatusChanged = z.object({
  ...TransferKey,
  from: TransferStatus,
  to: TransferStatus,
  at: IsoDateTime,
});

export type OriginalSubscription = z.infer<typeof OriginalSubscription>;
export type InvitationSent = z.infer<typeof InvitationSent>;
export type InvitationAccepted = z.infer<typeof InvitationAccepted>;
export type SubscriptionProvisioned = z.infer<typeof SubscriptionProvisioned>;
export type OriginalSubscriptionUpdated = z.infer<typeof OriginalSubscriptionUpdated>;
export type OriginalSubscriptionEnded = z.infer<typeof OriginalSubscriptionEnded>;
export type ExpiryApproaching = z.infer<typeof ExpiryApproaching>;
export type TransferStatusChanged = z.infer<typeof TransferStatusChanged>;
export type ReminderDigestReady = z.infer<typeof ReminderDigestReady>;
