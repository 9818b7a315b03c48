/**
 * The customer's tenant (SPEC section 10), against the project's fake Graph:
 * - `tenantReadRequests`: requests to read one tenant of 20 subscriptions with no token cached
 *   (token, `directory/subscriptions`, `subscribedSkus`; goal ≤ 3); `tenantReadRequestsCached`
 *   the same read again with the token cached;
 * - `tenant2000ReadRequests`, `tenant2000ReadMs`: a tenant of 2,000 subscriptions in Graph pages
 *   of 100 (bounded pages and time);
 * - `tenantObservedBytes`: that read as one `Tenant Observed` detail (one PutEvents entry);
 * - `stateBytesAtBoundWithTenantRead`: the compressed state of a transfer at the 2,000-id bound
 *   (bench/transfer-at-bound.ts) with that read folded in (goal: under DynamoDB's 400 KB item).
 * `npx tsx bench/tenant.ts` runs this module alone and prints its JSON.
 */
import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import { FakeGraph } from "../local/fakes/graph/server.js";
import { foldEvents } from "../shared/domain/view.js";
import { parseUpstreamEvent } from "../shared/events/index.js";
import { encodeState } from "../shared/store/state-codec.js";
import { TenantReader } from "../shared/tenant/reader.js";
import { envelope } from "../test/support/events.js";
import { transferAtBound } from "./transfer-at-bound.js";

const PARTNER = "5b6f1c2a-0d3e-4f5a-8b9c-1d2e3f4a5b6c";
const SKUS = Array.from({ length: 12 }, (_, i) => ({
  skuId: randomUUID(),
  skuPartNumber:
    ["STANDARDPACK", "ENTERPRISEPACK", "O365_BUSINESS_PREMIUM", "EXCHANGESTANDARD"][i % 4] +
    String(i),
}));

export type TenantFigures = {
  tenantReadRequests: number;
  tenantReadRequestsCached: number;
  tenant2000ReadRequests: number;
  tenant2000ReadMs: number;
  tenantObservedBytes: number;
  stateBytesAtBoundWithTenantRead: number;
};

/** A tenant whose subscriptions are `originals` (by commerce id) plus others up to `total`. */
function fillTenant(graph: FakeGraph, tenant: string, originals: readonly string[], total: number) {
  graph.addTenant(tenant);
  for (let i = 0; i < total; i++) {
    const sku = SKUS[i % SKUS.length] as (typeof SKUS)[number];
    graph.addSubscription(tenant, {
      ...sku,
      commerceSubscriptionId: originals[i] ?? randomUUID(),
      totalLicenses: 1 + (i % 250),
      nextLifecycleDateTime: new Date(Date.UTC(2027, 6, 1 + (i % 180))).toISOString(),
      ownerTenantId: randomUUID(),
    });
  }
  for (const sku of SKUS) graph.assignUsers(tenant, sku.skuId, 5_000);
}

const ids = (originals: readonly string[]) => ({
  partnerId: PARTNER,
  originalIds: new Set(originals.map((id) => id.toLowerCase())),
  knownNewIds: new Set<string>(),
  fingerprint: null,
});

export async function benchTenant(): Promise<TenantFigures> {
  const graph = await new FakeGraph({ pageSize: 100 }).start();
  try {
    const settings = {
      tokenUrl: graph.tokenUrl,
      apiUrl: graph.url,
      clientId: graph.clientId,
      clientSecret: graph.clientSecret,
    };
    const small = randomUUID();
    const smallOriginals = [randomUUID(), randomUUID()];
    fillTenant(graph, small, smallOriginals, 20);
    const reader = new TenantReader(settings);
    const observedAt = new Date().toISOString();
    await reader.read({ ...ids(smallOriginals), customerTenantId: small }, observedAt);
    const tenantReadRequests = reader.requests;
    await reader.read({ ...ids(smallOriginals), customerTenantId: small }, observedAt);
    const tenantReadRequestsCached = reader.requests - tenantReadRequests;

    // A transfer at the 2,000-id bound whose 500 originals are in a tenant of 2,000.
    const key = { partnerId: PARTNER, customerTenantId: randomUUID() };
    const events = transferAtBound(key).map(parseUpstreamEvent);
    const first = events[0];
    const originals =
      first?.detailType === "Invitation Sent"
        ? first.detail.subscriptions.map((s) => s.subscriptionId)
        : [];
    fillTenant(graph, key.customerTenantId, originals, 2_000);
    const big = new TenantReader(settings);
    const started = performance.now();
    const outcome = await big.read(
      { ...ids(originals), customerTenantId: key.customerTenantId },
      observedAt,
    );
    const tenant2000ReadMs = Math.round(performance.now() - started);
    if (outcome.kind !== "read") throw new Error(`tenant of 2,000: ${outcome.reason}`);
    const read = parseUpstreamEvent(envelope("Tenant Observed", outcome.detail, observedAt));
    return {
      tenantReadRequests,
      tenantReadRequestsCached,
      tenant2000ReadRequests: big.requests,
      tenant2000ReadMs,
      tenantObservedBytes: Buffer.byteLength(JSON.stringify(outcome.detail)),
      stateBytesAtBoundWithTenantRead: encodeState(foldEvents([...events, read])).byteLength,
    };
  } finally {
    await graph.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchTenant().then(
    (figures) => console.log(JSON.stringify(figures)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
