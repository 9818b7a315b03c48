/**
 * Security review: at INFO the handlers log ids and outcomes, never an email address or a
 * customer's name, even for an event that is refused.
 */

import { Logger } from "@aws-lambda-powertools/logger";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { EventBridgeEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DETAIL_TYPES } from "../../shared/events/index.js";
import { TransferStore } from "../../shared/store/transfer-store.js";
import { EventPublisher } from "../../shared/tracker/event-publisher.js";
import { createUpstreamHandler } from "../../shared/tracker/upstream-handler.js";
import { freshTable } from "../support/dynamo.js";
import { invitationSent, newTransferKey } from "../support/events.js";

const EMAIL = "secret.partner@contoso.example";
const CUSTOMER = "Very Private Customer GmbH";
let store: TransferStore;
const eventBridge = new EventBridgeClient({
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
});
mockClient(eventBridge)
  .on(PutEventsCommand)
  .resolves({ FailedEntryCount: 0, Entries: [{ EventId: "x" }] });

beforeAll(async () => {
  const { db, tableName } = await freshTable("privacy");
  store = new TransferStore(db, tableName, [60, 30, 14, 7, 1]);
});
afterEach(() => vi.restoreAllMocks());

function captureLogs(): () => string {
  const lines: string[] = [];
  const capture = (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(capture);
  vi.spyOn(process.stderr, "write").mockImplementation(capture);
  return () => lines.join("");
}

describe("logs at INFO", () => {
  const handler = () =>
    createUpstreamHandler(DETAIL_TYPES.invitationSent, {
      store,
      publisher: new EventPublisher(eventBridge, "bus"),
      logger: new Logger({ serviceName: "privacy-test", logLevel: "INFO" }),
    });

  it("carry the event id and transfer key but no email address or customer name", async () => {
    const key = newTransferKey("privacy");
    const raw = invitationSent({ ...key, partnerEmail: EMAIL, customerName: CUSTOMER });
    const logs = captureLogs();

    await handler()(raw as unknown as EventBridgeEvent<string, unknown>);

    const output = logs();
    vi.restoreAllMocks();
    expect(output).toContain(raw.id);
    expect(output).toContain(key.partnerId);
    expect(output).not.toContain(EMAIL);
    expect(output).not.toContain(CUSTOMER);
  });

  it("stay free of them when an event is refused", async () => {
    const key = newTransferKey("privacy-bad");
    const raw = invitationSent({
      ...key,
      partnerEmail: EMAIL,
      customerName: CUSTOMER,
      customerCountry: "XX",
    });
    const logs = captureLogs();

    await handler()(raw as unknown as EventBridgeEvent<string, unknown>).catch(() => undefined);

    const output = logs();
    vi.restoreAllMocks();
    expect(output).toContain("customerCountry");
    expect(output).not.toContain(EMAIL);
    expect(output).not.toContain(CUSTOMER);
  });
});
