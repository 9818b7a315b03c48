/**
 * Burst benchmark: one transfer with 500 originals receives 500 `Subscription Provisioned` events
 * at once, delivered concurrently to 32 simulated Lambda instances, each with its own SDK
 * clients, store and handler (as EventBridge fans a burst out over many instances). A failed
 * delivery is retried like Lambda's asynchronous invocation (3 attempts), then dead-lettered.
 */
import { randomUUID } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { EventBridgeEvent } from "aws-lambda";
import { DEFAULT_REMINDER_THRESHOLDS } from "../shared/config/thresholds.js";
import { DETAIL_TYPES } from "../shared/events/registry.js";
import { documentClient } from "../shared/store/clients.js";
import { TransferStore } from "../shared/store/transfer-store.js";
import { EventPublisher } from "../shared/tracker/event-publisher.js";
import { createUpstreamHandler } from "../shared/tracker/upstream-handler.js";
import { envelope } from "../test/support/events.js";
import type { BenchDynamo } from "./harness.js";
import { progress } from "./harness.js";

const THRESHOLDS = DEFAULT_REMINDER_THRESHOLDS.split(",").map(Number);
export const BURST_ORIGINALS = 500;
export const BURST_INSTANCES = 32;
const LAMBDA_ATTEMPTS = 3;

export type BurstFigures = {
  burstApplied: number;
  burstDeadLettered: number;
  burstMaxDeliveryMs: number;
  burstSeconds: number;
};

type Envelope = EventBridgeEvent<string, unknown>;

/** An invitation listing `originals` GUID-named originals, and one replacement for each. */
export function burstPlan(originals: number): { invitation: Envelope; burst: Envelope[] } {
  const key = { partnerId: randomUUID(), customerTenantId: randomUUID() };
  const subscriptions = Array.from({ length: originals }, (_, i) => ({
    subscriptionId: randomUUID(),
    offerId: `offer-${i % 25}`,
    offerName: `Microsoft 365 E3 variant ${i % 25}`,
    quantity: 1 + (i % 50),
    commitmentEndDate: new Date(Date.UTC(2027, 0, 1 + (i % 300))).toISOString(),
    autoRenewEnabled: i % 3 === 0,
    termDuration: "P1Y",
  }));
  const sentAt = "2026-10-01T08:00:00Z";
  const invitation = envelope(
    DETAIL_TYPES.invitationSent,
    {
      ...key,
      partnerCountry: "DE",
      partnerEmail: "partner@example.com",
      customerName: "Burst Customer GmbH",
      customerCountry: "DE",
      sentAt,
      subscriptions,
    },
    sentAt,
  );
  const burst = subscriptions.map((s, i) => {
    const provisionedAt = new Date(Date.UTC(2026, 9, 2, 8, 0, i)).toISOString();
    return envelope(
      DETAIL_TYPES.subscriptionProvisioned,
      {
        ...key,
        subscriptionId: randomUUID(),
        offerId: s.offerId,
        quantity: s.quantity,
        provisionedAt,
        replacesSubscriptionId: s.subscriptionId,
      },
      provisionedAt,
    );
  });
  return { invitation, burst };
}

/** One simulated Lambda instance: its own clients, store and handlers, as in a fresh sandbox. */
function instance(bench: BenchDynamo, tableName: string, eventsEndpoint: string) {
  const store = new TransferStore(documentClient(bench.clientConfig), tableName, THRESHOLDS);
  const publisher = new EventPublisher(
    new EventBridgeClient({ ...bench.clientConfig, endpoint: eventsEndpoint }),
    "bench-bus",
  );
  const logger = new Logger({ logLevel: "CRITICAL" as "ERROR" });
  const deps = { store, publisher, logger };
  return {
    invitationSent: createUpstreamHandler(DETAIL_TYPES.invitationSent, deps),
    subscriptionProvisioned: createUpstreamHandler(DETAIL_TYPES.subscriptionProvisioned, deps),
  };
}

export async function benchBurst(
  bench: BenchDynamo,
  eventsEndpoint: string,
  originals = BURST_ORIGINALS,
  instances = BURST_INSTANCES,
): Promise<BurstFigures> {
  const tableName = await bench.newTable("bench-burst");
  const { invitation, burst } = burstPlan(originals);
  const fleet = Array.from({ length: instances }, () => instance(bench, tableName, eventsEndpoint));
  await fleet[0]?.invitationSent(invitation);

  progress(`burst: ${burst.length} events for one transfer over ${instances} instances`);
  const queue = burst.map((event) => ({ event, attempts: 0 }));
  let applied = 0;
  let deadLettered = 0;
  let maxDeliveryMs = 0;
  const started = performance.now();
  await Promise.all(
    fleet.map(async (handlers) => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        job.attempts += 1;
        const began = performance.now();
        try {
          await handlers.subscriptionProvisioned(job.event);
          applied += 1;
        } catch (error) {
          const retryable = (error as { retryable?: boolean }).retryable !== false;
          if (retryable && job.attempts < LAMBDA_ATTEMPTS) queue.push(job);
          else deadLettered += 1;
        } finally {
          maxDeliveryMs = Math.max(maxDeliveryMs, performance.now() - began);
        }
      }
    }),
  );
  return {
    burstApplied: applied,
    burstDeadLettered: deadLettered,
    burstMaxDeliveryMs: Math.round(maxDeliveryMs),
    burstSeconds: Math.round((performance.now() - started) / 100) / 10,
  };
}
