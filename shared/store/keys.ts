/** Item keys of the single table (see README "Data model"). */
import { REMINDER_SHARDS } from "./table-definition.js";

export type TransferKey = { partnerId: string; customerTenantId: string };

/** Encoded so that a '#' inside an id can never make two transfers share a key. */
const part = (value: string) => encodeURIComponent(value);

export const transferPk = (key: TransferKey) =>
  `TRANSFER#${part(key.partnerId)}#${part(key.customerTenantId)}`;

export const STATE_SK = "STATE";
export const eventSk = (eventId: string) => `EVENT#${eventId}`;
export const originalSk = (subscriptionId: string) => `ORIGINAL#${subscriptionId}`;
export const EVENT_PREFIX = "EVENT#";
/** An event received while its transfer was contended, waiting to be folded (see README). */
export const inboxSk = (eventId: string) => `INBOX#${eventId}`;
export const INBOX_PREFIX = "INBOX#";
export const ORIGINAL_PREFIX = "ORIGINAL#";

export const partnerKey = (partnerId: string) => `PARTNER#${part(partnerId)}`;

/** Spreads reminder-index entries over shards by a stable hash of the original's key. */
export function reminderShardOf(pk: string, subscriptionId: string): string {
  let hash = 2166136261;
  for (const char of `${pk}|${subscriptionId}`) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return `DUE#${hash % REMINDER_SHARDS}`;
}

export const reminderShards = (): string[] =>
  Array.from({ length: REMINDER_SHARDS }, (_, i) => `DUE#${i}`);

/** Sort key in the reminder index: due date first, so a scan reads `<= today` only. */
export const reminderDueKey = (date: string, pk: string, subscriptionId: string) =>
  `${date}#${pk}#${subscriptionId}`;
