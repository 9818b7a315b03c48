import type { TransferState } from "../domain/state.js";
import { compareInstants } from "../domain/time.js";
import type { deriveView } from "../domain/view.js";
import { listKeyOf, listShardOf, STATE_SK, type TransferKey } from "./keys.js";
import { encodeState } from "./state-codec.js";

export type StateItemMeta = {
  version: number;
  /** False while some original items may still lag the state (a large invitation's overflow). */
  originalsSynced: boolean;
  /**
   * Set by a commit that folded the inbox: deliveries arriving meanwhile join the inbox at once
   * instead of preparing a commit that would lose.
   */
  inboxBusyUntil: number | undefined;
};

/** The transfer's state item: the folded state compressed, and the summary `list` reads. */
export function stateItemOf(
  pk: string,
  key: TransferKey,
  state: TransferState,
  view: ReturnType<typeof deriveView>,
  meta: StateItemMeta,
): Record<string, unknown> {
  const nextExpiry = view.subscriptions
    .filter((s) => s.state === "ACTIVE")
    .map((s) => s.commitmentEndDate)
    .sort(compareInstants)[0];
  return {
    pk,
    sk: STATE_SK,
    partnerId: key.partnerId,
    customerTenantId: key.customerTenantId,
    // The summary index's keys: `list` reads the summary from the index, never the state.
    listShard: listShardOf(key.partnerId),
    listKey: listKeyOf(key),
    customerName: view.customerName ?? undefined,
    status: view.status,
    warningCount: view.warnings.length,
    nextExpiry,
    version: meta.version,
    originalsSynced: meta.originalsSynced,
    inboxBusyUntil: meta.inboxBusyUntil,
    state: encodeState(state),
  };
}

/**
 * An item's size as DynamoDB counts it against the 400 KB limit: attribute names plus values
 * (strings as UTF-8, binary by its bytes, numbers up to 21 bytes, plus container overhead).
 */
export function itemSizeBytes(item: Record<string, unknown>): number {
  const valueSize = (value: unknown): number => {
    if (value instanceof Uint8Array) return value.byteLength;
    if (typeof value === "string") return Buffer.byteLength(value);
    if (typeof value === "number") return 21;
    if (typeof value === "boolean" || value === null || value === undefined) return 1;
    if (Array.isArray(value)) return 3 + value.reduce((n: number, v) => n + 1 + valueSize(v), 0);
    return 3 + itemSizeBytes(value as Record<string, unknown>);
  };
  return Object.entries(item)
    .filter(([, v]) => v !== undefined)
    .reduce((n, [k, v]) => n + Buffer.byteLength(k) + valueSize(v), 0);
}
