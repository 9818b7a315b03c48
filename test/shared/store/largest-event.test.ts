/**
 * The largest event the schemas accept is stored: an invitation with 500 originals and every id,
 * name and field at its limit, written in the least compressible characters the schemas allow.
 * And a write DynamoDB refuses for its size is a permanent failure, dead-lettered at once.
 */

import { Logger } from "@aws-lambda-powertools/logger";
import { PutCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { EventBridgeEvent } from "aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { Dispatcher } from "../../../local/dispatcher.js";
import { MAX_ENTRY_BYTES } from "../../../local/events-endpoint.js";
import { type BusEvent, Journal } from "../../../local/journal.js";
import {
  MAX_SUBSCRIPTIONS_PER_INVITATION,
  parseUpstreamEvent,
  SOURCES,
} from "../../../shared/events/index.js";
import { MAX_ID_LENGTH, MAX_TEXT_LENGTH } from "../../../shared/events/primitives.js";
import { classifyStoreError, PermanentStoreError } from "../../../shared/store/errors.js";
import { readTransferView } from "../../../shared/store/transfer-read.js";
import { TransferStore } from "../../../shared/store/transfer-store.js";
import type { EventPublisher } from "../../../shared/tracker/event-publisher.js";
import { createUpstreamHandler } from "../../../shared/tracker/upstream-handler.js";
import { freshTable } from "../../support/dynamo.js";
import { invitationSent, provisioned, type RawEnvelope } from "../../support/events.js";

let db: Awaited<ReturnType<typeof freshTable>>["db"];
let tableName: string;
let store: TransferStore;

beforeAll(async () => {
  ({ db, tableName } = await freshTable("largest"));
  store = new TransferStore(db, tableName, [60, 30, 14, 7, 1]);
});

/** A seeded generator, so every run measures the same worst case. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const next = random(20261203);

/**
 * `length` characters, each three bytes in UTF-8 and drawn at random from the whole range the
 * schemas allow (U+0800..U+D7FF minus whitespace and bidi controls): the most bytes per
 * character and the least compressible text a valid event can carry.
 */
function worstText(length: number): string {
  let text = "";
  while (text.length < length) {
    const char = String.fromCharCode(0x800 + Math.floor(next() * (0xd7ff - 0x800)));
    if (/\s|[\u200E\u200F\u2028-\u202E\u2066-\u2069]/.test(char)) continue;
    text += char;
  }
  return text;
}

/** A valid address of the maximum 254 characters. */
const LONGEST_EMAIL = `${"a".repeat(64)}@${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(59)}.example`;

function largestInvitation(key: { partnerId: string; customerTenantId: string }) {
  const subscriptions = Array.from({ length: MAX_SUBSCRIPTIONS_PER_INVITATION }, () => ({
    subscriptionId: worstId(MAX_ID_LENGTH),
    offerId: worstId(MAX_ID_LENGTH),
    offerName: worstText(MAX_TEXT_LENGTH),
    quantity: 1_000_000,
    commitmentEndDate: "2027-06-30T00:00:00.123456789+01:00",
    autoRenewEnabled: true,
    offerDiscontinued: true,
    termDuration: "P1Y11M4W30D",
  }));
  return invitationSent(
    {
      ...key,
      partnerEmail: LONGEST_EMAIL,
      customerName: worstText(MAX_TEXT_LENGTH),
      sentAt: "2026-01-05T09:00:00.123456789+01:00",
      subscriptions,
    },
    { id: worstId(MAX_ID_LENGTH) },
  ) as RawEnvelope;
}

/**
 * `length` printable ASCII characters at random (the alphabet ids may use), including the `"`
 * and `\\` that JSON escapes and the characters that key encoding escapes.
 */
function worstId(length: number): string {
  let id = "";
  while (id.length < length) id += String.fromCharCode(0x21 + Math.floor(next() * 94));
  return id;
}

const worstKey = () => ({
  partnerId: worstId(MAX_ID_LENGTH),
  customerTenantId: worstId(MAX_ID_LENGTH),
});

describe("the largest schema-valid event", () => {
  it("fits one PutEvents entry and is stored whole", { timeout: 120_000 }, async () => {
    // Prepare
    const key = worstKey();
    const raw = largestInvitation(key);
    const entryBytes =
      Buffer.byteLength(JSON.stringify(raw.detail)) +
      Buffer.byteLength(SOURCES.upstream) +
      Buffer.byteLength("Invitation Sent") +
      14;

    // Act
    const outcome = await store.apply(parseUpstreamEvent(raw));
    const view = await readTransferView(store.db, store.tableName, key);

    // Assess
    expect(entryBytes).toBeLessThanOrEqual(MAX_ENTRY_BYTES);
    expect(outcome.kind).toBe("applied");
    expect(view?.customerName).toBe(raw.detail.customerName);
    expect(view?.subscriptions).toHaveLength(MAX_SUBSCRIPTIONS_PER_INVITATION);
  });
});

describe("a write over DynamoDB's item size limit", () => {
  const oversized = () => ({ pk: `big-${Math.random()}`, sk: "x", blob: "z".repeat(420 * 1024) });

  it("is classified permanent, from a plain write and from a transaction", async () => {
    const put = await db
      .send(new PutCommand({ TableName: tableName, Item: oversized() }))
      .catch((e: unknown) => e);
    const transaction = await db
      .send(
        new TransactWriteCommand({
          TransactItems: [{ Put: { TableName: tableName, Item: oversized() } }],
        }),
      )
      .catch((e: unknown) => e);

    for (const failure of [put, transaction]) {
      const classified = classifyStoreError(failure);
      expect(classified).toBeInstanceOf(PermanentStoreError);
      expect((classified as PermanentStoreError).retryable).toBe(false);
      expect(String(classified)).toContain("400 KB item limit");
    }
    expect(classifyStoreError(new Error("socket hang up"))).not.toBeInstanceOf(PermanentStoreError);
  });

  it("dead-letters the event at once, with the reason, through the handler and the bus", async () => {
    // Prepare: a store whose write meets DynamoDB's real size refusal (growing a real transfer
    // past the limit takes hundreds of maximal events; the refusal itself is the real one)
    const refusal = await db
      .send(new PutCommand({ TableName: tableName, Item: oversized() }))
      .catch((e: unknown) => e);
    class OverflowingStore extends TransferStore {
      override async apply(): Promise<never> {
        throw refusal;
      }
    }
    const handler = createUpstreamHandler("Subscription Provisioned", {
      store: new OverflowingStore(db, tableName, [60]),
      publisher: { publish: async () => {} } as unknown as EventPublisher,
      logger: new Logger({ logLevel: "CRITICAL" }),
    });
    const journal = await Journal.open(null);
    const dispatcher = new Dispatcher({
      journal,
      handlers: {
        subscriptionProvisioned: (event) =>
          handler(event as unknown as EventBridgeEvent<string, unknown>),
      },
      maxAttempts: 5,
      backoffBaseMs: 1,
    });

    // Act
    await dispatcher.accept(provisioned({ ...worstKey() }) as unknown as BusEvent);
    const drained = await dispatcher.drain();

    // Assess
    const [letter] = [...journal.dead.values()];
    expect(drained.deadLettered).toBe(1);
    expect(letter?.attempts).toBe(1);
    expect(letter?.reason).toContain("PermanentStoreError");
    expect(letter?.reason).toContain("400 KB item limit");
  });
});
