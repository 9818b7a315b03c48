/**
 * The partner's calendar feed (SPEC section 8): `/calendar/{partnerId}.ics?token=T`, where T is
 * an HMAC-SHA256 of the partner id under a secret, compared in constant time. The calendar is the
 * same `expiryCalendar` the reminder digest attaches, so each entry has the same UID.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { type CalendarExpiry, expiryCalendar } from "../calendar/expiry-calendar.js";
import { utcDate } from "../domain/time.js";
import { type DueOriginal, partnerExpiries, type ReadSource } from "../queries/index.js";

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

/** What to do about one original, in words: the calendar entry's description. */
export function expiryAdvice(row: DueOriginal): string {
  const day = utcDate(row.commitmentEndDate);
  return row.replacementProvisioned
    ? `The replacement is provisioned. Let the original ${row.offerName} (${row.quantity} seats, ` +
        `subscription ${row.subscriptionId}) expire on ${day}; check that auto-renew is off. ` +
        "Do not cancel it: cancelling gives no refund."
    : `No replacement yet. Before ${day}, provision the same offer (${row.offerName}) with the ` +
        `same seat count (${row.quantity}), or end users lose service when the original expires.`;
}

export async function partnerCalendar(
  source: ReadSource,
  partnerId: string,
  now: Date,
): Promise<string> {
  const rows = await partnerExpiries(source, partnerId, now.toISOString());
  const expiries: CalendarExpiry[] = rows.map((row) => ({
    subscriptionId: row.subscriptionId,
    commitmentEndDate: row.commitmentEndDate,
    customerName: row.customerName,
    offerName: row.offerName,
    advice: expiryAdvice(row),
  }));
  return expiryCalendar(expiries, { name: `CSP transfers: ${partnerId}`, now });
}

/** The deployed secret is a generated string (Secrets Manager); its UTF-8 bytes are the key. */
export function secretFromString(value: string): Buffer {
  return Buffer.from(value.trim(), "utf8");
}
