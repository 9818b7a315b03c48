/**
 * The expiry scan (SPEC section 4): reads the sparse reminder index (`byReminderDate`) for
 * entries due on or before the scan's UTC date, and for each due original claims the most urgent
 * crossed threshold, publishes `Expiry Approaching` for every claim, then moves the index entry
 * to the next smaller threshold's date (or removes it). It reads about one index item per due
 * original and never the rest of the table.
 *
 * Exactly once per (subscription, end date, threshold):
 * - the claim is a conditional Put in one transaction with the guarded index advance, so two
 *   scans running at once, or a retried scan, claim (and publish) once; the transaction also
 *   fails if an event handler rewrote the original meanwhile, and the scan re-reads it;
 * - a claim is PENDING until its event is published, then EMITTED. A scan that dies in between
 *   leaves a PENDING claim in the index; any later scan re-publishes claims PENDING for longer
 *   than `pendingGraceMs` (with fresh figures, after checking the original is still remindable).
 *   Re-publishing may duplicate an event; the notifier is idempotent per claim.
 *
 * Time limit: the scan stops starting new pages at `deadline` and reports `complete: false`.
 * Nothing is lost: every processed entry has already left the `<= today` range of the index,
 * so the index itself is the cursor and the next run (or a follow-up invocation) continues.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { mapLimited } from "../concurrency.js";
import { utcDate } from "../domain/time.js";
import type { ExpiryApproaching } from "../events/details.js";
import { originalSk, reminderDueKey, reminderShards } from "../store/keys.js";
import type { OriginalRecord } from "../store/original-records.js";
import { backoffMs, ContentionError, sleep } from "../store/retry.js";
import { REMINDER_INDEX } from "../store/table-definition.js";
import type { EventPublisher } from "../tracker/event-publisher.js";
import {
  CLAIM_ITEM_TYPE,
  type ClaimItem,
  claimSk,
  PENDING_INDEX_PREFIX,
  pendingIndexKey,
} from "./claims.js";
import { daysLeftUntil, reminderDecision } from "./schedule.js";

/** A claim left PENDING this long is taken to be orphaned by a scan that died, and re-emitted. */
export const PENDING_GRACE_MS = 2 * 60_000;
const PAGE_SIZE = 100;
/** Originals processed at once per shard (16 shards run in parallel). */
const PER_SHARD_CONCURRENCY = 8;
const MAX_ATTEMPTS = 8;

type ScanLogger = Pick<Logger, "info" | "warn">;

export type ExpiryScanOptions = {
  db: DynamoDBDocumentClient;
  tableName: string;
  publisher: Pick<EventPublisher, "publish">;
  /** Reminder thresholds in days (any order). */
  thresholds: readonly number[];
  /** The scan's clock: days left are counted from this instant's UTC date. */
  now: string;
  /** Epoch ms (wall clock) after which no new page is started. */
  deadline?: number;
  /** Wall clock in epoch ms, for claim timestamps, the grace period and the deadline. */
  clock?: () => number;
  pendingGraceMs?: number;
  pageSize?: number;
  logger?: ScanLogger;
};

/** The `scan` JSON of SPEC section 6. */
export type ExpiryScanCounts = {
  /** Originals with a reminder due at this clock: emitted + alreadyReminded. */
  due: number;
  /** `Expiry Approaching` events published (claims made now, or orphaned claims recovered). */
  emitted: number;
  /** Due, but their threshold was already claimed (another scan, an earlier run). */
  alreadyReminded: number;
  /** Index entries that needed no reminder: ended, transfer INELIGIBLE/COMPLETED, past, none left. */
  skipped: number;
};

export type ExpiryScanResult = ExpiryScanCounts & {
  /** False when the deadline stopped the scan; the next run continues from the index. */
  complete: boolean;
  /** Items the scan's index queries read (ScannedCount) plus consistent re-reads. */
  itemsRead: number;
  consumedReadCapacity: number;
};

