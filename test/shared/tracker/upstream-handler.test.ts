import { Logger } from "@aws-lambda-powertools/logger";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { EventBridgeEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  DETAIL_TYPES,
  EventValidationError,
  parseUpstreamEvent,
} from "../../../shared/events/index.js";
import { readTransferView } from "../../../shared/store/transfer-read.js";
import { TransferStore } from "../../../shared/store/transfer-store.js";
import { EventPublisher, PublishError } from "../../../shared/tracker/event-publisher.js";
import { createUpstreamHandler } from "../../../shared/tracker/upstream-handler.js";
import { freshTable } from "../../support/dynamo.js";
import { accepted, invitationSent, newTransferKey } from "../../support/events.js";

const asLambdaEvent = (raw: unknown) => raw as EventBridgeEvent<string, unknown>;
let store: TransferStore;
const eventBridge = new EventBridgeClient({
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
});
// EventBridge itself is out of reach here: only its failure answers are simulated.
const bridge = mockClient(eventBridge);
const logger = new Logger({ logLevel: "ERROR" });

function handler(detailType: Parameters<typeof createUpstreamHandler>[0]) {
  return createUpstreamHandler(detailType, {
    store,
    publisher: new EventPublisher(eventBridge, "test-bus"),
    logger,
  });
}

beforeAll(async () => {
  const { db, tableName } = await freshTable("handler");
  store = new TransferStore(db, tableName, [60, 30, 14, 7, 1]);
});
afterEach(() => bridge.reset());

describe("upstream handler", () => {
  it("rejects an invalid event with a non-retryable error naming the field, storing nothing", async () => {
    const key = newTransferKey("invalid");
    const raw = invitationSent({ ...key, customerCountry: "XX" });

    const failure = await handler(DETAIL_TYPES.invitationSent)(asLambdaEvent(raw)).catch((e) => e);

    expect(failure).toBeInstanceOf(EventValidationError);
    expect(failure.retryable).toBe(false);
    expect(failure.message).toContain("detail.customerCountry");
    expect(await readTransferView(store.db, store.tableName, key)).toBeNull();
    expect(bridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it("rejects an event delivered to the handler of another detail-type", async () => {
    const key = newTransferKey("misrouted");

    const failure = await handler(DETAIL_TYPES.invitationAccepted)(
      asLambdaEvent(invitationSent({ ...key })),
    ).catch((e) => e);

    expect(failure).toBeInstanceOf(EventValidationError);
    expect(await readTransferView(store.db, store.tableName, key)).toBeNull();
  });

  it("publishes Transfer Status Changed when the status moves", async () => {
    bridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] });
    const key = newTransferKey("publish");

    await handler(DETAIL_TYPES.invitationSent)(asLambdaEvent(invitationSent({ ...key })));

    const entries = bridge.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      EventBusName: "test-bus",
      Source: "csp.transfers.tracker",
      DetailType: "Transfer Status Changed",
    });
    expect(JSON.parse(entries[0]?.Detail ?? "{}")).toMatchObject({
      ...key,
      from: "PENDING_INVITATION",
      to: "INVITED",
    });
  });

  it("when EventBridge keeps failing the entry, throws a retryable error; the redelivery publishes it", async () => {
    const key = newTransferKey("failed-entry");
    await store.apply(parseUpstreamEvent(invitationSent({ ...key })));
    const acceptance = accepted({ ...key });
    bridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: "InternalFailure", ErrorMessage: "try again" }],
    });

    const failure = await handler(DETAIL_TYPES.invitationAccepted)(asLambdaEvent(acceptance)).catch(
      (e) => e,
    );
    expect(failure).toBeInstanceOf(PublishError);
    expect(failure.retryable).toBe(true);
    expect((await readTransferView(store.db, store.tableName, key))?.status).toBe("ACCEPTED");

    bridge.reset();
    bridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e-2" }] });
    const outcome = await handler(DETAIL_TYPES.invitationAccepted)(asLambdaEvent(acceptance));

    expect(outcome.kind).toBe("duplicate");
    const entries = bridge.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries);
    expect(JSON.parse(entries[0]?.Detail ?? "{}")).toMatchObject({
      from: "INVITED",
      to: "ACCEPTED",
    });
  });
});
