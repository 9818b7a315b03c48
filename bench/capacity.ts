/**
 * Capacity benchmark: the write and read request units DynamoDB reports (ReturnConsumedCapacity
 * TOTAL) per upstream event in the steady state, per detail-type, for a transfer with 3 and with
 * 100 originals. On-demand tables bill exactly these units, so the monthly cost in the README is
 * computed from them.
 */

import { randomUUID } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { EventBridgeEvent } from "aws-lambda";
import { DEFAULT_REMINDER_THRESHOLDS } from "../shared/config/thresholds.js";
import {
  DETAIL_TYPES,
  UPSTREAM_DETAIL_TYPES,
  type UpstreamDetailType,
} from "../shared/events/registry.js";
import { documentClient } from "../shared/store/clients.js";
import { TransferStore } from "../shared/store/transfer-store.js";
import { EventPublisher } from "../shared/tracker/event-publisher.js";
import { createUpstreamHandler } from "../shared/tracker/upstream-handler.js";
import { envelope } from "../test/support/events.js";
import type { BenchDynamo } from "./harness.js";
import { progress } from "./harness.js";

const THRESHOLDS = DEFAULT_REMINDER_THRESHOLDS.split(",").map(Number);
const READS = new Set(["GetItemCommand", "BatchGetItemCommand", "QueryCommand", "ScanCommand"]);

/** Steady state per detail-type (an event applied to an existing transfer), their maximum,
 * and `create`: the first invitation, which creates the transfer and its original items. */
export type UnitsByType = Record<UpstreamDetailType, number> & { max: number; create: number };

export type CapacityFigures = {
  wruPerEvent: { originals3: UnitsByType; originals100: UnitsByType };
  rruPerEvent: { originals3: UnitsByType; originals100: UnitsByType };
  /** USD of request units for 1,000 transfers whose whole lifecycle falls in one month. */
  monthlyCostPer1000Transfers: { originals3: number; originals100: number };
};

/** DynamoDB on-demand, us-east-1, Standard table class (published prices since Nov 2024). */
export const PRICES = { perMillionWru: 0.625, perMillionRru: 0.125 } as const;

/**
 * The events of one transfer with `n` originals over its life: the invitation, the acceptance,
 * and per original one replacement provisioned, one update (auto-renew turned off) and its end.
 */
export const lifecycleEvents = (n: number): Record<UpstreamDetailType, number> => ({
  "Invitation Sent": 1,
  "Invitation Accepted": 1,
  "Subscription Provisioned": n,
  "Original Subscription Updated": n,
  "Original Subscription Ended": n,
  // Reads of the customer's tenant are emitted only when what they show changed.
  "Tenant Observed": 0,
});

function monthlyCost(n: number, wru: UnitsByType, rru: UnitsByType): number {
  // The first invitation creates the transfer; every other event meets an existing one.
  let writes = wru.create - wru["Invitation Sent"];
  let reads = rru.create - rru["Invitation Sent"];
  for (const [type, count] of Object.entries(lifecycleEvents(n)) as [
    UpstreamDetailType,
    number,
  ][]) {
    // A type the lifecycle does not see was not measured either (Tenant Observed).
    if (count === 0) continue;
    writes += count * wru[type];
    reads += count * rru[type];
  }
  const usd = (1_000 * (writes * PRICES.perMillionWru + reads * PRICES.perMillionRru)) / 1e6;
  return Math.round(usd * 1_000) / 1_000;
}

/** A document client that asks for, and adds up, the capacity every request consumed. */
function meteredClient(config: BenchDynamo["clientConfig"]) {
  const db: DynamoDBDocumentClient = documentClient(config);
  const units = { read: 0, write: 0 };
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = "TOTAL";
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as {
        CapacityUnits?: number;
      }[];
      const total = list.reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
      if (READS.has(String(context.commandName))) units.read += total;
      else units.write += total;
      return result;
    },
    { step: "initialize", name: "benchCapacityMeter" },
  );
  return {
    db,
    take: () => {
      const taken = { ...units };
      units.read = 0;
      units.write = 0;
      return taken;
    },
  };
}

