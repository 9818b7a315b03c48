/**
 * Turns one verified Partner Center notification into the tracker's events (SPEC section 9).
 * Running it twice for the same notification changes nothing: an acceptance is emitted only while
 * the transfer has not been accepted, a subscription only while the transfer does not know it.
 */
import { instantOf } from "../domain/time.js";
import type { PartnerCenterNotification } from "../events/partner-center.js";
import type { TenantStep } from "../tenant/reconcile-step.js";
import type { OutgoingEvent } from "../tracker/event-publisher.js";
import type { PartnerCenterClient } from "./api-client.js";
import { assertBelongs, provisionedFrom } from "./mapping.js";
import { parseResourceUri } from "./resource-uri.js";
import type { TransferLookup } from "./transfer-facts.js";

export const ACCEPTED_EVENT = "reseller-relationship-accepted-by-customer";
/** Clock skew allowed between Partner Center's ResourceChangeUtcDate and the invitation's sentAt. */
export const ACCEPTANCE_SKEW_MS = 5 * 60 * 1000;
export const SUBSCRIPTION_EVENT = "subscription-updated";

export type ConnectorDeps = {
  partnerId: string;
  apiUrl: string;
  client: PartnerCenterClient;
  transfers: TransferLookup;
  publish: (events: OutgoingEvent[]) => Promise<void>;
  /** Reads the customer's tenant during a reconcile (SPEC section 10); absent: not read. */
  tenant?: TenantStep;
};

export type ProcessOutcome = { emitted: OutgoingEvent[]; note: string };

const nothing = (note: string): ProcessOutcome => ({ emitted: [], note });

export async function processNotification(
  notification: PartnerCenterNotification,
  deps: ConnectorDeps,
): Promise<ProcessOutcome> {
  const name = notification.EventName.toLowerCase();
  if (name === ACCEPTED_EVENT) return accepted(notification, deps);
  if (name === SUBSCRIPTION_EVENT) return subscriptionUpdated(notification, deps);
  return nothing(`${notification.EventName}: acknowledged, nothing to track`);
}

async function accepted(n: PartnerCenterNotification, deps: ConnectorDeps) {
  const ref = parseResourceUri(n.ResourceUri, deps.apiUrl);
  if (ref.kind !== "customer") return nothing("ResourceUri does not name a customer");
  const facts = await deps.transfers.get(deps.partnerId, ref.customerId);
  if (!facts) return nothing("no transfer for this customer");
  if (facts.status !== "INVITED" && facts.status !== "PENDING_INVITATION") {
    return nothing(`already ${facts.status}`);
  }
  const stale = staleAcceptance(n.ResourceChangeUtcDate, facts.invitationSentAt);
  if (stale) return nothing(stale);
  const events: OutgoingEvent[] = [
    {
      detailType: "Invitation Accepted",
      detail: {
        partnerId: deps.partnerId,
        customerTenantId: ref.customerId,
        acceptedAt: n.ResourceChangeUtcDate,
      },
    },
  ];
  await deps.publish(events);
  return { emitted: events, note: "acceptance recorded" };
}

/**
 * Why an acceptance dated `changedAt` cannot accept an invitation sent at `sentAt` (more than 5
 * minutes before it: a replay, or a relationship older than this transfer), or null.
 */
export function staleAcceptance(changedAt: string, sentAt: string | null): string | null {
  if (sentAt === null) return null;
  if (instantOf(changedAt) >= instantOf(sentAt) - ACCEPTANCE_SKEW_MS) return null;
  return `acceptance dated ${changedAt} is more than 5 minutes before the invitation's sentAt ${sentAt}: ignored (a replay, or a relationship older than this transfer)`;
}

async function subscriptionUpdated(n: PartnerCenterNotification, deps: ConnectorDeps) {
  const ref = parseResourceUri(n.ResourceUri, deps.apiUrl);
  if (ref.kind !== "subscription") return nothing("ResourceUri does not name a subscription");
  const facts = await deps.transfers.get(deps.partnerId, ref.customerId);
  if (!facts) return nothing("no transfer for this customer");
  const id = ref.subscriptionId.toLowerCase();
  if (facts.originalIds.has(id) || facts.knownNewIds.has(id)) {
    return nothing("subscription already known to the transfer");
  }
  const subscription = await deps.client.getSubscription(ref.customerId, ref.subscriptionId);
  if (!subscription) return nothing("Partner Center does not know the subscription (404)");
  assertBelongs(subscription, ref.customerId, ref.subscriptionId);
  const decision = provisionedFrom(deps.partnerId, facts, subscription);
  if (!decision.emit) return nothing(`not a new subscription: ${decision.why}`);
  const events: OutgoingEvent[] = [
    { detailType: "Subscription Provisioned", detail: decision.detail },
  ];
  await deps.publish(events);
  return { emitted: events, note: "new subscription recorded" };
}
