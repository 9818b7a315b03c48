import type { OriginalSubscription, OriginalSubscriptionEnded } from "../events/index.js";
import type { TransferState } from "./state.js";
import { endObserved, tenantReadOf } from "./tenant.js";
import { compareVersions, earliest, type Versioned } from "./time.js";

/** An original subscription with each mutable field resolved (latest timestamp wins). */
export type EffectiveOriginal = OriginalSubscription & {
  ended: OriginalSubscriptionEnded | null;
};

/** The newest of several versions of one field (section 2's per-field rule). */
function newest<T>(first: Versioned<T>, ...later: (Versioned<T> | undefined)[]): T {
  let best = first;
  for (const candidate of later) {
    if (candidate && compareVersions(candidate, best) > 0) best = candidate;
  }
  return best.value;
}

/**
 * The originals as the latest invitation lists them, with autoRenewEnabled, commitmentEndDate
 * and quantity taken from whichever of the invitation (as of its `sentAt`), a later
 * `Original Subscription Updated`, or the latest tenant read (as of its `observedAt`, for a
 * matched `Enabled` subscription) is newest. A matched subscription the tenant no longer shows
 * `Enabled` ends the original (the earlier of that end and any `Original Subscription Ended`).
 */
export function effectiveOriginals(state: TransferState): EffectiveOriginal[] {
  const invitation = state.invitation;
  if (!invitation) return [];
  const tenant = tenantReadOf(state);
  return invitation.value.subscriptions.map((original) => {
    const id = original.subscriptionId;
    const updates = state.updates[id] ?? {};
    const observed = tenant?.original(id);
    const enabled = observed?.status === "Enabled" ? observed : undefined;
    const asRead = <T>(value: T | null | undefined): Versioned<T> | undefined =>
      tenant && value !== null && value !== undefined ? { stamp: tenant.stamp, value } : undefined;
    const asInvited = <T>(value: T): Versioned<T> => ({ stamp: invitation.stamp, value });
    const commitmentEndDate = newest(
      asInvited(original.commitmentEndDate),
      updates.commitmentEndDate,
      asRead(enabled?.nextLifecycleDateTime),
    );
    const seats = enabled && enabled.totalLicenses >= 1 ? enabled.totalLicenses : undefined;
    let ended = state.ended[id];
    if (tenant && observed && observed.status !== "Enabled") {
      const value = endObserved(state, id, commitmentEndDate, tenant.observedAt);
      ended = earliest(ended, { stamp: { ...tenant.stamp, at: value.endedAt }, value });
    }
    return {
      ...original,
      autoRenewEnabled: newest(asInvited(original.autoRenewEnabled), updates.autoRenewEnabled),
      commitmentEndDate,
      quantity: newest(asInvited(original.quantity), updates.quantity, asRead(seats)),
      ended: ended?.value ?? null,
    };
  });
}