/** A transfer's lifecycle with GUID ids: create, then one steady-state event of each type. */
function lifecycle(originals: number): [UpstreamDetailType, EventBridgeEvent<string, unknown>][] {
  const key = { partnerId: randomUUID(), customerTenantId: randomUUID() };
  const subscriptions = Array.from({ length: originals }, (_, i) => ({
    subscriptionId: randomUUID(),
    offerId: `CFQ7TTC0LH${String(10 + (i % 12)).padStart(2, "0")}:0001`,
    offerName: "Microsoft 365 Business Standard",
    quantity: 10 + (i % 40),
    commitmentEndDate: new Date(Date.UTC(2027, 2, 1 + (i % 28))).toISOString(),
    autoRenewEnabled: i % 2 === 1,
    termDuration: "P1Y",
  }));
  const first = subscriptions[0];
  const second = subscriptions[1] ?? first;
  if (!first || !second) throw new Error("a lifecycle needs an original");
  const invite = (sentAt: string) =>
    envelope(
      DETAIL_TYPES.invitationSent,
      {
        ...key,
        partnerCountry: "DE",
        partnerEmail: "partner@example.com",
        customerName: "Contoso Pharma GmbH",
        customerCountry: "DE",
        sentAt,
        subscriptions,
      },
      sentAt,
    );
  const at = (day: number) => `2026-10-${String(day).padStart(2, "0")}T08:00:00Z`;
  return [
    [DETAIL_TYPES.invitationSent, invite(at(1))],
    [DETAIL_TYPES.invitationSent, invite(at(2))],
    [
      DETAIL_TYPES.invitationAccepted,
      envelope(DETAIL_TYPES.invitationAccepted, { ...key, acceptedAt: at(3) }, at(3)),
    ],
    [
      DETAIL_TYPES.subscriptionProvisioned,
      envelope(
        DETAIL_TYPES.subscriptionProvisioned,
        {
          ...key,
          subscriptionId: randomUUID(),
          offerId: first.offerId,
          quantity: first.quantity,
          provisionedAt: at(4),
          replacesSubscriptionId: first.subscriptionId,
        },
        at(4),
      ),
    ],
    [
      DETAIL_TYPES.originalSubscriptionUpdated,
      envelope(
        DETAIL_TYPES.originalSubscriptionUpdated,
        {
          ...key,
          subscriptionId: second.subscriptionId,
          updatedAt: at(5),
          autoRenewEnabled: false,
        },
        at(5),
      ),
    ],
    [
      DETAIL_TYPES.originalSubscriptionEnded,
      envelope(
        DETAIL_TYPES.originalSubscriptionEnded,
        { ...key, subscriptionId: first.subscriptionId, endedAt: at(6), reason: "expired" },
        at(6),
      ),
    ],
  ];
}

async function measure(
  bench: BenchDynamo,
  eventsEndpoint: string,
  originals: number,
  transfers: number,
): Promise<{ wru: UnitsByType; rru: UnitsByType }> {
  const tableName = await bench.newTable(`bench-capacity-${originals}`);
  const metered = meteredClient(bench.clientConfig);
  const store = new TransferStore(metered.db, tableName, THRESHOLDS);
  const publisher = new EventPublisher(
    new EventBridgeClient({ ...bench.clientConfig, endpoint: eventsEndpoint }),
    "bench-bus",
  );
  const logger = new Logger({ logLevel: "ERROR" });
  const handlers = Object.fromEntries(
    UPSTREAM_DETAIL_TYPES.map((dt) => [
      dt,
      createUpstreamHandler(dt, { store, publisher, logger }),
    ]),
  ) as Record<UpstreamDetailType, ReturnType<typeof createUpstreamHandler>>;
  const sums = new Map<UpstreamDetailType, { read: number; write: number; events: number }>();
  const created = { read: 0, write: 0 };
  for (let n = 0; n < transfers; n++) {
    for (const [index, [detailType, event]] of lifecycle(originals).entries()) {
      metered.take();
      await handlers[detailType](event);
      const units = metered.take();
      if (index === 0) {
        created.read += units.read / transfers;
        created.write += units.write / transfers;
        continue;
      }
      const sum = sums.get(detailType) ?? { read: 0, write: 0, events: 0 };
      sums.set(detailType, {
        read: sum.read + units.read,
        write: sum.write + units.write,
        events: sum.events + 1,
      });
    }
  }
  const per = (pick: "read" | "write") => {
    const byType = Object.fromEntries(
      [...sums].map(([dt, s]) => [dt, Math.round((s[pick] / s.events) * 10) / 10]),
    ) as Record<UpstreamDetailType, number>;
    const create = Math.round(created[pick] * 10) / 10;
    return { ...byType, max: Math.max(...Object.values(byType)), create };
  };
  return { wru: per("write"), rru: per("read") };
}

export async function benchCapacity(
  bench: BenchDynamo,
  eventsEndpoint: string,
): Promise<CapacityFigures> {
  progress("capacity: request units per event, transfers with 3 and with 100 originals");
  const small = await measure(bench, eventsEndpoint, 3, 30);
  const large = await measure(bench, eventsEndpoint, 100, 10);
  return {
    wruPerEvent: { originals3: small.wru, originals100: large.wru },
    rruPerEvent: { originals3: small.rru, originals100: large.rru },
    monthlyCostPer1000Transfers: {
      originals3: monthlyCost(3, small.wru, small.rru),
      originals100: monthlyCost(100, large.wru, large.rru),
    },
  };
}
