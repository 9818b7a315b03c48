/**
 * Step 1 of the scan: recover what a dead run left, before reading what is due (usually there is
 * nothing: a digest or claim is PENDING only while its scan runs, SENDING only while it is sent).
 *
 * - A digest left PENDING longer than the grace period (its scan died before marking it EMITTED:
 *   it may or may not have been published) is made SUPERSEDED first — a conditional update, so
 *   if the notifier took it meanwhile it stays the notifier's — and a late delivery of it then
 *   sends nothing; the claims that still name it join this run's digests.
 * - A digest whose sending was interrupted — SENDING with an expired send lease (the sender died
 *   after taking it; SES may or may not have accepted the email), or EMITTED after a failed send —
 *   is taken over the same way, so a crash loses no reminder even when every retry of its
 *   delivery was spent (SPEC section 4). If SES had accepted it, this sends it a second time.
 * - A claim left PENDING longer than the grace period (its scan died before putting it in a
 *   digest) is taken over with today's figures: a conditional refresh of `claimedAt`, so
 *   concurrent scans recover it once.
 *
 * Each taken-over claim is checked first: the original still remindable and the claim's
 * threshold still the most urgent one crossed (one reminder per original per run). A claim that
 * must not be sent is deleted: nothing was sent, and a later change may claim it afresh.
 */
import { mapLimited } from "../../concurrency.js";
import type { ExpiryApproaching } from "../../events/details.js";
import { originalSk } from "../../store/keys.js";
import { batchGetAll } from "../batch-get.js";
import {
  type ClaimItem,
  detailOf,
  expiryKeyOf,
  expiryOf,
  PENDING_INDEX_PREFIX,
  pendingIndexKey,
} from "../claims.js";
import { deleteIf, updateIf } from "../conditional-writes.js";
import {
  DIGEST_PENDING_PREFIX,
  DIGEST_SENDING_PREFIX,
  DIGEST_SK,
  type DigestItem,
  pendingDigestIndexKey,
  sendingDigestIndexKey,
} from "../digests.js";
import { reminderDecision } from "../schedule.js";
import { indexPages } from "./index-pages.js";
import {
  type OriginalItem,
  type Outcome,
  PENDING_GRACE_MS,
  PER_SHARD_CONCURRENCY,
  type ScanRun,
} from "./scan-run.js";

/** Index keys of work left PENDING since before this instant belong to a dead run. */
function staleBefore(run: ScanRun): string {
  return new Date(run.clock() - (run.options.pendingGraceMs ?? PENDING_GRACE_MS)).toISOString();
}

export async function recoverStaleDigests(run: ScanRun, shard: string): Promise<void> {
  const to = pendingDigestIndexKey(staleBefore(run), "");
  for await (const items of indexPages(run, shard, DIGEST_PENDING_PREFIX, to)) {
    for (const digest of items as DigestItem[]) await recoverDigest(run, digest);
  }
}

export async function recoverOrphanedClaims(run: ScanRun, shard: string): Promise<void> {
  const to = pendingIndexKey(staleBefore(run), "", "");
  for await (const items of indexPages(run, shard, PENDING_INDEX_PREFIX, to)) {
    await run.settle(items as ClaimItem[], (claim) => recoverClaim(run, claim));
  }
}

/**
 * The fresh `Expiry Approaching` detail of a claim this run takes over, or null when it must
 * not be sent: the original ended, was renewed, left the transfer, or another threshold is now
 * the most urgent (a smaller one: the claim is overtaken; a larger one: the end date moved).
 */
async function stillDue(run: ScanRun, claim: ClaimItem): Promise<ExpiryApproaching | null> {
  const original = await run.get<OriginalItem>({
    pk: claim.pk,
    sk: originalSk(claim.subscriptionId),
  });
  if (!original) return null;
  const decision = reminderDecision(original, run.thresholds, run.now);
  if (decision.kind !== "remind" || decision.thresholdDays !== claim.thresholdDays) return null;
  if (expiryOf(original).key !== expiryKeyOf(claim)) return null;
  return detailOf(original, decision.daysLeft, claim.thresholdDays);
}

/** A claim whose scan died before putting it in a digest. */
async function recoverClaim(run: ScanRun, claim: ClaimItem): Promise<Outcome> {
  const detail = await stillDue(run, claim);
  if (!detail) {
    await deleteClaim(run, claim, "#status = :pending AND claimedAt = :seen", {
      ":pending": "PENDING",
      ":seen": claim.claimedAt,
    });
    return { kind: "skipped" };
  }
  const claimedAt = run.wallTime();
  run.uncertain.push({ ...claim, claimedAt });
  const taken = await updateIf(run.db, {
    TableName: run.tableName,
    Key: { pk: claim.pk, sk: claim.sk },
    UpdateExpression: "SET claimedAt = :claimedAt, detail = :detail, reminderDue = :due",
    ConditionExpression: "#status = :pending AND claimedAt = :seen",
    ExpressionAttributeNames: { "#status": "status" },
    ExpressionAttributeValues: {
      ":claimedAt": claimedAt,
      ":detail": detail,
      ":due": pendingIndexKey(claimedAt, claim.pk, claim.sk),
      ":pending": "PENDING",
      ":seen": claim.claimedAt,
    },
  });
  if (!taken) return { kind: "gone" };
  run.logger?.warn("taking over an orphaned reminder claim", {
    pk: claim.pk,
    subscriptionId: claim.subscriptionId,
    thresholdDays: claim.thresholdDays,
    claimedAt: claim.claimedAt,
  });
  return {
    kind: "claimed",
    collected: { claim: { ...claim, claimedAt, detail }, adoptedFrom: null },
  };
}

