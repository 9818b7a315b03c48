/**
 * `migrate-table`: the backfill step of moving a deployed table to the read-side indexes (README
 * "Deploying"): gives every item written before them its index keys. Safe to run again (items
 * that have their keys are left alone) and while events flow (the writes are conditional).
 */
import { type BackfillResult, backfillIndexKeys } from "../../shared/store/index-backfill.js";
import type { Target } from "./target.js";

/** Progress goes to `progress` at most once per PROGRESS_EVERY_ITEMS scanned items. */
const PROGRESS_EVERY_ITEMS = 10_000;

export async function migrateTable(
  target: Target,
  progress: (line: string) => void,
): Promise<BackfillResult> {
  let reported = 0;
  return backfillIndexKeys(target.dynamo, target.tableName, (sofar) => {
    if (sofar.scanned - reported < PROGRESS_EVERY_ITEMS) return;
    reported = sofar.scanned;
    progress(`migrate-table: ${sofar.scanned} items read, ${sofar.updated} given index keys`);
  });
}
