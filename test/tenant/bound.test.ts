/**
 * SPEC sections 5 and 10: a read of a 2,000-subscription tenant folded into a transfer at the
 * 2,000-id bound still fits one DynamoDB item, and a tenant of 20 subscriptions costs at most 3
 * requests (the figures `npm run bench` prints, checked here as bounds, not timings).
 */
import { describe, expect, it } from "vitest";
import { benchTenant } from "../../bench/tenant.js";

describe("tenant reads stay bounded", () => {
  it("3 requests for 20 subscriptions; a 2,000-subscription read fits beside a transfer at the bound", async () => {
    const figures = await benchTenant();
    expect(figures.tenantReadRequests).toBeLessThanOrEqual(3);
    expect(figures.tenantReadRequestsCached).toBe(2);
    // 20 pages of subscriptions, 1 of SKUs, 1 token.
    expect(figures.tenant2000ReadRequests).toBe(22);
    expect(figures.tenantObservedBytes).toBeLessThan(256 * 1024);
    expect(figures.stateBytesAtBoundWithTenantRead).toBeLessThan(400 * 1024);
  });
});