/**
 * A digest whose sending was interrupted: SENDING with an expired lease (the sender died and,
 * perhaps, every retry of its delivery was spent), or EMITTED after a failed send. Taken over
 * like a dead scan's digest; a late retry or a redrive of its delivery then sends nothing.
 */
export async function recoverInterruptedSends(run: ScanRun, shard: string): Promise<void> {
  const to = sendingDigestIndexKey(run.wallTime(), "");
  for await (const items of indexPages(run, shard, DIGEST_SENDING_PREFIX, to)) {
    for (const digest of items as DigestItem[]) await recoverDigest(run, digest);
  }
}

/** The condition under which a digest found in the index is still abandoned, by its status. */
function abandoned(run: ScanRun, digest: DigestItem) {
  switch (digest.status) {
    case "PENDING":
      return {
        condition: "#status = :pending AND createdAt = :seen",
        values: { ":pending": "PENDING", ":seen": digest.createdAt },
      };
    case "SENDING":
      return {
        condition: "#status = :sending AND leaseToken = :token AND leaseUntil < :now",
        values: { ":sending": "SENDING", ":token": digest.leaseToken, ":now": run.clock() },
      };
    case "EMITTED":
      return {
        condition: "#status = :emitted AND attribute_not_exists(leaseToken)",
        values: { ":emitted": "EMITTED" },
      };
    default:
      return null;
  }
}

/**
 * A digest left by a dead scan or an interrupted sender is made SUPERSEDED first (a conditional
 * update: if a sender took it meanwhile, it stays the sender's), then its claims join this run.
 * It stays in the index until no claim names it any more, so a run that dies half-way through
 * taking its claims over leaves nothing stranded.
 */
async function recoverDigest(run: ScanRun, digest: DigestItem): Promise<void> {
  if (digest.status === "SENT") return;
  if (digest.status !== "SUPERSEDED") {
    const stillAbandoned = abandoned(run, digest);
    if (!stillAbandoned) return;
    const superseded = await updateIf(run.db, {
      TableName: run.tableName,
      Key: { pk: digest.pk, sk: DIGEST_SK },
      UpdateExpression:
        "SET #status = :superseded, supersededAt = :at REMOVE leaseToken, leaseUntil",
      ConditionExpression: stillAbandoned.condition,
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: {
        ":superseded": "SUPERSEDED",
        ":at": run.wallTime(),
        ...stillAbandoned.values,
      },
    });
    if (!superseded) return;
    run.logger?.warn("taking over an abandoned reminder digest", {
      digestId: digest.digestId,
      status: digest.status,
      rows: digest.rows.length,
      createdAt: digest.createdAt,
    });
  }
  await adoptClaimsOf(run, digest);
}

/** The claims that still name a superseded digest join this run (or are deleted). */
async function adoptClaimsOf(run: ScanRun, digest: DigestItem): Promise<void> {
  const claims = await batchGetAll<ClaimItem>(run.db, run.tableName, digest.rows);
  // Claims it never got (still PENDING) are recovered as orphans on their own.
  const named = [...claims.values()].filter(
    (claim) => claim.status === "EMITTED" && claim.digestId === digest.digestId,
  );
  await mapLimited(named, PER_SHARD_CONCURRENCY, async (claim) => {
    const detail = await stillDue(run, claim);
    if (detail) {
      run.collect({ claim: { ...claim, detail }, adoptedFrom: digest.digestId });
      return;
    }
    await deleteClaim(run, claim, "#status = :emitted AND digestId = :digest", {
      ":emitted": "EMITTED",
      ":digest": digest.digestId,
    });
    run.counts.skipped++;
  });
  if (named.length === 0) {
    await updateIf(run.db, {
      TableName: run.tableName,
      Key: { pk: digest.pk, sk: DIGEST_SK },
      UpdateExpression: "REMOVE reminderShard, reminderDue",
      ConditionExpression: "#status = :superseded",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: { ":superseded": "SUPERSEDED" },
    });
  }
}

/** A claim that must not be sent: nothing was sent, delete it (if still as this scan saw it). */
async function deleteClaim(
  run: ScanRun,
  claim: ClaimItem,
  condition: string,
  values: Record<string, unknown>,
): Promise<void> {
  await deleteIf(run.db, {
    TableName: run.tableName,
    Key: { pk: claim.pk, sk: claim.sk },
    ConditionExpression: condition,
    ExpressionAttributeNames: { "#status": "status" },
    ExpressionAttributeValues: values,
  });
}
