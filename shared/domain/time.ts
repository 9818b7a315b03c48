/** Time helpers shared by the domain rules: all comparisons are on instants, all dates in UTC. */

/** A date-time with a time of day but no `Z` or offset. */
const WITHOUT_OFFSET = /T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;

/**
 * Milliseconds since the epoch. A date-time without an offset is read as UTC (as a date alone
 * already is), never in the host's local time zone: the view must not depend on where it runs.
 */
export function instantOf(iso: string): number {
  const cached = parsedInstants.get(iso);
  if (cached !== undefined) return cached;
  const ms = Date.parse(WITHOUT_OFFSET.test(iso) ? `${iso}Z` : iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO 8601 instant: ${iso}`);
  if (parsedInstants.size >= MAX_CACHED_INSTANTS) parsedInstants.clear();
  parsedInstants.set(iso, ms);
  return ms;
}

/** Sorting 500 originals parses the same few strings thousands of times: remember them. */
const parsedInstants = new Map<string, number>();
const MAX_CACHED_INSTANTS = 50_000;

/** Orders two ISO instants; ties (the same instant written differently) compare equal. */
export function compareInstants(a: string, b: string): number {
  return instantOf(a) - instantOf(b);
}

/** The UTC calendar date of an instant as days since the epoch. */
export function utcDay(iso: string): number {
  return Math.floor(instantOf(iso) / 86_400_000);
}

/** The UTC calendar date of an instant as YYYY-MM-DD. */
export function utcDate(iso: string): string {
  return new Date(utcDay(iso) * 86_400_000).toISOString().slice(0, 10);
}

/** Whole UTC calendar days from `now` to `end` (negative once `end` is past). */
export function daysBetween(now: string, end: string): number {
  return utcDay(end) - utcDay(now);
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A version of a fact: when it was true, and the event that said so (see compareVersions). */
export type Stamp = { at: string; eventId: string };

/**
 * A total order on plain JSON values: numbers by value, booleans false < true, strings by code
 * unit, anything else by its canonical JSON (object keys sorted).
 */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  if (typeof a === "string" && typeof b === "string") return compareStrings(a, b);
  return compareStrings(canonicalJson(a), canonicalJson(b));
}

/** JSON with object keys sorted, so equal values always give the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([x], [y]) => compareStrings(x, y)),
        )
      : v,
  );
}

/** A value as of a stamp. */
export type Versioned<T = unknown> = { stamp: Stamp; value: T };

/**
 * Orders two versions of a fact: by instant; at the same instant, two different values are
 * ordered by their content, and only equal values fall back to the event id. The same fact
 * re-sent under a new id therefore never changes which value wins (SPEC section 3), and
 * between different values at one instant the outcome is independent of the ids chosen.
 */
export function compareVersions(a: Versioned, b: Versioned): number {
  return (
    compareInstants(a.stamp.at, b.stamp.at) ||
    compareValues(a.value, b.value) ||
    compareStrings(a.stamp.eventId, b.stamp.eventId)
  );
}

/** The later of two stamped values (last writer wins). */
export function latest<T extends Versioned>(a: T | undefined, b: T): T {
  return a === undefined || compareVersions(b, a) > 0 ? b : a;
}

/** The earlier of two stamped values (first writer wins). */
export function earliest<T extends Versioned>(a: T | undefined, b: T): T {
  return a === undefined || compareVersions(b, a) < 0 ? b : a;
}
