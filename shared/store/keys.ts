/** Item keys of the single table (see README "Data model"). */
import { LIST_SHARDS, REMINDER_SHARDS } from "./table-definition.js";

export type TransferKey = { partnerId: string; customerTenantId: string };

/** Encoded so that a '#' inside an id can never make two transfers share a key. */
const part = (value: string) => encodeURIComponent(value);

export const transferPk = (key: TransferKey) =>
  `TRANSFER#${part(key.partnerId)}#${part(key.customerTenantId)}`;

/** The transfer a partition key names (the inverse of transferPk), or null for another pk. */
export function transferKeyOfPk(pk: string): TransferKey | null {
  const match = /^TRANSFER#([^#]*)#([^#]*)$/.exec(pk);
  if (!match) return null;
  return {
    partnerId: decodeURIComponent(match[1] ?? ""),
    customerTenantId: decodeURIComponent(match[2] ?? ""),
  };
}

export const STATE_SK = "STATE";
export const eventSk = (eventId: string) => `EVENT#${eventId}`;
export const originalSk = (subscriptionId: string) => `ORIGINAL#${subscriptionId}`;
export const EVENT_PREFIX = "EVENT#";
/** An event received while its transfer was contended, waiting to be folded (see README). */
export const inboxSk = (eventId: string) => `INBOX#${eventId}`;
export const INBOX_PREFIX = "INBOX#";
export const ORIGINAL_PREFIX = "ORIGINAL#";

/** A stable 32-bit FNV-1a hash, for spreading index entries over fixed partitions. */
function stableHash(text: string): number {
  let hash = 2166136261;
  for (const char of text) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return hash;
}

/** Spreads reminder-index entries over shards by a stable hash of the original's key. */
export function reminderShardOf(pk: string, subscriptionId: string): string {
  return `DUE#${stableHash(`${pk}|${subscriptionId}`) % REMINDER_SHARDS}`;
}

export const reminderShards = (): string[] =>
  Array.from({ length: REMINDER_SHARDS }, (_, i) => `DUE#${i}`);

/** Sort key in the reminder index: due date first, so a scan reads `<= today` only. */
export const reminderDueKey = (date: string, pk: string, subscriptionId: string) =>
  `${date}#${pk}#${subscriptionId}`;

/** Summary index: a partner's transfers share one partition, sorted by customer. */
export const listShardOf = (partnerId: string) => `LIST#${stableHash(partnerId) % LIST_SHARDS}`;
export const listShards = (): string[] =>
  Array.from({ length: LIST_SHARDS }, (_, i) => `LIST#${i}`);
export const listKeyOf = (key: TransferKey) =>
  `${part(key.partnerId)}#${part(key.customerTenantId)}`;
/** Every list key of one partner starts with this. */
export const listKeyPrefix = (partnerId: string) => `${part(partnerId)}#`;

/** Partner-entry index: one partition per partner. */
export const entryPartnerOf = (partnerId: string) => `PARTNER#${part(partnerId)}`;
/** An active original's entry: its end date (UTC) first, so a window is one key range. */
export const expiryEntryKey = (date: string, customerTenantId: string, subscriptionId: string) =>
  `E#${date}#${part(customerTenantId)}#${subscriptionId}`;
/** Bounds of the expiry entries ending from `fromDate` to `toDate` (UTC dates, inclusive). */
export const expiryEntryRange = (fromDate: string, toDate: string) =>
  [`E#${fromDate}#`, `E#${toDate}$`] as const;
/** A history entry of one transfer (one per distinct event). */
export const historyEntryKey = (customerTenantId: string, eventId: string) =>
  `H#${part(customerTenantId)}#${eventId}`;
export const historyEntryPrefix = (customerTenantId: string) => `H#${part(customerTenantId)}#`;
