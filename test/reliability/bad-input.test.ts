/**
 * Hostile events delivered to the upstream handlers: each is refused with a clear,
 * non-retryable error naming the field, and changes nothing in the table. Events that only look
 * odd (extra fields, HTML in a name) are valid and are applied.
 */

import { Logger } from "@aws-lambda-powertools/logger";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { paginateScan } from "@aws-sdk/lib-dynamodb";
import type { EventBridgeEvent } from "aws-lambda";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  EventValidationError,
  parseUpstreamEvent,
  UPSTREAM_DETAIL_TYPES,
  type UpstreamDetailType,
} from "../../shared/events/index.js";
import { readTransferView } from "../../shared/store/transfer-read.js";
import { TransferStore } from "../../shared/store/transfer-store.js";
import { EventPublisher } from "../../shared/tracker/event-publisher.js";
import { createUpstreamHandler } from "../../shared/tracker/upstream-handler.js";
import { freshTable } from "../support/dynamo.js";
import { invitationSent, newTransferKey } from "../support/events.js";
import { eventMutation, hostileEventCorpus, mutatedEvent } from "../support/hostile-events.js";

let db: Awaited<ReturnType<typeof freshTable>>["db"];
let tableName: string;
let store: TransferStore;
// Nothing invalid may reach EventBridge: its endpoint is a closed port, so a publish would fail.
const closedBridge = new EventBridgeClient({
  region: "us-east-1",
  endpoint: "http://127.0.0.1:9",
  maxAttempts: 1,
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
});

beforeAll(async () => {
  ({ db, tableName } = await freshTable("bad-input"));
  store = new TransferStore(db, tableName, [60, 30, 14, 7, 1]);
});

function handle(raw: unknown) {
  const detailType = (raw as { "detail-type"?: unknown })?.["detail-type"];
  const target = (UPSTREAM_DETAIL_TYPES as readonly unknown[]).includes(detailType)
    ? (detailType as UpstreamDetailType)
    : "Invitation Sent";
  const handler = createUpstreamHandler(target, {
    store,
    publisher: new EventPublisher(closedBridge, "bus"),
    logger: new Logger({ logLevel: "ERROR" }),
  });
  return handler(raw as EventBridgeEvent<string, unknown>);
}

async function itemCount(): Promise<number> {
  let count = 0;
  const pages = paginateScan({ client: db }, { TableName: tableName, Select: "COUNT" });
  for await (const page of pages) count += page.Count ?? 0;
  return count;
}

const key = newTransferKey("hostile");
const CORPUS = hostileEventCorpus(key);

describe("hostile events", () => {
  it.each(CORPUS)("$name: refused, naming $field, nothing stored", async ({ raw, field }) => {
    const before = await itemCount();

    const failure = await handle(raw).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(EventValidationError);
    const error = failure as EventValidationError;
    expect(error.retryable).toBe(false);
    expect(error.issues.map((i) => i.field)).toContain(field);
    expect(error.message.length).toBeLessThan(2_000);
    expect(await itemCount()).toBe(before);
  });

  it("applies odd but valid events: extra fields ignored, HTML kept as text", async () => {
    const odd = newTransferKey("odd");
    const raw = invitationSent({
      ...odd,
      customerName: '<script>alert("x")</script> & Sons',
      extra: { nested: true },
    } as Record<string, unknown>);

    await store.apply(parseUpstreamEvent(raw));

    const view = await readTransferView(store.db, store.tableName, odd);
    expect(view?.customerName).toBe('<script>alert("x")</script> & Sons');
  });

  it("a fuzzer's mutations of valid events are either valid or refused cleanly, never half-applied", async () => {
    await fc.assert(
      fc.asyncProperty(eventMutation, async (mutation) => {
        const raw = mutatedEvent(mutation, newTransferKey("fuzz"));
        const before = await itemCount();
        const outcome = await handle(raw).then(
          () => "applied" as const,
          (e: unknown) => e,
        );
        if (outcome === "applied") {
          expect(await itemCount()).toBeGreaterThan(before);
          return;
        }
        // The only acceptable failure for a valid event is the publish to the closed endpoint.
        if (!(outcome instanceof EventValidationError)) {
          expect(String(outcome)).toMatch(/ECONNREFUSED|connect|PublishError/i);
          return;
        }
        expect(outcome.issues.length).toBeGreaterThan(0);
        expect(await itemCount()).toBe(before);
      }),
      { numRuns: 150 },
    );
  });
});