type OriginalItem = OriginalRecord & {
  pk: string;
  sk: string;
  stateVersion: number;
  reminderShard?: string;
  reminderDue?: string;
};

type Outcome =
  | { kind: "claimed"; claim: ClaimItem }
  | { kind: "alreadyReminded" }
  | { kind: "skipped" }
  /** Left the due range meanwhile (another scan or a handler moved it): not this scan's. */
  | { kind: "gone" };

export async function runExpiryScan(options: ExpiryScanOptions): Promise<ExpiryScanResult> {
  return new ExpiryScan(options).run();
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

class ExpiryScan {
  private readonly counts: ExpiryScanCounts = {
    due: 0,
    emitted: 0,
    alreadyReminded: 0,
    skipped: 0,
  };
  private complete = true;
  private itemsRead = 0;
  private consumedReadCapacity = 0;
  private readonly clock: () => number;
  /** Every index key due on or before the scan's UTC date sorts below this bound. */
  private readonly dueBound: string;

  constructor(private readonly options: ExpiryScanOptions) {
    this.clock = options.clock ?? Date.now;
    this.dueBound = `${utcDate(options.now)}$`;
  }

  async run(): Promise<ExpiryScanResult> {
    const results = await Promise.allSettled(
      reminderShards().map((shard) => this.scanShard(shard)),
    );
    const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failure) throw failure.reason;
    const result = {
      ...this.counts,
      complete: this.complete,
      itemsRead: this.itemsRead,
      consumedReadCapacity: this.consumedReadCapacity,
    };
    this.options.logger?.info("expiry scan finished", { now: this.options.now, ...result });
    return result;
  }

  private async scanShard(shard: string): Promise<void> {
    const grace = this.options.pendingGraceMs ?? PENDING_GRACE_MS;
    const staleBefore = new Date(this.clock() - grace).toISOString();
    // Orphaned claims first (usually none: a claim is PENDING only while its scan publishes).
    for await (const items of this.pages(
      shard,
      PENDING_INDEX_PREFIX,
      pendingIndexKey(staleBefore, "", ""),
    )) {
      await this.settle(items as ClaimItem[], (claim) => this.recoverClaim(claim));
    }
    // "0" sorts after every PENDING claim key and before every date.
    for await (const items of this.pages(shard, "0", this.dueBound)) {
      await this.settle(items as OriginalItem[], (item) => this.processOriginal(item));
    }
  }

  private async *pages(shard: string, from: string, to: string) {
    let startKey: Record<string, unknown> | undefined;
    do {
      if (this.options.deadline !== undefined && this.clock() >= this.options.deadline) {
        this.complete = false;
        return;
      }
      const page = await this.options.db.send(
        new QueryCommand({
          TableName: this.options.tableName,
          IndexName: REMINDER_INDEX.indexName,
          KeyConditionExpression: "#shard = :shard AND #due BETWEEN :from AND :to",
          ExpressionAttributeNames: {
            "#shard": REMINDER_INDEX.partitionKey,
            "#due": REMINDER_INDEX.sortKey,
          },
          ExpressionAttributeValues: { ":shard": shard, ":from": from, ":to": to },
          ExclusiveStartKey: startKey,
          Limit: this.options.pageSize ?? PAGE_SIZE,
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      this.itemsRead += page.ScannedCount ?? page.Items?.length ?? 0;
      this.consumedReadCapacity += page.ConsumedCapacity?.CapacityUnits ?? 0;
      yield page.Items ?? [];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  /** Processes one page, then publishes its claims and marks them EMITTED. */
  private async settle<T>(items: T[], process: (item: T) => Promise<Outcome>): Promise<void> {
    const outcomes = await mapLimited(items, PER_SHARD_CONCURRENCY, process);
    const claims: ClaimItem[] = [];
    for (const outcome of outcomes) {
      if (outcome.kind === "claimed") {
        this.counts.due++;
        claims.push(outcome.claim);
      } else if (outcome.kind === "alreadyReminded") {
        this.counts.due++;
        this.counts.alreadyReminded++;
      } else if (outcome.kind === "skipped") {
        this.counts.skipped++;
      }
    }
    if (claims.length === 0) return;
    // If this throws, the claims stay PENDING and a later scan re-emits them.
    await this.options.publisher.publish(
      claims.map((c) => ({ detailType: "Expiry Approaching" as const, detail: c.detail })),
    );
    this.counts.emitted += claims.length;
    await mapLimited(claims, PER_SHARD_CONCURRENCY, (claim) => this.markEmitted(claim));
  }

  private async processOriginal(first: OriginalItem): Promise<Outcome> {
    let item: OriginalItem | null = first;
    let sawClaim = false;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (attempt > 0) item = await this.reread(first);
      if (!item?.reminderDue || item.reminderDue >= this.dueBound) {
        return { kind: sawClaim ? "alreadyReminded" : "gone" };
      }
      const decision = reminderDecision(item, this.options.thresholds, this.options.now);
      if (decision.kind !== "remind") {
        const next = decision.kind === "reschedule" ? decision.next : null;
        if (await this.guarded(this.indexUpdate(item, next))) return { kind: "skipped" };
        continue;
      }
      const claim = this.newClaim(item, decision.daysLeft, decision.thresholdDays);
      try {
        await this.options.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.options.tableName,
                  Item: claim,
                  ConditionExpression: "attribute_not_exists(pk)",
                },
              },
              { Update: this.indexUpdate(item, decision.next) },
            ],
          }),
        );
        return { kind: "claimed", claim };
      } catch (error) {
        const codes = cancellationCodes(error);
        if (!codes) throw error;
        if (codes[0] === "ConditionalCheckFailed") {
          // Claimed before: by a concurrent scan, or before a handler reset the index entry.
          sawClaim = true;
          if (await this.guarded(this.indexUpdate(item, decision.next))) {
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
   * A claim whose scan died before publishing. Re-checks the original, then takes the claim
   * over (a conditional refresh of `claimedAt`, so concurrent scans recover it once) and
   * returns it for publishing with today's figures; abandons it when no longer remindable.
   */
  private async recoverClaim(claim: ClaimItem): Promise<Outcome> {
    const original = await this.reread({ pk: claim.pk, sk: originalSk(claim.subscriptionId) });
    const stillDue =
      original !== null &&
      original.state === "ACTIVE" &&
      original.transferRemindable &&
      utcDate(original.commitmentEndDate) === utcDate(claim.commitmentEndDate) &&
      daysLeftUntil(original.commitmentEndDate, this.options.now) >= 0;
    if (!original || !stillDue) {
      await this.abandonClaim(claim);
      return { kind: "skipped" };
    }
    const claimedAt = new Date(this.clock()).toISOString();
    const detail = detailOf(
      original,
      daysLeftUntil(original.commitmentEndDate, this.options.now),
      claim.thresholdDays,
    );
    const taken = await this.guarded({
      TableName: this.options.tableName,
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
    this.options.logger?.warn("re-emitting an orphaned reminder claim", {
      pk: claim.pk,
      subscriptionId: claim.subscriptionId,
      thresholdDays: claim.thresholdDays,
      claimedAt: claim.claimedAt,
    });
    return { kind: "claimed", claim: { ...claim, claimedAt, detail } };
  }

  private newClaim(item: OriginalItem, daysLeft: number, thresholdDays: number): ClaimItem {
    const claimedAt = new Date(this.clock()).toISOString();
    const sk = claimSk(item.subscriptionId, item.commitmentEndDate, thresholdDays);
    return {
      pk: item.pk,
      sk,
      itemType: CLAIM_ITEM_TYPE,
      status: "PENDING",
      subscriptionId: item.subscriptionId,
      commitmentEndDate: item.commitmentEndDate,
      thresholdDays,
      claimedAt,
      detail: detailOf(item, daysLeft, thresholdDays),
      ...(item.reminderShard ? { reminderShard: item.reminderShard } : {}),
      reminderDue: pendingIndexKey(claimedAt, item.pk, sk),
    };
  }

  /**
   * Moves an original's index entry to `next` (a date) or removes it, only if neither the entry
   * nor the record changed since it was read: a handler's newer write always wins.
   */
  private indexUpdate(
    item: OriginalItem,
    next: string | null,
  ): UpdateCommandInput & { UpdateExpression: string } {
    return {
      TableName: this.options.tableName,
      Key: { pk: item.pk, sk: item.sk },
      UpdateExpression: next ? "SET reminderDue = :next" : "REMOVE reminderShard, reminderDue",
      ConditionExpression: "reminderDue = :seen AND stateVersion = :version",
      ExpressionAttributeValues: {
        ":seen": item.reminderDue,
        ":version": item.stateVersion,
        ...(next ? { ":next": reminderDueKey(next, item.pk, item.subscriptionId) } : {}),
      },
    };
  }

  /** PENDING -> EMITTED once published; leaves the index. A lost race (the notifier already
   *  moved it on, or another scan took it over) is fine. */
  private async markEmitted(claim: ClaimItem) {
    await this.guarded({
      TableName: this.options.tableName,
      Key: { pk: claim.pk, sk: claim.sk },
      UpdateExpression: "SET #status = :emitted, emittedAt = :at REMOVE reminderShard, reminderDue",
      ConditionExpression: "#status = :pending AND claimedAt = :claimedAt",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: {
        ":emitted": "EMITTED",
        ":at": new Date(this.clock()).toISOString(),
        ":pending": "PENDING",
        ":claimedAt": claim.claimedAt,
      },
    });
  }

  /** An orphaned claim whose original is no longer remindable: nothing was sent, delete it. */
  private async abandonClaim(claim: ClaimItem) {
    try {
      await this.options.db.send(
        new DeleteCommand({
          TableName: this.options.tableName,
          Key: { pk: claim.pk, sk: claim.sk },
          ConditionExpression: "#status = :pending AND claimedAt = :claimedAt",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":pending": "PENDING", ":claimedAt": claim.claimedAt },
        }),
      );
    } catch (error) {
      if (!(error instanceof Error && error.name === "ConditionalCheckFailedException"))
        throw error;
    }
  }

  /** A conditional update; false when its condition failed. */
  private async guarded(update: UpdateCommandInput): Promise<boolean> {
    try {
      await this.options.db.send(new UpdateCommand(update));
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }

  private async reread(key: { pk: string; sk: string }): Promise<OriginalItem | null> {
    const result = await this.options.db.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: { pk: key.pk, sk: key.sk },
        ConsistentRead: true,
        ReturnConsumedCapacity: "TOTAL",
      }),
    );
    this.itemsRead += result.Item ? 1 : 0;
    this.consumedReadCapacity += result.ConsumedCapacity?.CapacityUnits ?? 0;
    return (result.Item as OriginalItem | undefined) ?? null;
  }
}

/** The `Expiry Approaching` detail for an original at a threshold. */
export function detailOf(
  original: OriginalRecord,
  daysLeft: number,
  thresholdDays: number,
): ExpiryApproaching {
  return {
    partnerId: original.partnerId,
    customerTenantId: original.customerTenantId,
    customerName: original.customerName,
    partnerEmail: original.partnerEmail,
    subscriptionId: original.subscriptionId,
    offerId: original.offerId,
    offerName: original.offerName,
    quantity: original.quantity,
    commitmentEndDate: original.commitmentEndDate,
    daysLeft,
    thresholdDays,
    replacementProvisioned: original.replacementProvisioned,
  };
}

function cancellationCodes(error: unknown): string[] | null {
  if (!(error instanceof TransactionCanceledException)) return null;
  return (error.CancellationReasons ?? []).map((r) => r.Code ?? "None");
}
