/**
 * Hostile PutEvents entries: missing fields, details that are not JSON objects, strange sources
 * and detail-types, and now and then a valid upstream detail. Shared by the local runtime's end
 * to end test and `npm run fuzz`.
 */
import type { PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import fc from "fast-check";
import { UPSTREAM_DETAIL_TYPES } from "../../shared/events/index.js";
import { invitationSent, newTransferKey } from "./events.js";

/** A Detail string: broken JSON, JSON that is not an object, odd objects, or a valid detail. */
export const hostileDetail: fc.Arbitrary<string> = fc.oneof(
  fc.constant("{not json"),
  fc.constant("[]"),
  fc.constant("null"),
  fc.string({ maxLength: 50 }),
  fc.json({ maxDepth: 2 }),
  fc
    .record({ quantity: fc.oneof(fc.integer(), fc.string()), partnerId: fc.string() })
    .map((d) => JSON.stringify(d)),
  fc.constant(JSON.stringify(invitationSent({ ...newTransferKey("fuzz") }).detail)),
  // Deeper than EventBridge processes (1,000 levels): refused for its entry only.
  fc.constant(`${'{"a":'.repeat(5_000)}1${"}".repeat(5_000)}`),
);

/** Upstream detail-types the generated entries pick from (besides arbitrary strings). */
export const HOSTILE_ENTRY_DETAIL_TYPES = UPSTREAM_DETAIL_TYPES.slice(0, 3);

export const hostileEntry: fc.Arbitrary<PutEventsRequestEntry> = fc.record({
  Source: fc.oneof(
    fc.constant("csp.transfers"),
    fc.string({ maxLength: 20 }),
    fc.constant(undefined),
  ),
  DetailType: fc.oneof(
    fc.constantFrom<string>(...HOSTILE_ENTRY_DETAIL_TYPES),
    fc.string({ maxLength: 30 }),
    fc.constant(undefined),
  ),
  Detail: fc.oneof(hostileDetail, fc.constant(undefined)),
  // Now and then an instant past year 9999, which has no ISO 8601 form: refused per entry.
  Time: fc.oneof(
    fc.constant(undefined),
    fc.date({ min: new Date(0), max: new Date(8.64e15), noInvalidDate: true }),
  ),
});

/** One PutEvents call's entries (1 to 10, the API's limit). */
export const hostileBatch = fc.array(hostileEntry, { minLength: 1, maxLength: 10 });
