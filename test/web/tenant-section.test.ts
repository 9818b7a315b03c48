/**
 * The transfer page's tenant section shows what Graph and the read log hold as text, never as
 * markup: a SKU part number, an offer name, a subscription id and an unreadable reason that
 * carry HTML come out escaped.
 */
import { describe, expect, it } from "vitest";
import type { TransferJson } from "../../shared/queries/index.js";
import { tenantSection } from "../../shared/web/tenant-section.js";

const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

function view(reason: string | null): TransferJson {
  return {
    subscriptions: [{ subscriptionId: `o-1${HOSTILE}`, offerName: `Plan ${HOSTILE}` }],
    tenant: {
      observedAt: "2026-11-01T08:00:00Z",
      lastAttempt: {
        at: "2026-11-02T08:00:00Z",
        outcome: reason ? "unreadable" : "read",
        reason,
      },
      lastReadAt: "2026-11-01T08:00:00Z",
      coverage: [
        {
          subscriptionId: `o-1${HOSTILE}`,
          status: "Enabled",
          skuPartNumber: `SKU${HOSTILE}`,
          licenses: 10,
          consumedUnits: 12,
          remaining: 0,
          users: 2,
          endDate: "2027-01-31",
        },
      ],
    },
  } as unknown as TransferJson;
}

describe("the tenant section with hostile values", () => {
  it.each([
    ["a read", null],
    ["an unreadable tenant", `AADSTS700016: ${HOSTILE}`],
  ])("after %s shows them as text", (_, reason) => {
    const out = String(tenantSection(view(reason)));
    expect(out).not.toMatch(/<script|<img/i);
    expect(out).toContain("&lt;script&gt;");
    expect(out).toContain("SKU&lt;script&gt;");
    if (reason) expect(out).toContain("Could not be read");
  });
});
