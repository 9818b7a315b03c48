/**
 * A run that fails forms no half digests: what it claimed, and a digest it could not publish, are
 * handed over at once to the next run (the retried scheduled invocation, or `scan` by hand)
 * instead of waiting for the grace period. Best effort: what is not released is taken over after
 * the grace period anyway.
 */
import { mapLimited } from "../../concurrency.js";
import { pendingIndexKey } from "../claims.js";
import { updateIf } from "../conditional-writes.js";
import { DIGEST_SK, type DigestItem, pendingDigestIndexKey } from "../digests.js";
import { type Collected, PER_SHARD_CONCURRENCY, type ScanRun } from "./scan-run.js";

/** `claimedAt` of a claim (index key of a digest) released for the next scan: stale at once. */
const RELEASED_AT = "1970-01-01T00:00:00.000Z";

/** Every claim this run made, or may have made (a write whose answer was lost). */
export function claimsToRelease(run: ScanRun): Collected[] {
  return [
    ...run.collected.values(),
    ...run.uncertain.map((claim) => ({ claim, adoptedFrom: null })),
  ];
}

/** This run's PENDING claims, listed as stale at once (a superseded digest's stay adopted). */
export async function releaseClaims(run: ScanRun, collected: Collected[]): Promise<void> {
  const pending = collected.filter((c) => c.adoptedFrom === null);
  await mapLimited(pending, PER_SHARD_CONCURRENCY, ({ claim }) =>
    updateIf(run.db, {
      TableName: run.tableName,
      Key: { pk: claim.pk, sk: claim.sk },
      UpdateExpression: "SET claimedAt = :released, reminderDue = :due",
      ConditionExpression: "#status = :pending AND claimedAt = :claimedAt",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: {
        ":released": RELEASED_AT,
        ":due": pendingIndexKey(RELEASED_AT, claim.pk, claim.sk),
        ":pending": "PENDING",
        ":claimedAt": claim.claimedAt,
      },
    }).catch(() => false),
  );
}

/** A digest this run could not publish: SUPERSEDED, listed for the next scan at once. */
export async function releaseDigest(run: ScanRun, digest: DigestItem): Promise<void> {
  await updateIf(run.db, {
    TableName: run.tableName,
    Key: { pk: digest.pk, sk: DIGEST_SK },
    UpdateExpression: "SET #status = :superseded, reminderDue = :due",
    ConditionExpression: "#status = :pending AND createdAt = :createdAt",
    ExpressionAttributeNames: { "#status": "status" },
    ExpressionAttributeValues: {
      ":superseded": "SUPERSEDED",
      ":due": pendingDigestIndexKey(RELEASED_AT, digest.digestId),
      ":pending": "PENDING",
      ":createdAt": digest.createdAt,
    },
  });
}
