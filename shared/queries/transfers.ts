/**
 * `show` and `list`: one transfer's view and the transfer summaries, read through the store's
 * public read API. The CLI's `--json`, the web API and the pages all print these shapes.
 */
import type { TransferView } from "../domain/view-types.js";
import type { TransferStatus } from "../events/index.js";
import { IdString } from "../events/primitives.js";
import type { TransferKey } from "../store/keys.js";
import {
  listTransferSummaries,
  readTransferView,
  type TransferSummary,
} from "../store/transfer-read.js";

export { IndexNotReadyError, partnersOf } from "../store/transfer-read.js";

import { TenantReadLog, type TenantReadRecord } from "../tenant/read-log.js";
import { tenantJson } from "../tenant/tenant-json.js";
import type { ReadSource } from "./source.js";

export type { TransferSummary };

/** A transfer's view, with its tenant read log (SPEC section 10: kept outside the fold). */
export type ShownTransfer = TransferView & { tenantRead?: TenantReadRecord | null };

/** An id the events' id rule accepts as it is (no event could name a transfer otherwise). */
const storableId = (id: string) => IdString.safeParse(id).data === id;

/**
 * The full view of one transfer, or null when no event for it was ever stored — at once, without
 * a read, for ids no event can carry (DynamoDB would refuse a key that long as an error).
 */
export async function showTransfer(
  source: ReadSource,
  key: TransferKey,
): Promise<ShownTransfer | null> {
  if (!storableId(key.partnerId) || !storableId(key.customerTenantId)) return null;
  const [view, tenantRead] = await Promise.all([
    readTransferView(source.db, source.tableName, key),
    new TenantReadLog(source.db, source.tableName).get(key),
  ]);
  return view && tenantRead ? { ...view, tenantRead } : view;
}

/** The view with exactly the fields SPEC section 6 lists for `show --json`. */
export function transferJson(view: ShownTransfer) {
  const tenant = tenantJson(view.tenant, view.tenantRead);
  return {
    partnerId: view.partnerId,
    customerTenantId: view.customerTenantId,
    customerName: view.customerName,
    status: view.status,
    warnings: view.warnings,
    unmatched: view.unmatched.map((u) => ({
      subscriptionId: u.subscriptionId,
      offerId: u.offerId,
      quantity: u.quantity,
      provisionedAt: u.provisionedAt,
    })),
    subscriptions: view.subscriptions.map((s) => ({
      subscriptionId: s.subscriptionId,
      offerId: s.offerId,
      offerName: s.offerName,
      quantity: s.quantity,
      commitmentEndDate: s.commitmentEndDate,
      autoRenewEnabled: s.autoRenewEnabled,
      state: s.state,
      replacement: s.replacement
        ? {
            subscriptionId: s.replacement.subscriptionId,
            offerId: s.replacement.offerId,
            quantity: s.replacement.quantity,
            provisionedAt: s.replacement.provisionedAt,
          }
        : null,
      reminders: s.reminders.map((r) => ({ thresholdDays: r.thresholdDays, sentAt: r.sentAt })),
    })),
    ...(tenant ? { tenant } : {}),
    history: view.history.map((h) => ({
      eventId: h.eventId,
      detailType: h.detailType,
      time: h.time,
    })),
  };
}
export type TransferJson = ReturnType<typeof transferJson>;

export type ListFilter = { status?: TransferStatus | undefined; partnerId?: string | undefined };

/** Transfer summaries (`list`), optionally of one partner and/or one status. */
export function listTransfers(
  source: ReadSource,
  filter: ListFilter = {},
): Promise<TransferSummary[]> {
  return listTransferSummaries(source.db, source.tableName, {
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.partnerId ? { partnerId: filter.partnerId } : {}),
  });
}
