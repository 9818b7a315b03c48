/**
 * The two warnings only the customer's tenant can give (SPEC section 10), and the coverage of
 * each matched original that the transfer page shows.
 */
import type { SubscriptionProvisioned } from "../events/index.js";
import { coverage } from "./coverage.js";
import type { EffectiveOriginal } from "./originals.js";
import type { TenantRead } from "./tenant.js";
import { utcDate, utcDay } from "./time.js";
import type { TenantCoverage, Warning } from "./view-types.js";

const users = (n: number) => `${n} user${n === 1 ? "" : "s"}`;

/** Coverage of every matched original (null numbers when it is not an active `Enabled` one). */
export function tenantCoverage(
  originals: readonly EffectiveOriginal[],
  tenant: TenantRead,
): TenantCoverage[] {
  const rows: TenantCoverage[] = [];
  for (const original of originals) {
    const observed = tenant.original(original.subscriptionId);
    if (!observed) continue;
    const sku = tenant.sku(observed.skuId);
    const row: TenantCoverage = {
      subscriptionId: original.subscriptionId,
      status: observed.status,
      skuPartNumber: sku?.skuPartNumber ?? null,
      licenses: observed.totalLicenses,
      consumedUnits: sku?.consumedUnits ?? null,
      remaining: null,
      users: null,
      endDate: utcDate(original.commitmentEndDate),
    };
    if (sku && observed.status === "Enabled" && original.ended === null) {
      const endDay = utcDay(original.commitmentEndDate);
      let endingLicenses = 0;
      for (const other of originals) {
        if (other.subscriptionId === original.subscriptionId) continue;
        const seen = tenant.original(other.subscriptionId);
        if (seen?.status !== "Enabled" || seen.skuId.toLowerCase() !== sku.skuId.toLowerCase())
          continue;
        if (other.ended !== null || utcDay(other.commitmentEndDate) <= endDay)
          endingLicenses += seen.totalLicenses;
      }
      Object.assign(
        row,
        coverage({
          consumedUnits: sku.consumedUnits,
          enabledLicenses: sku.enabledLicenses,
          ownLicenses: observed.totalLicenses,
          endingLicenses,
        }),
      );
    }
    rows.push(row);
  }
  return rows;
}

export function licensesNotCovered(
  row: TenantCoverage,
  replacement: SubscriptionProvisioned | undefined,
): Warning | null {
  if (row.users === null || row.users <= 0 || row.skuPartNumber === null) return null;
  const sku = row.skuPartNumber;
  const todo = replacement
    ? "assign them the replacement's license before then"
    : "provision the replacement and assign them its license before then";
  return {
    code: "LICENSES_NOT_COVERED",
    subscriptionId: row.subscriptionId,
    users: row.users,
    skuPartNumber: sku,
    date: row.endDate,
    message:
      `${users(row.users)} ${row.users === 1 ? "holds" : "hold"} ${sku} licenses that end with this ` +
      `original on ${row.endDate} and ${row.users === 1 ? "has" : "have"} no other ${sku} license ` +
      `to fall back on: ${todo}.`,
  };
}

/** Subscriptions of another channel that the invitation missed (not an original, not new). */
export function untrackedOriginals(tenant: TenantRead, knownIds: ReadonlySet<string>): Warning[] {
  const known = (id: string | null) => id !== null && knownIds.has(id.toLowerCase());
  return tenant.untracked
    .filter((u) => !known(u.subscriptionId) && !known(u.otherId))
    .map((u) => {
      const date = u.nextLifecycleDateTime ? utcDate(u.nextLifecycleDateTime) : null;
      return {
        code: "UNTRACKED_ORIGINAL",
        subscriptionId: u.subscriptionId,
        skuPartNumber: u.skuPartNumber,
        seats: u.totalLicenses,
        date,
        message:
          `The customer also has ${u.skuPartNumber} × ${u.totalLicenses} from another channel ` +
          `(subscription ${u.subscriptionId}, ${date ? `next lifecycle date ${date}` : "no lifecycle date given"}) ` +
          "that this transfer does not include: it will be neither moved nor reminded.",
      } satisfies Warning;
    });
}
