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
import { TransferStore } from "../../shared/store/transfer-store.js";
import { EventPublisher } from "../../shared/tracker/event-publisher.js";
import { createUpstreamHandler } from "../../shared/tracker/upstream-handler.js";
import { freshTable } from "../support/dynamo.js";
import {
  accepted,
  ended,
  invitationSent,
  newTransferKey,
  original,
  provisioned,
  type RawEnvelope,
  UPSTREAM_BUILDERS,
  updated,
} from "../support/events.js";

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
const withDetail = (raw: RawEnvelope, detail: Record<string, unknown>) => ({
  ...raw,
  detail: { ...raw.detail, ...detail },
});
const without = (raw: RawEnvelope, field: string) => {
  const detail = { ...raw.detail };
  delete detail[field];
  return { ...raw, detail };
};
const invite = invitationSent({ ...key }) as RawEnvelope;

const CORPUS: { name: string; raw: unknown; field: string }[] = [
  {
    name: "detail that is a JSON string",
    raw: { ...invite, detail: '{"partnerId":' },
    field: "detail",
  },
  { name: "detail that is an array", raw: { ...invite, detail: [] }, field: "detail" },
  { name: "no envelope at all", raw: null, field: "(event)" },
  { name: "missing id", raw: { ...invite, id: undefined }, field: "id" },
  { name: "missing partnerId", raw: without(invite, "partnerId"), field: "detail.partnerId" },
  {
    name: "empty partnerId",
    raw: withDetail(invite, { partnerId: "" }),
    field: "detail.partnerId",
  },
  {
    name: "very long customerName",
    raw: withDetail(invite, { customerName: "x".repeat(100_000) }),
    field: "detail.customerName",
  },
  {
    name: "quantity as a string",
    raw: provisioned({ ...key, quantity: "10" as unknown as number }),
    field: "detail.quantity",
  },
  { name: "quantity 0", raw: provisioned({ ...key, quantity: 0 }), field: "detail.quantity" },
  {
    name: "negative quantity",
    raw: provisioned({ ...key, quantity: -3 }),
    field: "detail.quantity",
  },
  {
    name: "fractional quantity",
    raw: provisioned({ ...key, quantity: 1.5 }),
    field: "detail.quantity",
  },
  {
    name: "auto-renew as a string",
    raw: updated({ ...key, autoRenewEnabled: "yes" as unknown as boolean }),
    field: "detail.autoRenewEnabled",
  },
  {
    name: "impossible date",
    raw: accepted({ ...key, acceptedAt: "2026-02-30" }, { time: "2026-03-01T00:00:00Z" }),
    field: "detail.acceptedAt",
  },
  {
    name: "not a date",
    raw: accepted({ ...key, acceptedAt: "yesterday" }, { time: "2026-03-01T00:00:00Z" }),
    field: "detail.acceptedAt",
  },
  {
    name: "hour 25",
    raw: accepted({ ...key, acceptedAt: "2026-03-01T25:00:00Z" }, { time: "2026-03-01T00:00:00Z" }),
    field: "detail.acceptedAt",
  },
  {
    name: "unknown country",
    raw: withDetail(invite, { customerCountry: "XX" }),
    field: "detail.customerCountry",
  },
  {
    name: "three-letter country",
    raw: withDetail(invite, { partnerCountry: "GBR" }),
    field: "detail.partnerCountry",
  },
  {
    name: "501 subscriptions",
    raw: withDetail(invite, {
      subscriptions: Array.from({ length: 501 }, (_, i) => original({ subscriptionId: `s-${i}` })),
    }),
    field: "detail.subscriptions",
  },
  {
    name: "unknown end reason",
    raw: ended({ ...key, reason: "refunded" as "expired" }),
    field: "detail.reason",
  },
  {
    name: "unknown detail-type",
    raw: { ...invite, "detail-type": "Invitation Deleted" },
    field: "detail-type",
  },
  { name: "wrong source", raw: { ...invite, source: "someone.else" }, field: "source" },
  {
    name: "bad partner email",
    raw: withDetail(invite, { partnerEmail: "not-an-email" }),
    field: "detail.partnerEmail",
  },
  {
    name: "update with nothing to update",
    raw: without(without(updated({ ...key }) as RawEnvelope, "autoRenewEnabled"), "quantity"),
    field: "detail",
  },
];

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

    const view = await store.getView(odd);
    expect(view?.customerName).toBe('<script>alert("x")</script> & Sons');
  });

  it("a fuzzer's mutations of valid events are either valid or refused cleanly, never half-applied", async () => {
    const mutation = fc.record({
      type: fc.constantFrom(...UPSTREAM_DETAIL_TYPES),
      field: fc.constantFrom(
        "partnerId",
        "customerTenantId",
        "subscriptionId",
        "quantity",
        "sentAt",
        "acceptedAt",
        "provisionedAt",
        "updatedAt",
        "endedAt",
        "subscriptions",
        "partnerCountry",
        "partnerEmail",
        "reason",
        "commitmentEndDate",
      ),
      value: fc.oneof(
        fc.anything({ maxDepth: 2 }),
        fc.string({ maxLength: 2_000 }),
        fc.integer(),
        fc.double(),
        fc.constant(undefined),
      ),
    });
    await fc.assert(
      fc.asyncProperty(mutation, async ({ type, field, value }) => {
        const fuzzKey = newTransferKey("fuzz");
        const base = UPSTREAM_BUILDERS[type]({ ...fuzzKey }) as RawEnvelope;
        const raw = { ...base, detail: { ...base.detail, [field]: value } };
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
