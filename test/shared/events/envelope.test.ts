import { describe, expect, it } from "vitest";
import {
  DETAIL_TYPES,
  type DetailType,
  EventValidationError,
  MAX_SUBSCRIPTIONS_PER_INVITATION,
  parseEnvelope,
  parseUpstreamEvent,
  SOURCES,
  UPSTREAM_DETAIL_TYPES,
  type ValidationIssue,
} from "../../../shared/events/index.js";
import {
  envelope,
  invitationAccepted,
  invitationSent,
  original,
  originalSubscriptionEnded,
  originalSubscriptionUpdated,
  type RawEnvelope,
  subscriptionProvisioned,
  tenantObserved,
} from "../../support/events.js";

const expiryApproachingDetail = {
  partnerId: "partner-contoso",
  customerTenantId: "tenant-1",
  customerName: "Fabrikam Ltd",
  partnerEmail: "transfers@partner.example",
  subscriptionId: "orig-1",
  offerId: "offer-e3",
  offerName: "Microsoft 365 E3",
  quantity: 10,
  commitmentEndDate: "2026-06-30T00:00:00Z",
  daysLeft: 7,
  thresholdDays: 7,
  replacementProvisioned: true,
};

const statusChangedDetail = {
  partnerId: "partner-contoso",
  customerTenantId: "tenant-1",
  from: "ACCEPTED",
  to: "PROVISIONING",
  at: "2026-02-01T12:00:00Z",
};

