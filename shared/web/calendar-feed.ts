/**
 * The partner's calendar feed (SPEC section 8): `/calendar/{partnerId}.ics?token=T`, where T is
 * an HMAC-SHA256 of the partner id under a secret, compared in constant time. The calendar is the
 * same `expiryCalendar` the reminder digest attaches, so each entry has the same UID.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { activeAdviceFacts, adviceDescription } from "../advice/advice.js";
import { type CalendarExpiry, expiryCalendar } from "../calendar/expiry-calendar.js";
import { type ExpiryRow, partnerExpiries, type ReadSource } from "../queries/index.js";
import { plainText } from "../text/plain-text.js";

/** Secrets shorter than this are refused: the token is only as strong as its key. */
export const MIN_SECRET_BYTES = 32;

function digest(secret: Buffer, partnerId: string): Buffer {
  if (secret.length < MIN_SECRET_BYTES) {
    throw new RangeError(`the calendar secret must have at least ${MIN_SECRET_BYTES} bytes`);
  }
  return createHmac("sha256", secret).update(`calendar:${partnerId}`, "utf8").digest();
}

export function calendarToken(secret: Buffer, partnerId: string): string {
  return digest(secret, partnerId).toString("base64url");
}

/** True only for the partner's own token; the comparison takes the same time wherever it differs. */
export function tokenMatches(secret: Buffer, partnerId: string, token: string | null): boolean {
  const expected = digest(secret, partnerId);
  const given = Buffer.from(token ?? "", "base64url");
  // The token's length is public (it is in every URL); only its bytes need a constant-time check.
  if (given.length !== expected.length) return false;
  return timingSafeEqual(given, expected);
}

export function calendarUrl(baseUrl: string, secret: Buffer, partnerId: string): string {
  const base = baseUrl.replace(/\/+$/, "");
  return `${base}/calendar/${encodeURIComponent(partnerId)}.ics?token=${calendarToken(secret, partnerId)}`;
}

export async function partnerCalendar(
  source: ReadSource,
  partnerId: string,
  now: Date,
): Promise<string> {
  const rows = await partnerExpiries(source, partnerId, now.toISOString());
  return partnerCalendarText(rows, partnerId, now);
}

/**
 * The feed's calendar from its rows: each entry as in the reminder email's `expiries.ics` (the
 * same UID, SUMMARY and, from the one advice module, the same DESCRIPTION).
 */
export function partnerCalendarText(
  rows: readonly ExpiryRow[],
  partnerId: string,
  now: Date,
): string {
  const expiries: CalendarExpiry[] = rows.map((row) => ({
    subscriptionId: row.subscriptionId,
    commitmentEndDate: row.commitmentEndDate,
    customerName: plainText(row.customerName),
    offerName: plainText(row.offerName),
    advice: adviceDescription(activeAdviceFacts(row)),
  }));
  return expiryCalendar(expiries, { name: `CSP transfers: ${partnerId}`, now });
}

/** The deployed secret is a generated string (Secrets Manager); its UTF-8 bytes are the key. */
export function secretFromString(value: string): Buffer {
  return Buffer.from(value.trim(), "utf8");
}
