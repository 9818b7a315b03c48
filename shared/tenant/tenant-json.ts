/**
 * The tenant part of `show` (CLI `--json`, the API, the pages): the coverage of the latest read
 * the view holds, and from the read log when the tenant was last read or why it could not be.
 * Absent for a transfer whose tenant was never tried, so older shapes stay as they were.
 */
import type { TenantView } from "../domain/view-types.js";
import type { TenantReadRecord } from "./read-log.js";

export type TenantJson = {
  /** The read the view is derived from (content last changed then); null if none. */
  observedAt: string | null;
  /** The last attempt: read, or unreadable with its reason (null when never logged). */
  lastAttempt: { at: string; outcome: "read" | "unreadable"; reason: string | null } | null;
  lastReadAt: string | null;
  coverage: TenantView["coverage"];
};

export function tenantJson(
  tenant: TenantView | undefined,
  read: TenantReadRecord | null | undefined,
): TenantJson | null {
  if (!tenant && !read) return null;
  return {
    observedAt: tenant?.observedAt ?? null,
    lastAttempt: read ? { at: read.attemptedAt, outcome: read.outcome, reason: read.reason } : null,
    lastReadAt: read?.lastReadAt ?? tenant?.observedAt ?? null,
    coverage: tenant?.coverage ?? [],
  };
}
