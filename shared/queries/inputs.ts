/**
 * The read side's parameters, checked once for every door (CLI flags, API query parameters): a
 * bad value is a `QueryInputError` naming the parameter, which the CLI reports as `--name …` and
 * the API as a 400 `{error}`.
 */
import { TransferStatus } from "../events/index.js";
import { IdString, IsoDateTime, MAX_ID_LENGTH } from "../events/primitives.js";

export class QueryInputError extends Error {
  override readonly name = "QueryInputError";
  constructor(
    /** The parameter's name without dashes (`status`, `within`, `now`, `partner`). */
    readonly parameter: string,
    /** What is wrong, starting after the parameter's name: "must be …, got …". */
    readonly problem: string,
  ) {
    super(`${parameter} ${problem}`);
  }
}

export const DEFAULT_DUE_WITHIN_DAYS = 60;
/** Ten years: a longer window asks for nothing a partner can act on. */
export const MAX_DUE_WITHIN_DAYS = 3650;

export function parseStatus(value: string | undefined): TransferStatus | undefined {
  if (value === undefined) return undefined;
  const parsed = TransferStatus.safeParse(value);
  if (!parsed.success) {
    throw new QueryInputError(
      "status",
      `must be one of ${TransferStatus.options.join(", ")}; got "${value}"`,
    );
  }
  return parsed.data;
}

export function parsePartner(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  // The events' own id rule: a partner id no event can carry matches no transfer.
  const parsed = IdString.safeParse(value);
  if (!parsed.success) {
    const reason = parsed.error.issues[0]?.message ?? "is not an id";
    throw new QueryInputError(
      "partner",
      `must be a partner id (1-${MAX_ID_LENGTH} characters): ${reason}`,
    );
  }
  return parsed.data;
}

export function parseWithin(value: string | undefined): number {
  if (value === undefined) return DEFAULT_DUE_WITHIN_DAYS;
  const days = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(days) || days > MAX_DUE_WITHIN_DAYS) {
    throw new QueryInputError(
      "within",
      `must be a whole number of days from 0 to ${MAX_DUE_WITHIN_DAYS}, got "${value}"`,
    );
  }
  return days;
}

/** The clock of a query: an ISO 8601 date or date-time, or the current time. */
export function parseNow(value: string | undefined, clock: () => Date = () => new Date()): string {
  if (value === undefined) return clock().toISOString();
  if (!IsoDateTime.safeParse(value).success) {
    throw new QueryInputError("now", `must be an ISO 8601 date or date-time, got "${value}"`);
  }
  return value;
}
