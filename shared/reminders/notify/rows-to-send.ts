/**
 * Step 2 of the notifier, the reads and writes around the rule (row-decision.ts): the digest's
 * own claims still waiting to be sent, their originals as stored now, and the claims of rows
 * that must not be sent deleted (nothing was sent; a later scan may claim them afresh).
 */
import { mapLimited } from "../../concurrency.js";
import type { DigestRow } from "../../digest/content.js";
import { originalSk } from "../../store/keys.js";
import { batchGetAll, keyOf } from "../batch-get.js";
import type { ClaimItem } from "../claims.js";
import { deleteIf } from "../conditional-writes.js";
import type { DigestItem } from "../digests.js";
import type { NotifierContext } from "./context.js";
import { type DropReason, decideRow, type RowOriginal } from "./row-decision.js";

const ROW_CONCURRENCY = 8;

/** A row to send: its index in the digest's `rows`, its claim, and what the email says. */
export type SendableRow = { index: number; claim: ClaimItem; row: DigestRow };

export async function rowsToSend(
  ctx: NotifierContext,
  digest: DigestItem,
  now: number,
): Promise<{ rows: SendableRow[]; dropped: number }> {
  const claims = await batchGetAll<ClaimItem>(ctx.db, ctx.tableName, digest.rows);
  const mine = digest.rows.flatMap((ref, index) => {
    const claim = claims.get(keyOf(ref));
    // Not this digest's (taken into a later run's digest) or already recorded: not listed.
    return claim?.digestId === digest.digestId && claim.status === "EMITTED"
      ? [{ index, claim }]
      : [];
  });
  const originalKey = (claim: ClaimItem) => ({
    pk: claim.pk,
    sk: originalSk(claim.subscriptionId),
  });
  const originals = await batchGetAll<RowOriginal>(
    ctx.db,
    ctx.tableName,
    mine.map(({ claim }) => originalKey(claim)),
  );
  const nowIso = new Date(now).toISOString();
  const rows: SendableRow[] = [];
  const dropped: { claim: ClaimItem; reason: DropReason }[] = [];
  for (const { index, claim } of mine) {
    const decision = decideRow({
      original: originals.get(keyOf(originalKey(claim))) ?? null,
      claim,
      partnerKey: digest.partnerKey,
      thresholds: ctx.thresholds,
      now: nowIso,
    });
    if ("send" in decision) rows.push({ index, claim, row: decision.send });
    else dropped.push({ claim, reason: decision.drop });
  }
  await mapLimited(dropped, ROW_CONCURRENCY, ({ claim }) => dropClaim(ctx, digest, claim));
  if (dropped.length > 0) {
    const reasons: Record<string, number> = {};
    for (const { reason } of dropped) reasons[reason] = (reasons[reason] ?? 0) + 1;
    ctx.logger?.warn("reminder digest rows not sent: the store disagrees", {
      digestId: digest.digestId,
      reasons,
    });
  }
  return { rows, dropped: dropped.length };
}

/** Nothing was sent for this claim: delete it, so that a later scan may claim it afresh. */
async function dropClaim(ctx: NotifierContext, digest: DigestItem, claim: ClaimItem) {
  await deleteIf(ctx.db, {
    TableName: ctx.tableName,
    Key: { pk: claim.pk, sk: claim.sk },
    ConditionExpression: "digestId = :digest AND #status = :emitted",
    ExpressionAttributeNames: { "#status": "status" },
    ExpressionAttributeValues: { ":digest": digest.digestId, ":emitted": "EMITTED" },
  });
}
