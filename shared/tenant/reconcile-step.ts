/**
 * The tenant's part of a reconcile (SPEC section 10), called once per transfer by the
 * connector's reconcile: transfers in ACCEPTED, PROVISIONING or PROVISIONED are read; a read
 * whose content differs from what the transfer holds becomes one `Tenant Observed` to publish;
 * every attempt, read or not, is written to the read log with its time and reason.
 */
import type { TransferStatus } from "../events/index.js";
import type { OutgoingEvent } from "../tracker/event-publisher.js";
import type { TransferIds } from "./mapping.js";
import type { TenantReadLog } from "./read-log.js";
import type { TenantReader } from "./reader.js";

export const TENANT_READ_STATUSES: readonly TransferStatus[] = [
  "ACCEPTED",
  "PROVISIONING",
  "PROVISIONED",
];

export type TenantTransfer = TransferIds & {
  status: TransferStatus;
  /** The fingerprint of the read the transfer holds (view.tenant), null if none. */
  tenantFingerprint: string | null;
};

export type TenantStepResult =
  | { kind: "skipped" }
  | { kind: "read"; events: OutgoingEvent[] }
  | { kind: "unreadable"; reason: string };

export type TenantStep = (transfer: TenantTransfer, now: string) => Promise<TenantStepResult>;

export type TenantLog = (
  level: "info" | "warn",
  message: string,
  fields: Record<string, unknown>,
) => void;

export function tenantStep(
  reader: TenantReader,
  readLog: TenantReadLog,
  log: TenantLog,
): TenantStep {
  return async (transfer, now) => {
    if (!TENANT_READ_STATUSES.includes(transfer.status)) return { kind: "skipped" };
    const key = { partnerId: transfer.partnerId, customerTenantId: transfer.customerTenantId };
    const outcome = await reader.read(
      { ...transfer, fingerprint: transfer.tenantFingerprint },
      now,
    );
    try {
      await readLog.record(key, now, outcome);
    } catch (error) {
      // The read itself stands; only the page's "last read" line is stale until the next run.
      log("warn", "tenant read not logged", { ...key, reason: (error as Error).message });
    }
    if (outcome.kind === "unreadable") {
      log("warn", "tenant unreadable", { ...key, reason: outcome.reason });
      return outcome;
    }
    log("info", outcome.changed ? "tenant read: changed" : "tenant read: unchanged", key);
    return {
      kind: "read",
      events: outcome.changed ? [{ detailType: "Tenant Observed", detail: outcome.detail }] : [],
    };
  };
}