/** The error thrown by parsing `raw`; fails the test when parsing succeeds. */
function validationErrorOf(parse: (raw: unknown) => unknown, raw: unknown): EventValidationError {
  try {
    parse(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(EventValidationError);
    return error as EventValidationError;
  }
  throw new Error("expected an EventValidationError, but the event parsed");
}

function withDetail(raw: RawEnvelope, changes: Record<string, unknown>): RawEnvelope {
  const detail = { ...raw.detail, ...changes };
  for (const [k, v] of Object.entries(changes)) if (v === undefined) delete detail[k];
  return { ...raw, detail };
}

const partnerCenterDetail = {
  EventName: "reseller-relationship-accepted-by-customer",
  ResourceUri: "https://api.partnercenter.microsoft.com/v1/customers/c-1",
  ResourceName: "customer",
  AuditUri: null,
  ResourceChangeUtcDate: "2026-02-01T12:00:00.1234567+00:00",
};

describe("parseEnvelope: each of the seven detail-types from a full EventBridge envelope", () => {
  const cases: { detailType: DetailType; raw: RawEnvelope; expected: Record<string, unknown> }[] = [
    {
      detailType: "Invitation Sent",
      raw: invitationSent({
        partnerId: "p-1",
        customerTenantId: "c-1",
        partnerCountry: "DE",
        customerCountry: "DE",
        partnerEmail: "ops@partner.example",
        customerName: "Fabrikam GmbH",
        sentAt: "2026-01-05T09:00:00Z",
        subscriptions: [
          original({ subscriptionId: "o-1", offerId: "off-1", quantity: 3 }),
          original({
            subscriptionId: "o-2",
            offerId: "off-2",
            offerDiscontinued: true,
            termDuration: "P1Y",
          }),
        ],
      }),
      expected: {
        partnerId: "p-1",
        customerTenantId: "c-1",
        partnerCountry: "DE",
        customerCountry: "DE",
        partnerEmail: "ops@partner.example",
        customerName: "Fabrikam GmbH",
        sentAt: "2026-01-05T09:00:00Z",
        subscriptions: [
          // offerDiscontinued defaults to false
          expect.objectContaining({ subscriptionId: "o-1", quantity: 3, offerDiscontinued: false }),
          expect.objectContaining({
            subscriptionId: "o-2",
            offerDiscontinued: true,
            termDuration: "P1Y",
          }),
        ],
      },
    },
    {
      detailType: "Invitation Accepted",
      raw: invitationAccepted({
        partnerId: "p-1",
        customerTenantId: "c-1",
        acceptedAt: "2026-01-06",
      }),
      expected: { partnerId: "p-1", customerTenantId: "c-1", acceptedAt: "2026-01-06" },
    },
    {
      detailType: "Subscription Provisioned",
      raw: subscriptionProvisioned({
        subscriptionId: "n-1",
        offerId: "off-1",
        quantity: 4,
        provisionedAt: "2026-02-01T12:00:00+01:00",
        replacesSubscriptionId: "o-1",
      }),
      expected: expect.objectContaining({
        subscriptionId: "n-1",
        offerId: "off-1",
        quantity: 4,
        provisionedAt: "2026-02-01T12:00:00+01:00",
        replacesSubscriptionId: "o-1",
      }),
    },
    {
      detailType: "Original Subscription Updated",
      raw: originalSubscriptionUpdated({
        subscriptionId: "o-1",
        updatedAt: "2026-03-01T08:00:00Z",
        autoRenewEnabled: true,
        quantity: 12,
      }),
      expected: expect.objectContaining({
        subscriptionId: "o-1",
        autoRenewEnabled: true,
        quantity: 12,
      }),
    },
    {
      detailType: "Original Subscription Ended",
      raw: originalSubscriptionEnded({ subscriptionId: "o-1", reason: "cancelled" }),
      expected: expect.objectContaining({ subscriptionId: "o-1", reason: "cancelled" }),
    },
    {
      detailType: "Expiry Approaching",
      raw: envelope("Expiry Approaching", expiryApproachingDetail, "2026-06-23T06:00:00Z", {
        source: SOURCES.tracker,
      }),
      expected: expiryApproachingDetail,
    },
    {
      detailType: "Transfer Status Changed",
      raw: envelope("Transfer Status Changed", statusChangedDetail, "2026-02-01T12:00:01Z", {
        source: SOURCES.tracker,
      }),
      expected: statusChangedDetail,
    },
    {
      detailType: "Partner Center Notification",
      raw: envelope("Partner Center Notification", partnerCenterDetail, "2026-02-01T12:00:02Z", {
        source: SOURCES.partnerCenter,
      }),
      expected: partnerCenterDetail,
    },
    {
      detailType: "Reminder Digest Ready",
      raw: envelope("Reminder Digest Ready", { digestId: "run-1.abc.1" }, "2026-06-23T06:00:02Z", {
        source: SOURCES.tracker,
      }),
      expected: { digestId: "run-1.abc.1" },
    },
    {
      detailType: "Tenant Observed",
      raw: tenantObserved({ observedAt: "2026-03-05T06:00:00Z" }),
      expected: expect.objectContaining({
        observedAt: "2026-03-05T06:00:00Z",
        originals: [expect.objectContaining({ subscriptionId: "orig-1", status: "Enabled" })],
      }),
    },
  ];

  it("covers every detail-type in the registry", () => {
    expect(cases.map((c) => c.detailType).sort()).toEqual(Object.values(DETAIL_TYPES).sort());
  });

  it.each(cases)("$detailType", ({ detailType, raw, expected }) => {
    // Act
    const event = parseEnvelope(raw);
    // Assess
    expect(event).toEqual({
      id: raw.id,
      detailType,
      source: raw.source,
      time: raw.time,
      detail: expected,
    });
  });

  it("ignores extra fields in the detail and in the envelope", () => {
    // Prepare
    const raw = {
      ...withDetail(invitationAccepted(), { crmTicket: "T-42", nested: { a: 1 } }),
      "replay-name": "archive-replay",
    };
    // Act
    const event = parseEnvelope(raw);
    // Assess
    expect(event.detail).toEqual({
      partnerId: raw.detail.partnerId,
      customerTenantId: raw.detail.customerTenantId,
      acceptedAt: raw.detail.acceptedAt,
    });
    expect(event).not.toHaveProperty("replay-name");
  });

  it("ignores extra fields inside each original subscription", () => {
    const raw = invitationSent({
      subscriptions: [{ ...original(), billingCycle: "monthly" } as ReturnType<typeof original>],
    });
    const event = parseUpstreamEvent(raw);
    expect(event.detailType).toBe("Invitation Sent");
    expect(event.detail).toMatchObject({
      subscriptions: [expect.not.objectContaining({ billingCycle: "monthly" })],
    });
  });

  it("accepts 0 and exactly 500 subscriptions", () => {
    const many = Array.from({ length: MAX_SUBSCRIPTIONS_PER_INVITATION }, (_, i) =>
      original({ subscriptionId: `o-${i}` }),
    );
    expect(parseUpstreamEvent(invitationSent({ subscriptions: [] })).detailType).toBe(
      "Invitation Sent",
    );
    const event = parseUpstreamEvent(invitationSent({ subscriptions: many }));
    expect(event.detailType === "Invitation Sent" && event.detail.subscriptions).toHaveLength(500);
  });
});

describe("validation errors name the field and the reason", () => {
  const tooMany = Array.from({ length: MAX_SUBSCRIPTIONS_PER_INVITATION + 1 }, (_, i) =>
    original({ subscriptionId: `o-${i}` }),
  );
  const cases: { name: string; raw: unknown; field: string; reason: RegExp }[] = [
    {
      name: "missing field",
      raw: withDetail(invitationAccepted(), { acceptedAt: undefined }),
      field: "detail.acceptedAt",
      reason: /expected string, received undefined/,
    },
    {
      name: "wrong type",
      raw: withDetail(subscriptionProvisioned(), { quantity: "10" }),
      field: "detail.quantity",
      reason: /expected number, received string/,
    },
    {
      name: "quantity 0",
      raw: withDetail(subscriptionProvisioned(), { quantity: 0 }),
      field: "detail.quantity",
      reason: />=\s*1/,
    },
    {
      name: "negative quantity",
      raw: withDetail(originalSubscriptionUpdated(), { quantity: -3 }),
      field: "detail.quantity",
      reason: />=\s*1/,
    },
    {
      name: "fractional quantity",
      raw: withDetail(subscriptionProvisioned(), { quantity: 2.5 }),
      field: "detail.quantity",
      reason: /expected int\b/,
    },
    {
      name: "quantity 0 inside an original",
      raw: invitationSent({
        subscriptions: [original(), original({ subscriptionId: "o-2", quantity: 0 })],
      }),
      field: "detail.subscriptions.1.quantity",
      reason: />=\s*1/,
    },
    {
      name: "impossible date 2026-02-30",
      raw: withDetail(originalSubscriptionEnded(), { endedAt: "2026-02-30" }),
      field: "detail.endedAt",
      reason: /ISO 8601/,
    },
    {
      name: "impossible date-time 2026-02-29T10:00:00Z (not a leap year)",
      raw: withDetail(invitationAccepted(), { acceptedAt: "2026-02-29T10:00:00Z" }),
      field: "detail.acceptedAt",
      reason: /ISO 8601/,
    },
    {
      name: "impossible time 25:00",
      raw: withDetail(invitationAccepted(), { acceptedAt: "2026-02-10T25:00:00Z" }),
      field: "detail.acceptedAt",
      reason: /ISO 8601/,
    },
    {
      name: "not a date at all",
      raw: invitationSent({ subscriptions: [original({ commitmentEndDate: "next June" })] }),
      field: "detail.subscriptions.0.commitmentEndDate",
      reason: /ISO 8601/,
    },
    {
      name: "unknown country",
      raw: invitationSent({ customerCountry: "XX" }),
      field: "detail.customerCountry",
      reason: /ISO 3166-1 alpha-2/,
    },
    {
      name: "country that is not two letters",
      raw: invitationSent({ partnerCountry: "GBR" }),
      field: "detail.partnerCountry",
      reason: /2 characters/,
    },
    {
      name: "invalid email",
      raw: invitationSent({ partnerEmail: "not-an-email" }),
      field: "detail.partnerEmail",
      reason: /email/i,
    },
    {
      name: "501 subscriptions",
      raw: invitationSent({ subscriptions: tooMany }),
      field: "detail.subscriptions",
      reason: /<=\s*500/,
    },
    {
      name: "duplicate subscriptionId",
      raw: invitationSent({
        subscriptions: [
          original({ subscriptionId: "o-1" }),
          original({ subscriptionId: "o-2" }),
          original({ subscriptionId: "o-1" }),
        ],
      }),
      field: "detail.subscriptions.2.subscriptionId",
      reason: /duplicate subscriptionId "o-1".*index 0/,
    },
    {
      name: "unknown reason",
      raw: withDetail(originalSubscriptionEnded(), { reason: "refunded" }),
      field: "detail.reason",
      reason: /"expired"\|"cancelled"/,
    },
    {
      name: "bad term duration",
      raw: invitationSent({ subscriptions: [original({ termDuration: "1 year" })] }),
      field: "detail.subscriptions.0.termDuration",
      reason: /ISO 8601 duration/,
    },
    {
      name: "update that changes nothing",
      raw: withDetail(originalSubscriptionUpdated(), { autoRenewEnabled: undefined }),
      field: "detail",
      reason: /at least one of autoRenewEnabled, commitmentEndDate, quantity/,
    },
    {
      name: "empty partnerId",
      raw: withDetail(invitationAccepted(), { partnerId: "  " }),
      field: "detail.partnerId",
      reason: />=\s*1 characters/,
    },
    {
      name: "missing detail",
      raw: { ...invitationAccepted(), detail: undefined },
      field: "detail",
      reason: /expected object/,
    },
    {
      name: "envelope without id",
      raw: { ...invitationAccepted(), id: undefined },
      field: "id",
      reason: /expected string/,
    },
    {
      name: "envelope time that is not ISO 8601",
      raw: { ...invitationAccepted(), time: "yesterday" },
      field: "time",
      reason: /ISO 8601/,
    },
    {
      name: "not an object at all",
      raw: "Invitation Sent",
      field: "(event)",
      reason: /expected object/,
    },
    {
      name: "unknown detail-type",
      raw: { ...invitationAccepted(), "detail-type": "Invitation Declined" },
      field: "detail-type",
      reason: /unknown detail-type "Invitation Declined"/,
    },
    {
      name: "wrong source for an upstream detail-type",
      raw: { ...invitationAccepted(), source: SOURCES.tracker },
      field: "source",
      reason: /expected "csp\.transfers" for Invitation Accepted, got "csp\.transfers\.tracker"/,
    },
    {
      name: "wrong source for an emitted detail-type",
      raw: envelope("Transfer Status Changed", statusChangedDetail, "2026-02-01T12:00:01Z"),
      field: "source",
      reason:
        /expected "csp\.transfers\.tracker" for Transfer Status Changed, got "csp\.transfers"/,
    },
  ];

  it.each(cases)("$name", ({ raw, field, reason }) => {
    // Act
    const error = validationErrorOf(parseUpstreamEvent, raw);
    // Assess
    const issue = error.issues.find((i: ValidationIssue) => i.field === field);
    expect(issue, `issues: ${JSON.stringify(error.issues)}`).toBeDefined();
    expect(issue?.reason).toMatch(reason);
    expect(error.message).toContain(`${field}: `);
    expect(error.retryable).toBe(false);
    expect(error.name).toBe("EventValidationError");
  });

  it("carries the event id once the envelope itself is readable", () => {
    const raw = withDetail(subscriptionProvisioned({}, { id: "evt-bad-1" }), { quantity: 0 });
    expect(validationErrorOf(parseEnvelope, raw).eventId).toBe("evt-bad-1");
  });

  it("lists every offending field, not only the first", () => {
    const raw = withDetail(subscriptionProvisioned(), { quantity: 0, offerId: 7 });
    const fields = validationErrorOf(parseEnvelope, raw).issues.map((i) => i.field);
    expect(fields).toEqual(expect.arrayContaining(["detail.quantity", "detail.offerId"]));
  });

  it("refuses an emitted detail-type as upstream input, but parses it as an envelope", () => {
    const raw = envelope("Transfer Status Changed", statusChangedDetail, "2026-02-01T12:00:01Z", {
      source: SOURCES.tracker,
    });
    expect(parseEnvelope(raw).detailType).toBe("Transfer Status Changed");
    const error = validationErrorOf(parseUpstreamEvent, raw);
    expect(error.issues).toEqual([
      { field: "detail-type", reason: '"Transfer Status Changed" is not an upstream event' },
    ]);
  });

  it.each(UPSTREAM_DETAIL_TYPES)("%s is accepted by parseUpstreamEvent", (detailType) => {
    const builders = {
      "Invitation Sent": invitationSent,
      "Invitation Accepted": invitationAccepted,
      "Subscription Provisioned": subscriptionProvisioned,
      "Original Subscription Updated": originalSubscriptionUpdated,
      "Original Subscription Ended": originalSubscriptionEnded,
      "Tenant Observed": tenantObserved,
    } as const;
    expect(parseUpstreamEvent(builders[detailType]()).detailType).toBe(detailType);
  });
});

describe("valid ISO 8601 forms", () => {
  it.each([
    "2026-02-28",
    "2028-02-29",
    "2026-02-28T23:59:59Z",
    "2026-02-28T23:59:59.123Z",
    "2026-02-28T23:59:59+05:30",
    "2026-02-28T23:59",
  ])("%s is accepted", (value) => {
    expect(parseUpstreamEvent(invitationAccepted({ acceptedAt: value })).detail).toMatchObject({
      acceptedAt: value,
    });
  });
});
