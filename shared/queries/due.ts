/**
 * `due`: active originals of transfers in progress with 0 <= daysLeft <= within at `now`,
 * soonest first — the reminders' due listing, shared by the CLI, the API, the `/due` page, the
 * risk chart and the calendar feed.
 */
import { type DueOriginal, listDue } from "../reminders/due.js";
import { MAX_DUE_WITHIN_DAYS } from "./inputs.js";
import type { ReadSource } from "./source.js";

export type { DueOriginal };

export function dueOriginals(
  source: ReadSource,
  options: { withinDays: number; now: string },
): Promise<DueOriginal[]> {
  return listDue({
    db: source.db,
    tableName: source.tableName,
    now: options.now,
    withinDays: options.withinDays,
  });
}

/**
 * Every active original of one partner's transfers in progress that ends today or later (the
 * calendar feed): the due listing over the longest window, narrowed to the partner.
 */
export async function partnerExpiries(
  source: ReadSource,
  partnerId: string,
  now: string,
): Promise<DueOriginal[]> {
  const all = await dueOriginals(source, { withinDays: MAX_DUE_WITHIN_DAYS, now });
  return all.filter((row) => row.partnerId === partnerId);
}
