/**
 * SPEC section 10, reading a tenant: against the project's fake Graph (documented shapes), the
 * token per tenant, both lists with every page, throttling, and each bad input the issue lists
 * making the tenant unreadable with a clear reason (never a half-read).
 */
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { FakeGraph } from "../../local/fakes/graph/server.js";
import { TenantObserved } from "../../shared/events/index.js";
import { TenantReader } from "../../shared/tenant/reader.js";
import {
  ENTERPRISEPACK,
  PARTNER,
  readerFor,
  STANDARDPACK,
  startGraph,
  transferIds,
} from "./support.js";

let graph: FakeGraph;
let evil: FakeGraph;
beforeAll(async () => {
  graph = await startGraph();
  evil = await startGraph();
});
afterAll(async () => {
  await graph.stop();
  await evil.stop();
});
afterEach(() => {
  graph.clearFaults();
  graph.pageSize = 100;
});

function tenantWith(subscriptions = 1) {
  const tenant = randomUUID();
  graph.addTenant(tenant);
  const ids: string[] = [];
  for (let i = 0; i < subscriptions; i++) {
    ids.push(
      graph.addSubscription(tenant, {
        skuId: STANDARDPACK,
        skuPartNumber: "STANDARDPACK",
        totalLicenses: 10,
      }).commerceSubscriptionId as string,
    );
  }
  return { tenant, ids };
}

const read = async (tenant: string, originals: string[], options = {}) => {
  const { reader, sleeps } = readerFor(graph, options);
  const outcome = await reader.read(transferIds(tenant, originals), "2031-02-01T06:00:00Z");
  return { outcome, reader, sleeps };
};

const reasonOf = (outcome: { kind: string; reason?: string }) => {
  expect(outcome.kind).toBe("unreadable");
  return outcome.reason ?? "";
};

describe("a tenant read", () => {
  it("takes a token for that tenant, then each list once: 3 requests for 20 subscriptions, 2 with the token cached", async () => {
    const { tenant, ids } = tenantWith(20);
    graph.assignUsers(tenant, STANDARDPACK, 150);
    const { reader } = readerFor(graph);
    const first = await reader.read(transferIds(tenant, ids.slice(0, 2)), "2031-02-01T06:00:00Z");
    expect(reader.requests).toBe(3);
    const second = await reader.read(transferIds(tenant, ids.slice(0, 2)), "2031-02-02T06:00:00Z");
    expect(reader.requests).toBe(5);
    expect(first.kind).toBe("read");
    if (first.kind !== "read" || second.kind !== "read") return;
    expect(TenantObserved.parse(first.detail)).toEqual(first.detail);
    expect(first.detail.originals.map((o) => o.subscriptionId).sort()).toEqual(
      ids.slice(0, 2).sort(),
    );
    expect(first.detail.skus).toEqual([
      {
        skuId: STANDARDPACK,
        skuPartNumber: "STANDARDPACK",
        consumedUnits: 150,
        enabledLicenses: 200,
      },
    ]);
    // 18 subscriptions of another channel the invitation missed (no owner: bought directly).
    expect(first.detail.untracked).toHaveLength(18);
    expect(second.detail.fingerprint).toBe(first.detail.fingerprint);
  });

  it("keeps a token per tenant: another tenant needs its own", async () => {
    const a = tenantWith();
    const b = tenantWith();
    const { reader } = readerFor(graph);
    await reader.read(transferIds(a.tenant, a.ids), "2031-02-01T06:00:00Z");
    await reader.read(transferIds(b.tenant, b.ids), "2031-02-01T06:00:00Z");
    expect(reader.tokens.requests).toBe(2);
  });

  it("follows every @odata.nextLink page", async () => {
    const { tenant, ids } = tenantWith(250);
    graph.pageSize = 100;
    const before = graph.counts.graph;
    const { outcome } = await read(tenant, ids.slice(0, 1));
    expect(graph.counts.graph - before).toBe(3 + 1);
    if (outcome.kind !== "read") throw new Error(outcome.reason);
    expect(outcome.detail.skus[0]?.enabledLicenses).toBe(2_500);
  });

  it("matches originals by commerceSubscriptionId or id, in any case", async () => {
    const { tenant } = tenantWith(0);
    const byCommerce = graph.addSubscription(tenant, {
      skuId: STANDARDPACK,
      skuPartNumber: "STANDARDPACK",
    });
    const byId = graph.addSubscription(tenant, {
      skuId: ENTERPRISEPACK,
      skuPartNumber: "ENTERPRISEPACK",
    });
    const { outcome } = await read(tenant, [
      (byCommerce.commerceSubscriptionId as string).toUpperCase(),
      byId.id,
    ]);
    if (outcome.kind !== "read") throw new Error(outcome.reason);
    expect(outcome.detail.originals).toHaveLength(2);
    expect(outcome.detail.untracked).toEqual([]);
  });

  it("leaves out trials, the partner's own subscriptions and the transfer's new ones from untracked", async () => {
    const { tenant } = tenantWith(0);
    graph.addSubscription(tenant, {
      skuId: STANDARDPACK,
      skuPartNumber: "STANDARDPACK",
      isTrial: true,
    });
    graph.addSubscription(tenant, {
      skuId: STANDARDPACK,
      skuPartNumber: "STANDARDPACK",
      ownerTenantId: PARTNER.toUpperCase(),
    });
    graph.addSubscription(tenant, {
      skuId: STANDARDPACK,
      skuPartNumber: "STANDARDPACK",
      status: "Suspended",
    });
    const known = graph.addSubscription(tenant, {
      skuId: STANDARDPACK,
      skuPartNumber: "STANDARDPACK",
    });
    const other = graph.addSubscription(tenant, {
      skuId: ENTERPRISEPACK,
      skuPartNumber: "ENTERPRISEPACK",
      totalLicenses: 5,
      nextLifecycleDateTime: "2031-04-06T00:00:00Z",
      ownerTenantId: randomUUID(),
    });
    const { reader } = readerFor(graph);
    const outcome = await reader.read(
      { ...transferIds(tenant, [], [known.commerceSubscriptionId as string]) },
      "2031-02-01T06:00:00Z",
    );
    if (outcome.kind !== "read") throw new Error(outcome.reason);
    expect(outcome.detail.untracked).toEqual([
      {
        subscriptionId: other.commerceSubscriptionId,
        otherId: other.id,
        skuPartNumber: "ENTERPRISEPACK",
        totalLicenses: 5,
        nextLifecycleDateTime: "2031-04-06T00:00:00Z",
      },
    ]);
  });
});

