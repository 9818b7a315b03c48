import * as z from "zod";

/** ISO 3166-1 alpha-2 codes, so an unknown country is rejected rather than silently mismatched. */
import { COUNTRY_CODES } from "./countries.js";

/**
 * Length limits, in UTF-16 code units. They are what lets the largest valid event be stored:
 * 500 originals with every id and name at its limit, in the least compressible characters the
 * schemas allow, fit one PutEvents entry (1 MiB) and, compressed, one DynamoDB item (400 KB);
 * test/shared/store/largest-event.test.ts measures it. Ids are printable ASCII (Partner Center's
 * are GUIDs or short catalogue ids), so the keys built from them stay within DynamoDB's key
 * limits; offer and company names fit 128 characters of any script.
 */
export const MAX_ID_LENGTH = 64;
export const MAX_TEXT_LENGTH = 128;

/**
 * Characters refused in names and ids: C0 and C1 control characters (ESC, CR, BEL, NUL... would
 * drive an operator's terminal or break tables), line and paragraph separators, the
 * bidirectional formatting characters that reorder what is shown (U+202E and friends), and
 * unpaired surrogates (not text at all).
 */
const UNSAFE_CHARACTER =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The same rule as a whole-string pattern, so the published JSON Schemas carry it too. */
const SAFE_TEXT =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  /^(?:[^\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;

/** The first unsafe character of a text as "U+XXXX at position N", or null when it has none. */
export function unsafeCharacterIn(text: string): string | null {
  const match = UNSAFE_CHARACTER.exec(text);
  if (!match) return null;
  const code = (match[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0");
  return `U+${code} at position ${match.index}`;
}

/** A trimmed, non-empty string of at most `max` code units with no unsafe characters. */
function safeString(max: number) {
  return z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(SAFE_TEXT, {
      error: (issue) =>
        "must not contain control or bidirectional-override characters " +
        `(found ${unsafeCharacterIn(String(issue.input))})`,
    });
}

/** Printable ASCII without spaces: what Partner Center's ids are made of. */
const ID_TEXT = /^[\x21-\x7E]*$/;

export const IdString = z
  .string()
  .trim()
  .min(1)
  .max(MAX_ID_LENGTH)
  .regex(ID_TEXT, {
    error: (issue) => {
      const text = String(issue.input);
      const index = text.search(/[^\x21-\x7E]/);
      const code = (text.codePointAt(index) ?? 0).toString(16).toUpperCase().padStart(4, "0");
      return `must be printable ASCII without spaces or control characters (found U+${code} at position ${index})`;
    },
  });
export const TextString = safeString(MAX_TEXT_LENGTH);

/** An ISO 8601 date or date-time that names a real instant (so 2026-02-30 is refused). */
export const IsoDateTime = z
  .string()
  .max(40)
  .refine(isRealIsoInstant, { message: "must be an ISO 8601 date or date-time" });

export const CountryCode = z
  .string()
  .length(2)
  .transform((code) => code.toUpperCase())
  .refine((code) => COUNTRY_CODES.has(code), {
    message: "must be an ISO 3166-1 alpha-2 country code",
  });

export const Email = z.email().max(254);

/** Term of a subscription as an ISO 8601 duration: P1M, P1Y, P3Y, P30D... */
export const TermDuration = z
  .string()
  .max(20)
  .regex(
    /^P(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?$/,
    "must be an ISO 8601 duration such as P1M or P1Y",
  )
  .refine((value) => value !== "P", { message: "must be an ISO 8601 duration such as P1M or P1Y" });

export const Quantity = z.number().int().min(1).max(1_000_000);

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function isRealIsoInstant(value: string): boolean {
  const match = ISO_INSTANT.exec(value);
  if (!match) return false;
  const [, y, m, d, hh, mm, ss] = match;
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return false;
  if (hh !== undefined && (Number(hh) > 23 || Number(mm) > 59 || Number(ss ?? 0) > 59))
    return false;
  return !Number.isNaN(Date.parse(value));
}
