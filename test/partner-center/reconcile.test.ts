/**
 * Reconcile and the processor against the fake Partner Center and the real store (DynamoDB
 * Local): "created at or after the sentAt of the invitation with the latest sentAt", never the
 * publication time of its event; subscription lists paged by Partner Center followed to the end;
 * an acceptance dated long before the invitation (a replay) ignored.
 */
import { randomUUID } from "node:crypto";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakePartnerCenter } from "../../local/fakes/partner-center/server.js";
import { parseUpstreamEvent } from "../../shared/events/envelope.js";
import { PartnerCenterClient } from "../../shared/partner-center/api-client.js";
import { type ConnectorDeps, processNotification } from "../../shared/partner-center/processor.js";
import { reconcile } from "../../shared/partner-center/reconcile.js";
import { TokenProvider } from "../../shared/partner-center/token-provider.js";
import { storeLookup } from "../../shared/partner-center/transfer-facts.js";
import { TransferStore } from "../../shared/store/transfer-store.js";
import type { OutgoingEvent } from "../../shared/tracker/event-publisher.js";
import { freshTable } from "../support/dynamo.js";
import { invitationSent, original } from "../support/events.js";

let fake: FakePartnerCenter;
let db: DynamoDBDocumentClient;
let tableName: string;
let store: TransferStore;

beforeAll(async () => {
  fake = await new FakePartnerCenter({ pageSize: 3 }).start();
  ({ db, tableName } = await freshTable("pc-reconcile"));
  store = new TransferStore(db, tableName, []);
});
afterAll(async () => {
  await fake?.stop();
});

/** A partner of its own per test, so the tests share the table and not their transfers. */
function deps(partnerId: string) {
  const published: OutgoingEvent[] = [];
  const tokens = new TokenProvider({
    tokenUrl: fake.tokenUrl,
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
  });
  const value: ConnectorDeps = {
    partnerId,
    apiUrl: fake.url,
    client: new PartnerCenterClient({ apiUrl: fake.url }, tokens, { sleep: async () => {} }),
    transfers: storeLookup(db, tableName),
    publish: async (events) => {
      published.push(...events);
    },
  };
  return { value, published };
}

async function invite(partnerId: string, customerTenantId: string, sentAt: string, time: string) {
  await store.apply(
    parseUpstreamEvent(
      invitationSent(
        { partnerId, customerTenantId, sentAt, subscriptions: [original()] },
        { time },
      ),
    ),
  );
}

const provisionedIds = (events: OutgoingEvent[]) =>
  events
    .filter((e) => e.detailType === "Subscription Provisioned")
    .map((e) => (e.detail as { subscriptionId: string }).subscriptionId)
    .sort();

describe("reconcile", () => {
  it("counts subscriptions from the invitation's sentAt, not from when its event was published", async () => {
    const partner = `p-${randomUUID()}`;
    const customer = randomUUID();
    // Sent on 5 January; the upstream published it on the 9th.
    await invite(partner, customer, "2026-01-05T09:00:00Z", "2026-01-09T09:00:00Z");
    fake.addCustomer({ id: customer, companyName: "Fabrikam", country: "GB" });
    const before = fake.addSubscription(customer, {
      offerId: "o",
      creationDate: "2026-01-04T09:00:00Z",
    });
    const between = fake.addSubscription(customer, {
      offerId: "o",
      creationDate: "2026-01-07T09:00:00Z",
    });
    const atSentAt = fake.addSubscription(customer, {
      offerId: "o",
      creationDate: "2026-01-05T09:00:00Z",
    });
    const { value, published } = deps(partner);
    expect(await reconcile(value)).toMatchObject({ transfers: 1, emitted: 3 });
    expect(provisionedIds(published)).toEqual([between.id, atSentAt.id].sort());
    expect(provisionedIds(published)).not.toContain(before.id);
    expect(published[0]).toMatchObject({ detailType: "Invitation Accepted" });
  });

  it("uses the latest sentAt when the transfer was invited twice", async () => {
    const partner = `p-${randomUUID()}`;
    const customer = randomUUID();
    await invite(partner, customer, "2026-02-10T00:00:00Z", "2026-02-10T00:00:00Z");
    await invite(partner, customer, "2026-01-01T00:00:00Z", "2026-02-11T00:00:00Z");
    fake.addCustomer({ id: customer, companyName: "Fabrikam", country: "GB" });
    fake.addSubscription(customer, { offerId: "o", creationDate: "2026-01-15T00:00:00Z" });
    const after = fake.addSubscription(customer, {
      offerId: "o",
      creationDate: "2026-02-12T00:00:00Z",
    });
    const { value, published } = deps(partner);
    await reconcile(value);
    expect(provisionedIds(published)).toEqual([after.id]);
  });

  it("follows a paged subscription list to its last page", async () => {
    const partner = `p-${randomUUID()}`;
    const customer = randomUUID();
    await invite(partner, customer, "2026-01-05T09:00:00Z", "2026-01-05T09:00:00Z");
    fake.addCustomer({ id: customer, companyName: "Fabrikam", country: "GB" });
    const subs = Array.from({ length: 8 }, (_, i) =>
      fake.addSubscription(customer, { offerId: `o${i}`, creationDate: "2026-02-01T00:00:00Z" }),
    );
    const { value, published } = deps(partner);
    const before = fake.apiLog.length;
    expect(await reconcile(value)).toMatchObject({ transfers: 1, emitted: 9 });
    expect(provisionedIds(published)).toEqual(subs.map((s) => s.id).sort());
    // The customer, then three pages of three, three and two.
    expect(fake.apiLog.length - before).toBe(4);
  });
});

describe("an acceptance notification", () => {
  const acceptance = (customer: string, at: string) => ({
    EventName: "reseller-relationship-accepted-by-customer",
    ResourceUri: `${fake.url}/v1/customers/${customer}`,
    ResourceName: "customer",
    AuditUri: null,
    ResourceChangeUtcDate: at,
  });

  it.each([
    ["dated 2001, long before the invitation", "2001-01-01T00:00:00Z", false],
    ["dated 6 minutes before the invitation's sentAt", "2026-03-01T08:54:00Z", false],
    ["dated 4 minutes before (clock skew)", "2026-03-01T08:56:00Z", true],
    ["dated after the invitation", "2026-03-02T10:00:00Z", true],
  ])("%s (%s): accepted %s", async (_label, at, accepts) => {
    const partner = `p-${randomUUID()}`;
    const customer = randomUUID();
    await invite(partner, customer, "2026-03-01T09:00:00Z", "2026-03-03T09:00:00Z");
    const { value, published } = deps(partner);
    const outcome = await processNotification(acceptance(customer, at), value);
    if (accepts) {
      expect(published).toEqual([
        {
          detailType: "Invitation Accepted",
          detail: { partnerId: partner, customerTenantId: customer, acceptedAt: at },
        },
      ]);
    } else {
      expect(published).toEqual([]);
      expect(outcome.note).toMatch(/more than 5 minutes before the invitation's sentAt/);
    }
  });
});
