import type { OriginalSubscription, OriginalSubscriptionEnded } from "../events/index.js";
import type { TransferState } from "./state.js";
import { compareVersions, type Stamp } from "./time.js";

/** An original subscription with each mutable field resolved (latest timestamp wins). */
export type EffectiveOriginal = OriginalSubscription & {
  ended: OriginalSubscriptionEnded | null;
};

/**
 * The originals as the latest invitation lists them, with autoRenewEnabled, commitmentEndDate
 * and quantity taken from whichever of the invitation (as of its `sentAt`) or a later
 * `Original Subscription Updated` is newest.
 */
export function effectiveOriginals(state: TransferState): EffectiveOriginal[] {
  const invitation = state.invitation;
  if (!invitation) return [];
  return invitation.value.subscriptions.map((original) => {
    const updates = state.updates[original.subscriptionId] ?? {};
    const pick = <T>(fromInvitation: T, update: { stamp: Stamp; value: T } | undefined): T => {
      if (!update) return fromInvitation;
      const asInvited = { stamp: invitation.stamp, value: fromInvitation };
      return compareVersions(update, asInvited) > 0 ? update.value : fromInvitation;
    };
    return {
      ...original,
      autoRenewEnabled: pick(original.autoRenewEnabled, updates.autoRenewEnabled),
      commitmentEndDate: pick(original.commitmentEndDate, updates.commitmentEndDate),
      quantity: pick(original.quantity, updates.quantity),
      ended: state.ended[original.subscriptionId]?.value ?? null,
    };
  });
}
