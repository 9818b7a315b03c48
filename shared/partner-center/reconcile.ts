/**
 * Catches up on what webhooks missed (late by up to 48 h, dropped after 10 failed deliveries):
 * for each of the partner's transfers in progress, one read of the customer (the relationship
 * exists: an invited transfer is accepted) and one of its subscriptions, every page of it (new
 * active ones created at or after the `sentAt` of the invitation that defines the transfer are
 * provisioned). Two Partner Center requests per transfer when the list fits one page, one when
 * the customer has not accepted yet.
 */
import { mapLimited } from "../concurrency.js";
import type { OutgoingEvent } from "../tracker/event-publisher.js";
import { PartnerCenterError } from "./api-errors.js";
import { assertBelongs, provisionedFrom } from "./mapping.js";
import type { ConnectorDeps } from "./processor.js";
import type { TransferFacts } from "./transfer-facts.js";

export type ReconcileResult = {
  transfers: number;
  emitted: number;
  /** Customer tenants read through Graph (SPEC section 10) and those that could not be. */
  tenantsRead: number;
  tenantsUnreadable: number;
};

export class ReconcileError extends Error {
  override readonly name = "ReconcileError";
  constructor(
    message: string,
    readonly result: ReconcileResult,
  ) {
    super(message);
  }
}

const PARALLEL = 4;

export async function reconcile(
  deps: ConnectorDeps,
  options: { now?: string; onProgress?: (done: number, total: number) => void } = {},
): Promise<ReconcileResult> {
  const now = options.now ?? new Date().toISOString();
  const customers = await deps.transfers.inProgress(deps.partnerId);
  let emitted = 0;
  let done = 0;
  const tenants = { read: 0, unreadable: 0 };
  const failures: string[] = [];
  await mapLimited(customers, PARALLEL, async (customerId) => {
    try {
      const events = await reconcileOne(deps, customerId, now, tenants);
      if (events.length > 0) await deps.publish(events);
      emitted += events.length;
    } catch (error) {
      // Credentials refused: every other transfer would fail the same way.
      if (error instanceof PartnerCenterError && (error.status === 401 || error.status === 403)) {
        throw error;
      }
      failures.push(`${customerId}: ${(error as Error).message}`);
    }
    options.onProgress?.(++done, customers.length);
  });
  const result = {
    transfers: customers.length,
    emitted,
    tenantsRead: tenants.read,
    tenantsUnreadable: tenants.unreadable,
  };
  if (failures.length > 0) {
    throw new ReconcileError(
      `${failures.length} of ${customers.length} transfer(s) could not be reconciled (${emitted} event(s) emitted): ${failures.slice(0, 3).join("; ")}`,
      result,
    );
  }
  return result;
}

async function reconcileOne(
  deps: ConnectorDeps,
  customerId: string,
  now: string,
  tenants: { read: number; unreadable: number },
): Promise<OutgoingEvent[]> {
  const facts = await deps.transfers.get(deps.partnerId, customerId);
  if (!facts) return [];
  // The customer's tenant through Graph (shared/tenant): read or not, the rest goes on.
  const tenant = await deps.tenant?.({ ...facts, partnerId: deps.partnerId }, now);
  if (tenant?.kind === "read") tenants.read++;
  if (tenant?.kind === "unreadable") tenants.unreadable++;
  const tenantEvents = tenant?.kind === "read" ? tenant.events : [];
  const customer = await deps.client.getCustomer(customerId);
  // No relationship (yet): nothing can have been provisioned for this customer either.
  if (!customer) return tenantEvents;
  const events: OutgoingEvent[] = [...tenantEvents];
  if (facts.status === "INVITED") {
    events.push({
      detailType: "Invitation Accepted",
      detail: { partnerId: deps.partnerId, customerTenantId: customerId, acceptedAt: now },
    });
  }
  events.push(...(await newSubscriptions(deps, customerId, facts)));
  return events;
}

/**
 * `Subscription Provisioned` for the customer's subscriptions (every page) that are new to the
 * transfer and were created since it was invited.
 */
async function newSubscriptions(
  deps: ConnectorDeps,
  customerId: string,
  facts: TransferFacts,
): Promise<OutgoingEvent[]> {
  const subscriptions = (await deps.client.listSubscriptions(customerId)) ?? [];
  const events: OutgoingEvent[] = [];
  for (const subscription of subscriptions) {
    assertBelongs(subscription, customerId);
    const decision = provisionedFrom(deps.partnerId, facts, subscription, {
      createdOnOrAfter: invitedSince(facts),
    });
    if (decision.emit)
      events.push({ detailType: "Subscription Provisioned", detail: decision.detail });
  }
  return events;
}

/**
 * Since when a subscription counts as new: the `sentAt` of the invitation that defines the
 * transfer (the latest `sentAt`, SPEC section 2) — never the time its event was published,
 * which can be days later and would skip real replacements.
 */
export function invitedSince(facts: TransferFacts): string | null {
  return facts.invitationSentAt;
}
