/**
 * The latest read of the customer's tenant as the view uses it (SPEC section 10): lookups by the
 * original's id and by SKU (GUIDs compared case-insensitively), and the end a read establishes.
 */
import type {
  ObservedOriginal,
  ObservedSku,
  OriginalSubscriptionEnded,
  UntrackedSubscription,
} from "../events/index.js";
import type { TransferState } from "./state.js";
import { compareInstants, type Stamp, utcDay } from "./time.js";

export type TenantRead = {
  stamp: Stamp;
  observedAt: string;
  fingerprint: string;
  original: (subscriptionId: string) => ObservedOriginal | undefined;
  sku: (skuId: string) => ObservedSku | undefined;
  untracked: readonly UntrackedSubscription[];
};

const key = (id: string) => id.toLowerCase();

export function tenantReadOf(state: TransferState): TenantRead | null {
  const read = state.tenant;
  if (!read) return null;
  const originals = new Map(read.value.originals.map((o) => [key(o.subscriptionId), o]));
  const skus = new Map(read.value.skus.map((s) => [key(s.skuId), s]));
  return {
    stamp: read.stamp,
    observedAt: read.value.observedAt,
    fingerprint: read.value.fingerprint,
    original: (id) => originals.get(key(id)),
    sku: (id) => skus.get(key(id)),
    untracked: read.value.untracked,
  };
}

/**
 * A matched original that the tenant no longer shows `Enabled` has ended: at the read, or at its
 * end date if that came first; `expired` when that falls on or after the UTC date of its end
 * date, else `cancelled`.
 */
export function endObserved(
  state: TransferState,
  subscriptionId: string,
  commitmentEndDate: string,
  observedAt: string,
): OriginalSubscriptionEnded {
  const endedAt =
    compareInstants(observedAt, commitmentEndDate) <= 0 ? observedAt : commitmentEndDate;
  return {
    partnerId: state.partnerId,
    customerTenantId: state.customerTenantId,
    subscriptionId,
    endedAt,
    reason: utcDay(endedAt) >= utcDay(commitmentEndDate) ? "expired" : "cancelled",
  };
}
