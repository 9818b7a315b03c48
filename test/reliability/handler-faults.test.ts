/**
 * Faults at every step of every upstream handler: a DynamoDB read or transaction, or the
 * EventBridge publish, fails by throttling, timeout or service error, before the request reaches
 * the service or after it was applied (answer lost). The runtime redelivers as Lambda does
 * (retries, then a dead-letter queue that is redriven). Every view must end equal to the pure
 * function of the events, and every status change must have been published at least once.
 */

import { Logger } from "@aws-lambda-powertools/logger";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { EventBridgeEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeAll, describe, expect, it } from "vitest";
import { transferView } from "../../shared/domain/view.js";
import { parseUpstreamEvent, type UpstreamDetailType } from "../../shared/events/index.js";
import { documentClient } from "../../shared/store/clients.js";
import { readTransferView } from "../../shared/store/transfer-read.js";
import { TransferStore } from "../../shared/store/transfer-store.js";
import { EventPublisher } from "../../shared/tracker/event-publisher.js";
import { createUpstreamHandler } from "../../shared/tracker/upstream-handler.js";
import { freshTable, localDynamoConfig } from "../support/dynamo.js";
import {
  accepted,
  ended,
  invitationSent,
  newTransferKey,
  original,
  provisioned,
  type RawEnvelope,
  updated,
} from "../support/events.js";
import {
  FaultInjector,
  type FaultKind,
  type FaultTiming,
  faultError,
  type FaultInjector as Injector,
} from "../support/fault-injector.js";

const LAMBDA_ATTEMPTS = 3;
const KINDS: FaultKind[] = ["throttling", "timeout", "service"];
const TIMINGS: FaultTiming[] = ["before", "after"];
const STEPS = ["BatchGetItemCommand", "TransactWriteItemsCommand", "PutEventsCommand"] as const;

let injector: Injector;
let store: TransferStore;
const eventBridge = new EventBridgeClient({
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
});
const bridge = mockClient(eventBridge);
const published: { from: string; to: string }[] = [];
let putEventsArmed: { nth: number; kind: FaultKind; timing: FaultTiming } | undefined;
let putEventsCalls = 0;

beforeAll(async () => {
  const { tableName } = await freshTable("faults");
  const db = documentClient(localDynamoConfig());
  injector = new FaultInjector().attach(db);
  store = new TransferStore(db, tableName, [60, 30, 14, 7, 1]);
  bridge.on(PutEventsCommand).callsFake((input: { Entries: { Detail: string }[] }) => {
    putEventsCalls++;
    const armed = putEventsArmed;
    const hit = armed && armed.nth === putEventsCalls;
    if (hit && armed.timing === "before") throw faultError(armed.kind);
    for (const entry of input.Entries) published.push(JSON.parse(entry.Detail));
    if (hit && armed.timing === "after") throw faultError(armed.kind);
    return { FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `id-${i}` })) };
  });
});

const handlers = new Map<UpstreamDetailType, ReturnType<typeof createUpstreamHandler>>();
function handlerFor(detailType: UpstreamDetailType) {
  let handler = handlers.get(detailType);
  if (!handler) {
    handler = createUpstreamHandler(detailType, {
      store,
      publisher: new EventPublisher(eventBridge, "bus"),
      logger: new Logger({ logLevel: "CRITICAL" as "ERROR" }),
    });
    handlers.set(detailType, handler);
  }
  return handler;
}

function transferEvents(key: { partnerId: string; customerTenantId: string }): RawEnvelope[] {
  const originals = [
    original({ subscriptionId: "o-1", offerId: "offer-a" }),
    original({ subscriptionId: "o-2", offerId: "offer-b", autoRenewEnabled: true }),
  ];
  return [
    invitationSent({ ...key, subscriptions: originals }),
    accepted({ ...key }),
    provisioned({ ...key, subscriptionId: "n-1", offerId: "offer-a" }),
    updated({ ...key, subscriptionId: "o-2", autoRenewEnabled: false }),
    provisioned({ ...key, subscriptionId: "n-2", offerId: "offer-b", quantity: 12 }),
    ended({ ...key, subscriptionId: "o-1" }),
    ended({ ...key, subscriptionId: "o-2", reason: "cancelled", endedAt: "2026-05-01T00:00:00Z" }),
  ] as RawEnvelope[];
}

/** Delivers like Lambda's async invoke: up to 3 attempts, then the dead-letter queue. */
async function deliver(raw: RawEnvelope, deadLetters: RawEnvelope[]): Promise<void> {
  const handler = handlerFor(raw["detail-type"] as UpstreamDetailType);
  for (let attempt = 1; attempt <= LAMBDA_ATTEMPTS; attempt++) {
    try {
      await handler(raw as unknown as EventBridgeEvent<string, unknown>);
      return;
    } catch (error) {
      if ((error as { retryable?: boolean }).retryable === false) throw error;
      if (attempt === LAMBDA_ATTEMPTS) deadLetters.push(raw);
    }
  }
}

/** The status transitions the oracle goes through as the events arrive in this order. */
function expectedTransitions(raws: RawEnvelope[]) {
  const events = raws.map(parseUpstreamEvent);
  const transitions: { from: string; to: string }[] = [];
  let previous = "PENDING_INVITATION";
  for (let i = 1; i <= events.length; i++) {
    const status = transferView(events.slice(0, i)).status;
    if (status !== previous) transitions.push({ from: previous, to: status });
    previous = status;
  }
  return transitions;
}

const scenarios = STEPS.flatMap((step) =>
  KINDS.flatMap((kind) =>
    TIMINGS.flatMap((timing) =>
      [0, 1, 2, 5, 6].map((position) => ({ step, kind, timing, position })),
    ),
  ),
);

// The last test counts what the scenarios before it injected: they run in order even when the run shuffles.
describe("upstream handlers under injected faults", { shuffle: false }, () => {
  it.each(scenarios)(
    "$step $kind ($timing) on event #$position: converges and publishes every status change",
    async ({ step, kind, timing, position }) => {
      // Prepare
      const key = newTransferKey("fault");
      const raws = transferEvents(key);
      const deadLetters: RawEnvelope[] = [];
      published.length = 0;
      // Act
      for (const [index, raw] of raws.entries()) {
        const armed = index === position;
        if (step === "PutEventsCommand") {
          putEventsCalls = 0;
          putEventsArmed = armed ? { nth: 1, kind, timing } : undefined;
          injector.arm(undefined);
        } else {
          putEventsArmed = undefined;
          injector.arm(armed ? { command: step, nth: 1, kind, timing } : undefined);
        }
        await deliver(raw, deadLetters);
      }
      injector.arm(undefined);
      putEventsArmed = undefined;
      for (const raw of deadLetters.splice(0)) await deliver(raw, deadLetters);
      // Assess
      expect(deadLetters).toEqual([]);
      const view = await readTransferView(store.db, store.tableName, key);
      expect(view).toEqual(transferView(raws.map(parseUpstreamEvent)));
      const seen = published.filter(
        (p) => (p as unknown as { partnerId: string }).partnerId === key.partnerId,
      );
      for (const transition of expectedTransitions(raws)) {
        expect(seen).toContainEqual(expect.objectContaining(transition));
      }
    },
  );

  it("injects every planned fault (the matrix is not vacuous)", () => {
    const fromDynamo = scenarios.filter((s) => s.step !== "PutEventsCommand").length;
    expect(injector.injected).toBeGreaterThanOrEqual(fromDynamo);
  });
});
