/** Time helpers shared by the domain rules: all comparisons are on instants, all dates in UTC. */

export function instantOf(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO 8601 instant: ${iso}`);
  return ms;
}

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

/** A version of a fact: when it was true, and the event that said so (ties go to the greater id). */
export type Stamp = { at: string; eventId: string };

export function compareStamps(a: Stamp, b: Stamp): number {
  return compareInstants(a.at, b.at) || compareStrings(a.eventId, b.eventId);
}

/** The later of two stamped values (last writer wins). */
export function latest<T extends { stamp: Stamp }>(a: T | undefined, b: T): T {
  return a === undefined || compareStamps(b.stamp, a.stamp) > 0 ? b : a;
}

/** The earlier of two stamped values (first writer wins). */
export function earliest<T extends { stamp: Stamp }>(a: T | undefined, b: T): T {
  return a === undefined || compareStamps(b.stamp, a.stamp) < 0 ? b : a;
}
