/**
 * Step 4 of the scan: form the digests and hand them over to the notifier. When every shard is
 * done, the run's claims are grouped by partner address (one email per address per run, split
 * past 200 originals; shared/digest/batches.ts), and for each digest:
 * 1. the digest item is put (PENDING, listing its claims; in the index, so a later scan finds it
 *    if this one dies);
 * 2. each claim is handed to it (PENDING -> EMITTED with `digestId`, a conditional update: a claim
 *    belongs to one digest only, ever);
 * 3. `Expiry Approaching` per original (for other consumers) and `Reminder Digest Ready` naming
 *    the digest (for the notifier) are published;
 * 4. the digest is marked EMITTED and leaves the index.
 */
import type { UpdateCommandInput } from "@aws-sdk/lib-dynamodb";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { mapLimited } from "../../concurrency.js";
import { type DigestPlan, partnerKeyOf, planDigests } from "../../digest/batches.js";
import type { ExpiryApproaching } from "../../events/details.js";
import { DETAIL_TYPES } from "../../events/registry.js";
import type { OutgoingEvent } from "../../tracker/event-publisher.js";
import type { ClaimItem } from "../claims.js";
import { updateIf } from "../conditional-writes.js";
import {
  DIGEST_ITEM_TYPE,
  DIGEST_SK,
  type DigestItem,
  digestIdOf,
  digestPk,
  digestShard,
  pendingDigestIndexKey,
} from "../digests.js";
import { releaseClaims, releaseDigest } from "./release.js";
import { type Collected, PER_SHARD_CONCURRENCY, type ScanRun } from "./scan-run.js";

/** Digests formed at once at the end of a run. */
const DIGEST_CONCURRENCY = 16;

type PlannedRow = { pk: string; sk: string; collected: Collected } & ExpiryApproaching;

/** Every digest is tried; the first failure is thrown once all have been. */
export async function handOverDigests(run: ScanRun): Promise<void> {
  const candidates = [...run.collected.values()].map((collected) => ({
    ...collected.claim.detail,
    pk: collected.claim.pk,
    sk: collected.claim.sk,
    collected,
  }));
  const failures: unknown[] = [];
  await mapLimited(planDigests(candidates), DIGEST_CONCURRENCY, (plan) =>
    handOver(run, plan).catch((error: unknown) => {
      failures.push(error);
    }),
  );
  if (failures.length > 0) throw failures[0];
}

async function handOver(run: ScanRun, plan: DigestPlan<PlannedRow>): Promise<void> {
  const createdAt = run.wallTime();
  const digestId = digestIdOf(run.runId, partnerKeyOf(plan.partnerEmail), plan.part);
  const digest: DigestItem = {
    pk: digestPk(digestId),
    sk: DIGEST_SK,
    itemType: DIGEST_ITEM_TYPE,
    digestId,
    runId: run.runId,
    partnerEmail: plan.partnerEmail,
    partnerKey: plan.partnerKey,
    part: plan.part,
    parts: plan.parts,
    status: "PENDING",
    createdAt,
    scanClock: run.now,
    rows: plan.rows.map((row) => ({ pk: row.pk, sk: row.sk })),
    // Listed in the index while PENDING: a later scan finds it if this one dies.
    reminderShard: digestShard(digestId),
    reminderDue: pendingDigestIndexKey(createdAt, digestId),
  };
  await run.db.send(
    new PutCommand({
      TableName: run.tableName,
      Item: digest,
      ConditionExpression: "attribute_not_exists(pk)",
    }),
  );
  let owned: ClaimItem[];
  try {
    owned = (
      await mapLimited(plan.rows, PER_SHARD_CONCURRENCY, async (row) =>
        (await assign(run, row.collected, digestId, createdAt)) ? row.collected.claim : null,
      )
    ).filter((claim): claim is ClaimItem => claim !== null);
    if (owned.length === 0) {
      await updateIf(run.db, markDigest(run, digest, "SUPERSEDED"));
      return;
    }
    await run.options.publisher.publish([
      ...owned.map(
        (claim): OutgoingEvent => ({
          detailType: DETAIL_TYPES.expiryApproaching,
          detail: claim.detail,
        }),
      ),
      { detailType: DETAIL_TYPES.reminderDigestReady, detail: { digestId } },
    ]);
  } catch (error) {
    // Maybe not published: SUPERSEDED (a late delivery sends nothing), and everything handed
    // over at once to the retried run. If this fails too, the grace period does it later.
    await releaseDigest(run, digest).catch(() => undefined);
    await releaseClaims(
      run,
      plan.rows.map((row) => row.collected),
    );
    throw error;
  }
  run.counts.emitted += owned.length;
  run.digests++;
  await updateIf(run.db, markDigest(run, digest, "EMITTED"));
}

/** The claim joins the digest: only from the state this run found it in (see Collected). */
function assign(
  run: ScanRun,
  collected: Collected,
  digestId: string,
  at: string,
): Promise<boolean> {
  const { claim, adoptedFrom } = collected;
  return updateIf(run.db, {
    TableName: run.tableName,
    Key: { pk: claim.pk, sk: claim.sk },
    UpdateExpression:
      "SET #status = :emitted, digestId = :digest, emittedAt = :at, detail = :detail " +
      "REMOVE reminderShard, reminderDue",
    ConditionExpression: adoptedFrom
      ? "#status = :emitted AND digestId = :from"
      : "#status = :pending AND claimedAt = :claimedAt",
    ExpressionAttributeNames: { "#status": "status" },
    ExpressionAttributeValues: {
      ":emitted": "EMITTED",
      ":digest": digestId,
      ":at": at,
      ":detail": claim.detail,
      ...(adoptedFrom
        ? { ":from": adoptedFrom }
        : { ":pending": "PENDING", ":claimedAt": claim.claimedAt }),
    },
  });
}

/** PENDING -> EMITTED (published) or SUPERSEDED (nothing in it); leaves the index. */
function markDigest(
  run: ScanRun,
  digest: DigestItem,
  status: "EMITTED" | "SUPERSEDED",
): UpdateCommandInput {
  return {
    TableName: run.tableName,
    Key: { pk: digest.pk, sk: DIGEST_SK },
    UpdateExpression: "SET #status = :status, emittedAt = :at REMOVE reminderShard, reminderDue",
    ConditionExpression: "#status = :pending AND createdAt = :createdAt",
    ExpressionAttributeNames: { "#status": "status" },
    ExpressionAttributeValues: {
      ":status": status,
      ":at": run.wallTime(),
      ":pending": "PENDING",
      ":createdAt": digest.createdAt,
    },
  };
}
