/**
 * From the tenant's two Graph lists to one `Tenant Observed` (SPEC section 10), reduced to what
 * the view needs so that the event and the stored state stay small whatever the tenant's size:
 * the matched originals (at most the invitation's 500), the SKUs they are on, and at most 100
 * subscriptions of another channel that the transfer does not know. A tenant whose lists
 * contradict themselves (two subscriptions claiming one commerce id, two matching one original,
 * a SKU listed twice) is refused as a whole: half a picture would give wrong warnings.
 */
import { createHash } from "node:crypto";
import { canonicalJson, compareStrings } from "../domain/time.js";
import {
  MAX_UNTRACKED_PER_READ,
  type ObservedOriginal,
  type ObservedSku,
  TenantObserved,
  type UntrackedSubscription,
} from "../events/index.js";
import { TenantUnreadableError } from "./errors.js";
import type { GraphCompanySubscription, GraphSubscribedSku } from "./shapes.js";

/** What the reduction needs to know about the transfer (ids lower-cased). */
export type TransferIds = {
  partnerId: string;
  customerTenantId: string;
  originalIds: ReadonlySet<string>;
  knownNewIds: ReadonlySet<string>;
};

const lower = (id: string) => id.toLowerCase();

function assertUnique<T>(
  items: readonly T[],
  key: (item: T) => string | null | undefined,
  what: string,
) {
  const seen = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    if (k === null || k === undefined) continue;
    if (seen.has(lower(k))) {
      throw new TenantUnreadableError(`the tenant lists two ${what} ${k}; the read is not used`);
    }
    seen.set(lower(k), item);
  }
}

/** Content of a read, without `observedAt` and `fingerprint`. */
export type ReadContent = Pick<TenantObserved, "originals" | "skus" | "untracked">;

export function reduceTenant(
  transfer: TransferIds,
  subscriptions: readonly GraphCompanySubscription[],
  skus: readonly GraphSubscribedSku[],
): ReadContent {
  assertUnique(
    subscriptions,
    (s) => s.commerceSubscriptionId,
    "subscriptions with the commerce id",
  );
  assertUnique(subscriptions, (s) => s.id, "subscriptions with the id");
  assertUnique(skus, (s) => s.skuId, "subscribedSkus with the skuId");

  const matchOf = (s: GraphCompanySubscription): string | null => {
    if (s.commerceSubscriptionId && transfer.originalIds.has(lower(s.commerceSubscriptionId)))
      return s.commerceSubscriptionId;
    return transfer.originalIds.has(lower(s.id)) ? s.id : null;
  };
  const originals: ObservedOriginal[] = [];
  const matchedBy = new Map<string, string>();
  const unmatched: GraphCompanySubscription[] = [];
  for (const s of subscriptions) {
    const match = matchOf(s);
    if (match === null) {
      unmatched.push(s);
      continue;
    }
    const other = matchedBy.get(lower(match));
    if (other !== undefined) {
      throw new TenantUnreadableError(
        `the tenant's subscriptions ${other} and ${s.id} both claim original ${match}; the read is not used`,
      );
    }
    matchedBy.set(lower(match), s.id);
    originals.push({
      subscriptionId: match,
      status: s.status,
      skuId: s.skuId,
      totalLicenses: s.totalLicenses,
      nextLifecycleDateTime: s.nextLifecycleDateTime ?? null,
    });
  }

  const skuById = new Map(skus.map((s) => [lower(s.skuId), s]));
  const enabledLicenses = new Map<string, number>();
  for (const s of subscriptions) {
    if (s.status !== "Enabled") continue;
    enabledLicenses.set(
      lower(s.skuId),
      (enabledLicenses.get(lower(s.skuId)) ?? 0) + s.totalLicenses,
    );
  }
  const observedSkus = new Map<string, ObservedSku>();
  for (const o of originals) {
    const sku = skuById.get(lower(o.skuId));
    if (!sku || observedSkus.has(lower(o.skuId))) continue;
    observedSkus.set(lower(o.skuId), {
      skuId: sku.skuId,
      skuPartNumber: sku.skuPartNumber,
      consumedUnits: sku.consumedUnits,
      enabledLicenses: enabledLicenses.get(lower(o.skuId)) ?? 0,
    });
  }

  const partner = lower(transfer.partnerId);
  const known = (id: string | null | undefined) => !!id && transfer.knownNewIds.has(lower(id));
  const untracked: UntrackedSubscription[] = unmatched
    .filter(
      (s) =>
        s.status === "Enabled" &&
        s.isTrial !== true &&
        lower(s.ownerTenantId ?? "") !== partner &&
        !known(s.id) &&
        !known(s.commerceSubscriptionId),
    )
    .map((s) => ({
      subscriptionId: s.commerceSubscriptionId ?? s.id,
      otherId: s.commerceSubscriptionId ? s.id : null,
      skuPartNumber: s.skuPartNumber || skuById.get(lower(s.skuId))?.skuPartNumber || s.skuId,
      totalLicenses: s.totalLicenses,
      nextLifecycleDateTime: s.nextLifecycleDateTime ?? null,
    }))
    .sort(
      (a, b) =>
        compareStrings(a.nextLifecycleDateTime ?? "~", b.nextLifecycleDateTime ?? "~") ||
        compareStrings(lower(a.subscriptionId), lower(b.subscriptionId)),
    )
    .slice(0, MAX_UNTRACKED_PER_READ);

  return {
    originals: originals.sort((a, b) =>
      compareStrings(lower(a.subscriptionId), lower(b.subscriptionId)),
    ),
    skus: [...observedSkus.values()].sort((a, b) => compareStrings(lower(a.skuId), lower(b.skuId))),
    untracked,
  };
}

/** Identifies a read's content (observedAt aside), so an unchanged read is not emitted again. */
export function fingerprintOf(content: ReadContent): string {
  return createHash("sha256").update(canonicalJson(content)).digest("hex").slice(0, 32);
}

/** The `Tenant Observed` detail of a read, checked against the event's own schema. */
export function tenantObservedDetail(
  transfer: TransferIds,
  content: ReadContent,
  observedAt: string,
): TenantObserved {
  const parsed = TenantObserved.safeParse({
    partnerId: transfer.partnerId,
    customerTenantId: transfer.customerTenantId,
    observedAt,
    fingerprint: fingerprintOf(content),
    ...content,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TenantUnreadableError(
      `the tenant's answer does not make a Tenant Observed (${issue?.path.join(".")}: ${issue?.message})`,
    );
  }
  return parsed.data;
}
