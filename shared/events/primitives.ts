import * as z from "zod";

/** ISO 3166-1 alpha-2 codes, so an unknown country is rejected rather than silently mismatched. */
import { COUNTRY_CODES } from "./countries.js";

const MAX_ID = 256;
const MAX_TEXT = 1024;

export const IdString = z.string().trim().min(1).max(MAX_ID);
export const TextString = z.string().trim().min(1).max(MAX_TEXT);

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
