import * as z from "zod";
import { MAX_SUBSCRIPTIONS_PER_INVITATION } from "./details.js";
import { IdString, IsoDateTime, TextString } from "./primitives.js";

/**
 * `Tenant Observed` (SPEC section 10): what one read of the customer's tenant through Microsoft
 * Graph established, reduced at read time to what the view needs, so the event and the folded
 * state stay bounded whatever the tenant's size:
 * - `originals`: one entry per original of the transfer that a tenant subscription matched
 *   (by `commerceSubscriptionId` or `id`), keyed by the original's own `subscriptionId`;
 * - `skus`: for each SKU of a matched original, the users holding it (`consumedUnits`) and the
 *   licenses of the tenant's `Enabled` subscriptions of that SKU (`enabledLicenses`);
 * - `untracked`: `Enabled`, non-trial subscriptions the configured partner does not own that
 *   are neither an original nor a known replacement of the transfer (at most 100).
 * The latest read (greatest `observedAt`) wins as a whole; `fingerprint` identifies the content
 * (everything but `observedAt`) so that a reconcile does not emit an unchanged read again.
 */
export const MAX_UNTRACKED_PER_READ = 100;
export const MAX_SKUS_PER_READ = 500;

export const TENANT_SUBSCRIPTION_STATUSES = [
  "Enabled",
  "Warning",
  "Suspended",
  "LockedOut",
  "Deleted",
] as const;
export const TenantSubscriptionStatus = z.enum(TENANT_SUBSCRIPTION_STATUSES);
export type TenantSubscriptionStatus = z.infer<typeof TenantSubscriptionStatus>;

const Licenses = z.number().int().min(0).max(10_000_000);

export const ObservedOriginal = z.object({
  subscriptionId: IdString,
  status: TenantSubscriptionStatus,
  skuId: IdString,
  totalLicenses: Licenses,
  nextLifecycleDateTime: IsoDateTime.nullable(),
});

export const ObservedSku = z.object({
  skuId: IdString,
  skuPartNumber: TextString,
  consumedUnits: Licenses,
  enabledLicenses: Licenses,
});

export const UntrackedSubscription = z.object({
  /** `commerceSubscriptionId`, else the directory `id`. */
  subscriptionId: IdString,
  /** The other of the two ids, when both exist (an invitation may name either). */
  otherId: IdString.nullable(),
  skuPartNumber: TextString,
  totalLicenses: Licenses,
  nextLifecycleDateTime: IsoDateTime.nullable(),
});

const uniqueBy =
  <T>(key: (item: T) => string, what: string) =>
  (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const k = key(item).toLowerCase();
      if (seen.has(k))
        ctx.addIssue({
          code: "custom",
          path: [index],
          message: `duplicate ${what} "${key(item)}"`,
        });
      seen.add(k);
    });
  };

export const TenantObserved = z.object({
  partnerId: IdString,
  customerTenantId: IdString,
  observedAt: IsoDateTime,
  fingerprint: z.string().regex(/^[0-9a-f]{16,64}$/, "must be a hex digest"),
  originals: z
    .array(ObservedOriginal)
    .max(MAX_SUBSCRIPTIONS_PER_INVITATION)
    .superRefine(uniqueBy((o) => o.subscriptionId, "subscriptionId")),
  skus: z
    .array(ObservedSku)
    .max(MAX_SKUS_PER_READ)
    .superRefine(uniqueBy((s) => s.skuId, "skuId")),
  untracked: z
    .array(UntrackedSubscription)
    .max(MAX_UNTRACKED_PER_READ)
    .superRefine(uniqueBy((u) => u.subscriptionId, "subscriptionId")),
});

export type ObservedOriginal = z.infer<typeof ObservedOriginal>;
export type ObservedSku = z.infer<typeof ObservedSku>;
export type UntrackedSubscription = z.infer<typeof UntrackedSubscription>;
export type TenantObserved = z.infer<typeof TenantObserved>;