describe("throttling and outages", () => {
  it("honours Retry-After on 429 and 503, then reads", async () => {
    const { tenant, ids } = tenantWith();
    graph.fail(/directory\/subscriptions/, { kind: "status", status: 429, retryAfter: 7 });
    graph.fail(/subscribedSkus/, { kind: "status", status: 503, retryAfter: 2 });
    const { outcome, sleeps } = await read(tenant, ids);
    expect(outcome.kind).toBe("read");
    expect(sleeps).toEqual([7_000, 2_000]);
  });

  it("Graph down after retries: unreadable, with the status", async () => {
    const { tenant, ids } = tenantWith();
    graph.fail(/directory\/subscriptions/, { kind: "status", status: 500 }, 4);
    const reason = reasonOf((await read(tenant, ids)).outcome);
    expect(reason).toBe("GET /v1.0/directory/subscriptions answered 500 (after 4 attempts)");
  });

  it("a Retry-After longer than the run waits: unreadable at once", async () => {
    const { tenant, ids } = tenantWith();
    graph.fail(/directory\/subscriptions/, { kind: "status", status: 429, retryAfter: 3600 });
    const { outcome, sleeps } = await read(tenant, ids);
    expect(reasonOf(outcome)).toMatch(/429 with Retry-After 3600 s/);
    expect(sleeps).toEqual([]);
  });

  it("a hanging Graph: the request times out and the read ends within its budget", async () => {
    const { tenant, ids } = tenantWith();
    graph.fail(/directory\/subscriptions/, { kind: "hang" }, 10);
    const started = Date.now();
    const { outcome } = await read(tenant, ids, { timeoutMs: 200, attempts: 2 });
    expect(reasonOf(outcome)).toMatch(
      /GET \/v1.0\/directory\/subscriptions failed: .*\(after 2 attempts\)/,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe("bad input: unreadable with a clear reason, nothing used", () => {
  it("a token refused (no consent: 400 unauthorized_client, AADSTS700016)", async () => {
    const { tenant, ids } = tenantWith();
    graph.setConsent(tenant, false);
    expect(reasonOf((await read(tenant, ids)).outcome)).toBe(
      "the token endpoint refused a token for this tenant (400: unauthorized_client AADSTS700016): has the customer consented the app?",
    );
  });

  it("a wrong client secret (401 invalid_client)", async () => {
    const { tenant, ids } = tenantWith();
    const wrong = new TenantReader({
      tokenUrl: graph.tokenUrl,
      apiUrl: graph.url,
      clientId: graph.clientId,
      clientSecret: "not-the-secret",
    });
    expect(reasonOf(await wrong.read(transferIds(tenant, ids), "2031-02-01T06:00:00Z"))).toMatch(
      /\(401: invalid_client AADSTS7000215\)/,
    );
  });

  it("403 on a list (the consent lacks the permission)", async () => {
    const tenant = randomUUID();
    graph.addTenant(tenant, { canRead: false });
    expect(reasonOf((await read(tenant, [])).outcome)).toBe(
      "GET /v1.0/directory/subscriptions answered 403 (Authorization_RequestDenied): check the app's Graph permissions and the customer's consent",
    );
  });

  it("401 on a list even with a fresh token", async () => {
    const { tenant, ids } = tenantWith();
    graph.fail(/directory\/subscriptions/, { kind: "status", status: 401 }, 2);
    const { outcome, reader } = await read(tenant, ids);
    expect(reasonOf(outcome)).toMatch(/^GET \/v1.0\/directory\/subscriptions answered 401/);
    expect(reader.tokens.requests).toBe(2);
  });

  it.each([
    ["not JSON", "<html>oops</html>", "answered something that is not JSON"],
    ["no value", '{"@odata.context":"x"}', 'answered a page without a "value" list'],
  ])("a page that is %s", async (_what, body, reason) => {
    const { tenant, ids } = tenantWith();
    graph.fail(/subscribedSkus/, { kind: "body", body });
    expect(reasonOf((await read(tenant, ids)).outcome)).toBe(`GET /v1.0/subscribedSkus ${reason}`);
  });

  it("a nextLink to another host is never followed", async () => {
    const { tenant, ids } = tenantWith();
    const page = {
      value: [],
      "@odata.nextLink": `${evil.url}/v1.0/directory/subscriptions?$skiptoken=1`,
    };
    graph.fail(/directory\/subscriptions/, { kind: "body", body: JSON.stringify(page) });
    const reason = reasonOf((await read(tenant, ids)).outcome);
    expect(reason).toBe(
      `GET /v1.0/directory/subscriptions: @odata.nextLink points to ${evil.url}, not ${graph.url}; not followed`,
    );
    expect(evil.counts.graph).toBe(0);
  });

  it("a nextLink that never ends stops at the page bound", async () => {
    const { tenant, ids } = tenantWith();
    const page = { value: [], "@odata.nextLink": `${graph.url}/v1.0/subscribedSkus?$skiptoken=0` };
    graph.fail(/subscribedSkus/, { kind: "body", body: JSON.stringify(page) }, 1_000);
    expect(reasonOf((await read(tenant, ids)).outcome)).toBe(
      "GET /v1.0/subscribedSkus has more than 100 pages",
    );
  });

  const subscription = (change: Record<string, unknown>) => ({
    id: randomUUID(),
    commerceSubscriptionId: randomUUID(),
    skuId: STANDARDPACK,
    skuPartNumber: "STANDARDPACK",
    status: "Enabled",
    totalLicenses: 10,
    nextLifecycleDateTime: "2031-05-06T00:00:00Z",
    ...change,
  });
  it.each([
    [
      "no skuId",
      { skuId: undefined },
      /subscription 1 \(.*\) is not the documented shape \(skuId: /,
    ],
    [
      "a negative totalLicenses",
      { totalLicenses: -5 },
      /is not the documented shape \(totalLicenses: /,
    ],
    ["an unknown status", { status: "Frozen" }, /is not the documented shape \(status: /],
  ])("a subscription with %s", async (_what, change, reason) => {
    const { tenant, ids } = tenantWith();
    graph.fail(/directory\/subscriptions/, {
      kind: "body",
      body: JSON.stringify({ value: [subscription(change)] }),
    });
    expect(reasonOf((await read(tenant, ids)).outcome)).toMatch(reason);
  });

  it("a subscribedSku without consumedUnits", async () => {
    const { tenant, ids } = tenantWith();
    const sku = {
      skuId: STANDARDPACK,
      skuPartNumber: "STANDARDPACK",
      prepaidUnits: { enabled: 10 },
    };
    graph.fail(/subscribedSkus/, { kind: "body", body: JSON.stringify({ value: [sku] }) });
    expect(reasonOf((await read(tenant, ids)).outcome)).toMatch(
      /subscribedSku 1 \(.*\) is not the documented shape \(consumedUnits: /,
    );
  });

  it("two subscriptions claiming the same commerce id", async () => {
    const { tenant, ids } = tenantWith();
    const twin = ids[0] as string;
    graph.addSubscription(tenant, {
      skuId: STANDARDPACK,
      skuPartNumber: "STANDARDPACK",
      commerceSubscriptionId: twin.toUpperCase(),
    });
    expect(reasonOf((await read(tenant, ids)).outcome)).toBe(
      `the tenant lists two subscriptions with the commerce id ${twin.toUpperCase()}; the read is not used`,
    );
  });
});

describe("a tenant of 2,000 subscriptions", () => {
  it("is read in bounded pages and reduced to a bounded event", async () => {
    const { tenant, ids } = tenantWith(2_000);
    graph.pageSize = 100;
    graph.assignUsers(tenant, STANDARDPACK, 19_000);
    const before = graph.counts.graph;
    const { outcome } = await read(tenant, ids.slice(0, 500));
    if (outcome.kind !== "read") throw new Error(outcome.reason);
    expect(graph.counts.graph - before).toBe(20 + 1);
    expect(outcome.detail.originals).toHaveLength(500);
    expect(outcome.detail.untracked).toHaveLength(100);
    // One PutEvents entry: well under EventBridge's 256 KB.
    expect(Buffer.byteLength(JSON.stringify(outcome.detail))).toBeLessThan(200_000);
  });
});
