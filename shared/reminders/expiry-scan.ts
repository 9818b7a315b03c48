/**
 * The expiry scan (SPEC section 4), as the README's "Expiry reminders" describes it. Each step is
 * its own module under ./scan/ with the few store operations it needs:
 *
 * 1. recover what a dead run left (scan/recover.ts): digests and claims left PENDING past the
 *    grace period, and digests whose sending was interrupted (a send lease expired);
 * 2. find what is due and claim it (scan/claim-due.ts): the index entries dated up to the scan's
 *    UTC date, one claim per (subscription, expiry, most urgent threshold);
 * 3. form the digests and hand them over to the notifier (scan/hand-over.ts);
 * and, when a step fails, release what this run claimed at once for the retried run
 * (scan/release.ts) instead of sending half digests.
 *
 * It reads about one index item per due original and never the rest of the table. It stops
 * starting new pages at `deadline` and reports `complete: false`; it still forms the digests of
 * what it claimed, and the index itself is the cursor for the next run.
 */
import { reminderShards } from "../store/keys.js";
import { claimDueOriginals } from "./scan/claim-due.js";
import { handOverDigests } from "./scan/hand-over.js";
import {
  recoverInterruptedSends,
  recoverOrphanedClaims,
  recoverStaleDigests,
} from "./scan/recover.js";
import { claimsToRelease, releaseClaims } from "./scan/release.js";
import { type ExpiryScanOptions, type ExpiryScanResult, ScanRun } from "./scan/scan-run.js";

export {
  type ExpiryScanCounts,
  type ExpiryScanOptions,
  type ExpiryScanResult,
  PENDING_GRACE_MS,
} from "./scan/scan-run.js";

export async function runExpiryScan(options: ExpiryScanOptions): Promise<ExpiryScanResult> {
  const run = new ScanRun(options);
  const shards = await Promise.allSettled(
    reminderShards().map(async (shard) => {
      await recoverStaleDigests(run, shard);
      await recoverInterruptedSends(run, shard);
      await recoverOrphanedClaims(run, shard);
      await claimDueOriginals(run, shard);
    }),
  );
  const failure = shards.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure) {
    // No half digests: the retried run sends each address one digest with everything.
    await releaseClaims(run, claimsToRelease(run));
    throw failure.reason;
  }
  await handOverDigests(run);
  const result = run.result();
  options.logger?.info("expiry scan finished", { now: options.now, ...result });
  return result;
}

/** The scan's clock from the invoking event: `time` (EventBridge) or `now`; else the current time. */
export function scanClockOf(event: unknown, fallback: () => string): string {
  if (typeof event === "object" && event !== null) {
    for (const field of ["now", "time"] as const) {
      const value = (event as Record<string, unknown>)[field];
      if (typeof value === "string" && !Number.isNaN(Date.parse(value))) return value;
    }
  }
  return fallback();
}
