/**
 * From Partner Center's resources to the tracker's upstream events (SPEC section 9): a
 * subscription becomes `Subscription Provisioned` only when it is active, is not one of the
 * transfer's originals, is not known to the transfer yet, and belongs to the customer asked for.
 */
import {
  SubscriptionProvisioned as Schema,
  type SubscriptionProvisioned,
} from "../events/details.js";
import { refused } from "./api-errors.js";
import type { PcSubscription } from "./shapes.js";
import type { TransferFacts } from "./transfer-facts.js";

/** The customer a subscription's own link names, when Partner Center gives one. */
function linkedCustomer(subscription: PcSubscription): string | null {
  const uri = subscription.links?.self?.uri;
  if (!uri) return null;
  return /(?:^|\/)customers\/([^/?#]+)\/subscriptions\//i.exec(uri)?.[1] ?? null;
}

/** Refuses a subscription Partner Center returned for another customer or under another id. */
export function assertBelongs(
  subscription: PcSubscription,
  customerId: string,
  subscriptionId?: string,
): void {
  if (
    subscriptionId !== undefined &&
    subscription.id.toLowerCase() !== subscriptionId.toLowerCase()
  ) {
    throw refused(
      `Partner Center answered subscription ${subscription.id} when asked for ${subscriptionId}`,
    );
  }
  const linked = linkedCustomer(subscription);
  if (linked !== null && linked.toLowerCase() !== customerId.toLowerCase()) {
    throw refused(
      `Partner Center answered a subscription of customer ${linked} when asked for ${customerId}`,
    );
  }
}

export type ProvisionedDecision =
  | { emit: true; detail: SubscriptionProvisioned }
  | { emit: false; why: string };

export function provisionedFrom(
  partnerId: string,
  facts: TransferFacts,
  subscription: PcSubscription,
  options: { createdOnOrAfter?: string | null } = {},
): ProvisionedDecision {
  const id = subscription.id.toLowerCase();
  if (subscription.status.toLowerCase() !== "active") {
    return { emit: false, why: `status ${subscription.status}` };
  }
  if (facts.originalIds.has(id)) return { emit: false, why: "one of the originals" };
  if (facts.knownNewIds.has(id)) return { emit: false, why: "already known" };
  const since = options.createdOnOrAfter;
  if (since && Date.parse(subscription.creationDate) < Date.parse(since)) {
    return { emit: false, why: "created before the invitation" };
  }
  const detail = Schema.safeParse({
    partnerId,
    customerTenantId: facts.customerTenantId,
    subscriptionId: subscription.id,
    offerId: subscription.offerId,
    ...(subscription.offerName ? { offerName: subscription.offerName } : {}),
    quantity: subscription.quantity,
    provisionedAt: subscription.creationDate,
  });
  if (!detail.success) {
    const issue = detail.error.issues[0];
    throw refused(
      `Partner Center's subscription ${subscription.id} does not make a Subscription Provisioned (${issue?.path.join(".")}: ${issue?.message})`,
    );
  }
  return { emit: true, detail: detail.data };
}
