/**
 * Hostile upstream events: a named corpus of envelopes each upstream handler must refuse (naming
 * the offending field), and a fast-check mutation of valid events. Shared by the reliability
 * tests and `npm run fuzz`, so a case added here is exercised by both.
 */
import fc from "fast-check";
import { UPSTREAM_DETAIL_TYPES, type UpstreamDetailType } from "../../shared/events/index.js";
import {
  accepted,
  ended,
  invitationSent,
  original,
  provisioned,
  type RawEnvelope,
  type TransferKey,
  UPSTREAM_BUILDERS,
  updated,
} from "./events.js";

export type HostileEvent = { name: string; raw: unknown; field: string };

const withDetail = (raw: RawEnvelope, detail: Record<string, unknown>) => ({
  ...raw,
  detail: { ...raw.detail, ...detail },
});
const without = (raw: RawEnvelope, field: string) => {
  const detail = { ...raw.detail };
  delete detail[field];
  return { ...raw, detail };
};

/** Envelopes about the transfer `key` that must be refused, each naming `field`. */
export function hostileEventCorpus(key: TransferKey): HostileEvent[] {
  const invite = invitationSent({ ...key }) as RawEnvelope;
  return [
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
      raw: accepted(
        { ...key, acceptedAt: "2026-03-01T25:00:00Z" },
        { time: "2026-03-01T00:00:00Z" },
      ),
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
        subscriptions: Array.from({ length: 501 }, (_, i) =>
          original({ subscriptionId: `s-${i}` }),
        ),
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
    {
      name: "customerName with ESC, CR, BEL and NUL (clears a terminal)",
      raw: withDetail(invite, { customerName: "Fabrikam\u001b[2J\r\u0007\u0000 Ltd" }),
      field: "detail.customerName",
    },
    {
      name: "customerName with a right-to-left override",
      raw: withDetail(invite, { customerName: "Fabrikam \u202Egnp.exe" }),
      field: "detail.customerName",
    },
    {
      name: "offerName with a C1 control (CSI)",
      raw: withDetail(invite, { subscriptions: [original({ offerName: "E3\u009b2J" })] }),
      field: "detail.subscriptions.0.offerName",
    },
    {
      name: "subscriptionId with a bidi isolate",
      raw: withDetail(invite, { subscriptions: [original({ subscriptionId: "sub\u2067-1" })] }),
      field: "detail.subscriptions.0.subscriptionId",
    },
    {
      name: "partnerId with a NUL",
      raw: withDetail(invite, { partnerId: `${key.partnerId}\u0000` }),
      field: "detail.partnerId",
    },
    {
      name: "envelope id with a newline",
      raw: { ...invite, id: "event\nid" },
      field: "id",
    },
    {
      name: "customerName with an unpaired surrogate",
      raw: withDetail(invite, { customerName: "Fabrikam \uD800" }),
      field: "detail.customerName",
    },
    {
      name: "offerName over 128 characters",
      raw: withDetail(invite, { subscriptions: [original({ offerName: "o".repeat(129) })] }),
      field: "detail.subscriptions.0.offerName",
    },
    {
      name: "subscriptionId over 64 characters",
      raw: withDetail(invite, { subscriptions: [original({ subscriptionId: "s".repeat(65) })] }),
      field: "detail.subscriptions.0.subscriptionId",
    },
    {
      name: "termDuration of a thousand digits",
      raw: withDetail(invite, {
        subscriptions: [original({ termDuration: `P${"9".repeat(1000)}Y` })],
      }),
      field: "detail.subscriptions.0.termDuration",
    },
    {
      name: "customerName nested 5,000 deep",
      raw: withDetail(invite, {
        customerName: JSON.parse(`${'{"a":'.repeat(5_000)}1${"}".repeat(5_000)}`),
      }),
      field: "detail.customerName",
    },
  ];
}

/** Detail fields the mutation fuzzer overwrites (some belong to other detail-types: extra). */
export const MUTATED_FIELDS = [
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
] as const;

export type EventMutation = { type: UpstreamDetailType; field: string; value: unknown };

/** One field of a valid upstream event overwritten with an arbitrary value (or removed). */
export const eventMutation: fc.Arbitrary<EventMutation> = fc.record({
  type: fc.constantFrom(...UPSTREAM_DETAIL_TYPES),
  field: fc.constantFrom(...MUTATED_FIELDS),
  value: fc.oneof(
    fc.anything({ maxDepth: 2 }),
    fc.string({ maxLength: 2_000 }),
    fc.integer(),
    fc.double(),
    fc.constant(undefined),
  ),
});

/** The valid event of the mutation's type about `key`, with the mutation applied. */
export function mutatedEvent(mutation: EventMutation, key: TransferKey): RawEnvelope<unknown> {
  const base = UPSTREAM_BUILDERS[mutation.type]({ ...key }) as RawEnvelope;
  return { ...base, detail: { ...base.detail, [mutation.field]: mutation.value } };
}
