/**
 * Steps 1 and 2 of the scan: find what is due (the index entries of one shard dated up to the
 * scan's UTC date) and claim it. For each due original the most urgent crossed threshold is
 * claimed — a conditional Put of the claim in one transaction with the guarded advance of the
 * original's index entry to the next smaller threshold's date (or its removal) — so two scans at
 * once, or a retried scan, claim once, and a handler's concurrent write always wins (the
 * transaction fails; the scan re-reads the original and decides again).
 */
import { TransactWriteCommand, type UpdateCommandInput } from "@aws-sdk/lib-dynamodb";
import { daysLeftUntil } from "../../domain/reminder-schedule.js";
import { reminderDueKey } from "../../store/keys.js";
import { backoffMs, ContentionError, sleep } from "../../store/retry.js";
import {
  CLAIM_ITEM_TYPE,
  type ClaimItem,
  claimSk,
  detailOf,
  expiryOf,
  pendingIndexKey,
} from "../claims.js";
import { cancellationCodes, updateIf } from "../conditional-writes.js";
import { reminderDecision } from "../schedule.js";
import { indexPages } from "./index-pages.js";
import type { OriginalItem, Outcome, ScanRun } from "./scan-run.js";

const MAX_ATTEMPTS = 8;

/** "0" sorts after every `!…` key (claims, digests) and before every date. */
const FIRST_DATE_KEY = "0";

export async function claimDueOriginals(run: ScanRun, shard: string): Promise<void> {
  for await (const items of indexPages(run, shard, FIRST_DATE_KEY, run.dueBound)) {
    await run.settle(items as OriginalItem[], (item) => claimOriginal(run, item));
  }
}

async function claimOriginal(run: ScanRun, first: OriginalItem): Promise<Outcome> {
  let item: OriginalItem | null = first;
  let sawClaim = false;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) item = await run.get<OriginalItem>(first);
    if (!item?.reminderDue || item.reminderDue >= run.dueBound) {
      return { kind: sawClaim ? "alreadyReminded" : "gone" };
    }
    const decision = reminderDecision(item, run.thresholds, run.now);
    if (
      decision.kind === "drop" &&
      decision.reason === "pastEndDate" &&
      !passedForGood(run, item)
    ) {
      // Past by a simulated clock only (`scan --now`): the original stays in future reminders.
      return { kind: "skipped" };
    }
    if (decision.kind !== "remind") {
      const next = decision.kind === "reschedule" ? decision.next : null;
      if (await updateIf(run.db, indexUpdate(run, item, next))) return { kind: "skipped" };
      continue;
    }
    const expiry = expiryOf(item);
    const claim = newClaim(run, item, expiry.key, decision.daysLeft, decision.thresholdDays);
    try {
      await run.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: run.tableName,
                Item: claim,
                ConditionExpression: "attribute_not_exists(pk)",
              },
            },
            { Update: indexUpdate(run, item, decision.next, expiry) },
          ],
        }),
      );
      return { kind: "claimed", collected: { claim, adoptedFrom: null } };
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) {
        run.uncertain.push(claim);
        throw error;
      }
      if (codes[0] === "ConditionalCheckFailed") {
        // Claimed before: by a concurrent scan, or before a handler reset the index entry.
        sawClaim = true;
        if (await updateIf(run.db, indexUpdate(run, item, decision.next, expiry))) {
          return { kind: "alreadyReminded" };
        }
      } else if (codes.includes("TransactionConflict")) {
        await sleep(backoffMs(attempt));
      }
      // Otherwise the original changed under us (a handler's write): read it again.
    }
  }
  throw new ContentionError(`gave up on ${first.pk} ${first.sk} after ${MAX_ATTEMPTS} attempts`);
}

/**
 * An end date leaves the reminder index only once it has passed by the real clock too (SPEC
 * section 4): whatever a scan with a simulated clock decides, a later scan with an earlier clock
 * still reminds it.
 */
function passedForGood(run: ScanRun, item: OriginalItem): boolean {
  return daysLeftUntil(item.commitmentEndDate, run.wallTime()) < 0;
}

function newClaim(
  run: ScanRun,
  item: OriginalItem,
  expiry: string,
  daysLeft: number,
  thresholdDays: number,
): ClaimItem {
  const claimedAt = run.wallTime();
  const sk = claimSk(item.subscriptionId, expiry, thresholdDays);
  return {
    pk: item.pk,
    sk,
    itemType: CLAIM_ITEM_TYPE,
    status: "PENDING",
    subscriptionId: item.subscriptionId,
    commitmentEndDate: item.commitmentEndDate,
    expiry,
    thresholdDays,
    claimedAt,
    detail: detailOf(item, daysLeft, thresholdDays),
    ...(item.reminderShard ? { reminderShard: item.reminderShard } : {}),
    reminderDue: pendingIndexKey(claimedAt, item.pk, sk),
  };
}

/**
 * Moves an original's index entry to `next` (a date) or removes it, only if neither the entry
 * nor the record changed since it was read: a handler's newer write always wins. With a claim,
 * it also remembers the expiry the claim is for (see claims.ts).
 */
function indexUpdate(
  run: ScanRun,
  item: OriginalItem,
  next: string | null,
  expiry?: { key: string; end: string },
): UpdateCommandInput & { UpdateExpression: string } {
  const sets = [
    ...(next ? ["reminderDue = :next"] : []),
    ...(expiry ? ["reminderExpiry = :expiry", "reminderExpiryEnd = :expiryEnd"] : []),
  ];
  const update =
    (sets.length > 0 ? `SET ${sets.join(", ")}` : "") +
    (next ? "" : `${sets.length > 0 ? " " : ""}REMOVE reminderShard, reminderDue`);
  return {
    TableName: run.tableName,
    Key: { pk: item.pk, sk: item.sk },
    UpdateExpression: update,
    ConditionExpression: "reminderDue = :seen AND stateVersion = :version",
    ExpressionAttributeValues: {
      ":seen": item.reminderDue,
      ":version": item.stateVersion,
      ...(next ? { ":next": reminderDueKey(next, item.pk, item.subscriptionId) } : {}),
      ...(expiry ? { ":expiry": expiry.key, ":expiryEnd": expiry.end } : {}),
    },
  };
}
