/**
 * The expiry scan (SPEC section 4): reads the sparse reminder index (`byReminderDate`) for
 * entries due on or before the scan's UTC date, and for each due original claims the most urgent
 * crossed threshold, then moves the index entry to the next smaller threshold's date (or removes
 * it). It reads about one index item per due original and never the rest of the table.
 *
 * When every shard is done, the run groups its claims by partner address into digests (one email
 * per address per run, split past 200 originals; shared/digest/batches.ts), and for each digest:
 * puts the digest item (PENDING, listing its claims), hands each claim to it (PENDING -> EMITTED
 * with `digestId`, a conditional update), publishes `Expiry Approaching` per original (for other
 * consumers) and `Reminder Digest Ready` naming the digest (for the notifier), and marks the
 * digest EMITTED.
 *
 * Exactly once per (subscription, expiry, threshold):
 * - the claim is a conditional Put in one transaction with the guarded index advance, so two
 *   scans running at once, or a retried scan, claim once; the transaction also fails if an event
 *   handler rewrote the original meanwhile, and the scan re-reads it;
 * - a claim joins one digest only (the conditional update), and a digest sends only its claims;
 * - a scan that dies before a claim is in a published digest leaves the claim PENDING (or the
 *   digest PENDING) in the index; any later scan takes over what has been PENDING for longer than
 *   `pendingGraceMs`: it supersedes the stale digest (the notifier will not send it) and puts its
 *   claims, and the orphaned claims, into this run's digests — after checking each original is
 *   still remindable and the claim's threshold is still the most urgent one (a claim overtaken by
 *   a smaller threshold is dropped: one reminder per original per run).
 *
 * Time limit: the scan stops starting new pages at `deadline` and reports `complete: false`; it
 * still forms the digests of what it claimed. Nothing is lost: every processed entry has already
 * left the `<= today` range of the index, so the index itself is the cursor.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "@aws-lambda-powertools/logger";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { mapLimited } from "../concurrency.js";
import { type DigestPlan, partnerKeyOf, planDigests } from "../digest/batches.js";
import { utcDate } from "../domain/time.js";
import type { ExpiryApproaching } from "../events/details.js";
import { DETAIL_TYPES } from "../events/registry.js";
import { isConditionalFailure } from "../store/errors.js";
import { originalSk, reminderDueKey, reminderShards } from "../store/keys.js";
import type { OriginalRecord } from "../store/original-records.js";
import { backoffMs, ContentionError, sleep } from "../store/retry.js";
import { REMINDER_INDEX } from "../store/table-definition.js";
import type { EventPublisher, OutgoingEvent } from "../tracker/event-publisher.js";
import { batchGetAll } from "./batch-get.js";
import {
  CLAIM_ITEM_TYPE,
  type ClaimItem,
  claimSk,
  type ExpiryMemory,
  expiryOf,
  PENDING_INDEX_PREFIX,
  pendingIndexKey,
} from "./claims.js";
import {
  DIGEST_ITEM_TYPE,
  DIGEST_PENDING_PREFIX,
  DIGEST_SK,
  type DigestItem,
  digestIdOf,
  digestPk,
  digestShard,
  pendingDigestIndexKey,
} from "./digests.js";
import { reminderDecision } from "./schedule.js";

/** A claim or digest left PENDING this long is taken to be orphaned by a scan that died. */
export const PENDING_GRACE_MS = 2 * 60_000;
const PAGE_SIZE = 100;
/** Originals processed at once per shard (16 shards run in parallel). */
const PER_SHARD_CONCURRENCY = 8;
/** Digests formed at once at the end of a run. */
const DIGEST_CONCURRENCY = 16;
const MAX_ATTEMPTS = 8;
/** `claimedAt` of a claim (index key of a digest) released for the next scan: stale at once. */
const RELEASED_AT = "1970-01-01T00:00:00.000Z";

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
  /** Digests (emails) handed to the notifier by this run. */
  digests: number;
  /** False when the deadline stopped the scan; the next run continues from the index. */
  complete: boolean;
  /** Items the scan's index queries read (ScannedCount) plus consistent re-reads. */
  itemsRead: number;
  consumedReadCapacity: number;
};

type OriginalItem = OriginalRecord &
  ExpiryMemory & {
    pk: string;
    sk: string;
    stateVersion: number;
    reminderShard?: string;
    reminderDue?: string;
  };

/** A claim this run puts in a digest: a fresh or orphaned PENDING one, or a superseded digest's. */
type Collected = { claim: ClaimItem; adoptedFrom: string | null };

type Outcome =
  | { kind: "claimed"; collected: Collected }
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

/** The expiry key of a claim (claims written before expiries were remembered: the end date). */
const expiryKeyOf = (claim: ClaimItem) => claim.expiry ?? utcDate(claim.commitmentEndDate);

class ExpiryScan {
  private readonly counts: ExpiryScanCounts = {
    due: 0,
    emitted: 0,
    alreadyReminded: 0,
    skipped: 0,
  };
  private digests = 0;
  private complete = true;
  private itemsRead = 0;
  private consumedReadCapacity = 0;
  private readonly clock: () => number;
  /** Every index key due on or before the scan's UTC date sorts below this bound. */
  private readonly dueBound: string;
  private readonly runId = randomUUID();
  /** This run's claims, by key (a claim found twice, e.g. adopted and orphaned, counts once). */
  private readonly collected = new Map<string, Collected>();
  /** Claims whose write may have been applied though it failed (an answer lost). */
  private readonly uncertain: ClaimItem[] = [];

  constructor(private readonly options: ExpiryScanOptions) {
    this.clock = options.clock ?? Date.now;
    this.dueBound = `${utcDate(options.now)}$`;
  }

  async run(): Promise<ExpiryScanResult> {
    const results = await Promise.allSettled(
      reminderShards().map((shard) => this.scanShard(shard)),
    );
    const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failure) {
      // No half digests: what this run claimed is released at once for the retried run, which
      // sends each address one digest with everything.
      await this.releaseAll([
        ...this.collected.values(),
        ...this.uncertain.map((claim) => ({ claim, adoptedFrom: null })),
      ]);
      throw failure.reason;
    }
    const formed = await this.formDigests();
    if (formed.status === "rejected") throw formed.reason;
    const result = {
      ...this.counts,
      digests: this.digests,
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
    // Orphans first (usually none: a digest or claim is PENDING only while its scan runs).
    for await (const items of this.pages(
      shard,
      DIGEST_PENDING_PREFIX,
      pendingDigestIndexKey(staleBefore, ""),
    )) {
      for (const digest of items as DigestItem[]) await this.recoverDigest(digest);
    }
    for await (const items of this.pages(
      shard,
      PENDING_INDEX_PREFIX,
      pendingIndexKey(staleBefore, "", ""),
    )) {
      await this.settle(items as ClaimItem[], (claim) => this.recoverClaim(claim));
    }
    // "0" sorts after every PENDING key and before every date.
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

  /** Processes one page and keeps its claims for this run's digests. */
  private async settle<T>(items: T[], process: (item: T) => Promise<Outcome>): Promise<void> {
    const outcomes = await mapLimited(items, PER_SHARD_CONCURRENCY, process);
    for (const outcome of outcomes) {
      if (outcome.kind === "claimed") this.collect(outcome.collected);
      else if (outcome.kind === "alreadyReminded") {
        this.counts.due++;
        this.counts.alreadyReminded++;
      } else if (outcome.kind === "skipped") {
        this.counts.skipped++;
      }
    }
  }

  private collect(collected: Collected): void {
    const key = `${collected.claim.pk}\u0000${collected.claim.sk}`;
    if (this.collected.has(key)) return;
    this.collected.set(key, collected);
    this.counts.due++;
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
      const expiry = expiryOf(item);
      const claim = this.newClaim(item, expiry.key, decision.daysLeft, decision.thresholdDays);
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
              { Update: this.indexUpdate(item, decision.next, expiry) },
            ],
          }),
        );
        return { kind: "claimed", collected: { claim, adoptedFrom: null } };
      } catch (error) {
        const codes = cancellationCodes(error);
        if (!codes) {
          this.uncertain.push(claim);
          throw error;
        }
        if (codes[0] === "ConditionalCheckFailed") {
          // Claimed before: by a concurrent scan, or before a handler reset the index entry.
          sawClaim = true;
          if (await this.guarded(this.indexUpdate(item, decision.next, expiry))) {
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
   * The fresh `Expiry Approaching` detail of a claim this run takes over, or null when it must
   * not be sent: the original ended, was renewed, left the transfer, or another threshold is now
   * the most urgent (a smaller one: the claim is overtaken; a larger one: the end date moved).
   */
  private async stillDue(claim: ClaimItem): Promise<ExpiryApproaching | null> {
    const original = await this.reread({ pk: claim.pk, sk: originalSk(claim.subscriptionId) });
    if (!original) return null;
    const decision = reminderDecision(original, this.options.thresholds, this.options.now);
    if (decision.kind !== "remind" || decision.thresholdDays !== claim.thresholdDays) return null;
    if (expiryOf(original).key !== expiryKeyOf(claim)) return null;
    return detailOf(original, decision.daysLeft, claim.thresholdDays);
  }

  /**
   * A claim whose scan died before putting it in a digest. Re-checks the original, then takes the
   * claim over (a conditional refresh of `claimedAt`, so concurrent scans recover it once) for
   * this run's digests with today's figures; abandons it when it must not be sent.
   */
  private async recoverClaim(claim: ClaimItem): Promise<Outcome> {
    const detail = await this.stillDue(claim);
    if (!detail) {
      await this.deleteClaim(claim, "#status = :pending AND claimedAt = :seen", {
        ":pending": "PENDING",
        ":seen": claim.claimedAt,
      });
      return { kind: "skipped" };
    }
    const claimedAt = new Date(this.clock()).toISOString();
    this.uncertain.push({ ...claim, claimedAt });
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
    this.options.logger?.warn("taking over an orphaned reminder claim", {
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
   * A digest whose scan died before marking it EMITTED: it may or may not have been published.
   * It is made SUPERSEDED first (a conditional update: if the notifier already took it, it is the
   * notifier's), so that a late delivery of it sends nothing; then the claims that still name it
   * join this run. It stays in the index until no claim names it any more, so a run that dies
   * half-way through taking its claims over leaves nothing stranded.
   */
  private async recoverDigest(digest: DigestItem): Promise<void> {
    if (digest.status !== "SUPERSEDED") {
      const superseded = await this.guarded({
        TableName: this.options.tableName,
        Key: { pk: digest.pk, sk: DIGEST_SK },
        UpdateExpression: "SET #status = :superseded, supersededAt = :at",
        ConditionExpression: "#status = :pending AND createdAt = :seen",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: {
          ":superseded": "SUPERSEDED",
          ":at": new Date(this.clock()).toISOString(),
          ":pending": "PENDING",
          ":seen": digest.createdAt,
        },
      });
      if (!superseded) return;
      this.options.logger?.warn("taking over an orphaned reminder digest", {
        digestId: digest.digestId,
        rows: digest.rows.length,
        createdAt: digest.createdAt,
      });
    }
    const claims = await batchGetAll<ClaimItem>(
      this.options.db,
      this.options.tableName,
      digest.rows,
    );
    // Claims it never got (still PENDING) are recovered as orphans on their own.
    const named = [...claims.values()].filter(
      (claim) => claim.status === "EMITTED" && claim.digestId === digest.digestId,
    );
    await mapLimited(named, PER_SHARD_CONCURRENCY, async (claim) => {
      const detail = await this.stillDue(claim);
      if (detail) {
        this.collect({ claim: { ...claim, detail }, adoptedFrom: digest.digestId });
        return;
      }
      await this.deleteClaim(claim, "#status = :emitted AND digestId = :digest", {
        ":emitted": "EMITTED",
        ":digest": digest.digestId,
      });
      this.counts.skipped++;
    });
    if (named.length === 0) {
      await this.guarded({
        TableName: this.options.tableName,
        Key: { pk: digest.pk, sk: DIGEST_SK },
        UpdateExpression: "REMOVE reminderShard, reminderDue",
        ConditionExpression: "#status = :superseded",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: { ":superseded": "SUPERSEDED" },
      });
    }
  }

  /** Groups this run's claims by partner address and hands each digest to the notifier. */
  private async formDigests(): Promise<PromiseSettledResult<void>> {
    const candidates = [...this.collected.values()].map((collected) => ({
      ...collected.claim.detail,
      pk: collected.claim.pk,
      sk: collected.claim.sk,
      collected,
    }));
    const plans = planDigests(candidates);
    const failures: unknown[] = [];
    await mapLimited(plans, DIGEST_CONCURRENCY, (plan) =>
      this.formDigest(plan).catch((error: unknown) => {
        failures.push(error);
      }),
    );
    return failures.length === 0
      ? { status: "fulfilled", value: undefined }
      : { status: "rejected", reason: failures[0] };
  }

  private async formDigest(
    plan: DigestPlan<{ pk: string; sk: string; collected: Collected } & ExpiryApproaching>,
  ): Promise<void> {
    const createdAt = new Date(this.clock()).toISOString();
    const digestId = digestIdOf(this.runId, partnerKeyOf(plan.partnerEmail), plan.part);
    const digest: DigestItem = {
      pk: digestPk(digestId),
      sk: DIGEST_SK,
      itemType: DIGEST_ITEM_TYPE,
      digestId,
      runId: this.runId,
      partnerEmail: plan.partnerEmail,
      partnerKey: plan.partnerKey,
      part: plan.part,
      parts: plan.parts,
      status: "PENDING",
      createdAt,
      scanClock: this.options.now,
      rows: plan.rows.map((row) => ({ pk: row.pk, sk: row.sk })),
      // Listed in the index while PENDING: a later scan finds it if this one dies.
      reminderShard: digestShard(digestId),
      reminderDue: pendingDigestIndexKey(createdAt, digestId),
    };
    await this.options.db.send(
      new PutCommand({
        TableName: this.options.tableName,
        Item: digest,
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
    let owned: ClaimItem[];
    try {
      owned = (
        await mapLimited(plan.rows, PER_SHARD_CONCURRENCY, async (row) =>
          (await this.assign(row.collected, digestId, createdAt)) ? row.collected.claim : null,
        )
      ).filter((claim): claim is ClaimItem => claim !== null);
      if (owned.length === 0) {
        await this.guarded(this.markDigest(digest, "SUPERSEDED"));
        return;
      }
      await this.options.publisher.publish([
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
      await this.releaseDigest(digest).catch(() => undefined);
      await this.releaseAll(plan.rows.map((row) => row.collected));
      throw error;
    }
    this.counts.emitted += owned.length;
    this.digests++;
    await this.guarded(this.markDigest(digest, "EMITTED"));
  }

  /** The claim joins the digest: only from the state this run found it in (see Collected). */
  private assign(collected: Collected, digestId: string, at: string): Promise<boolean> {
    const { claim, adoptedFrom } = collected;
    return this.guarded({
      TableName: this.options.tableName,
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

  /**
   * Hands this run's PENDING claims over to the next scan without waiting for the grace period
   * (the run failed and forms no digest for them). Best effort: what is not released is taken
   * over after the grace period.
   */
  private async releaseAll(collected: Collected[]): Promise<void> {
    const pending = collected.filter((c) => c.adoptedFrom === null);
    await mapLimited(pending, PER_SHARD_CONCURRENCY, ({ claim }) =>
      this.guarded({
        TableName: this.options.tableName,
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
  private async releaseDigest(digest: DigestItem): Promise<void> {
    await this.guarded({
      TableName: this.options.tableName,
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

  /** PENDING -> EMITTED (published) or SUPERSEDED (nothing in it); leaves the index. */
  private markDigest(digest: DigestItem, status: "EMITTED" | "SUPERSEDED"): UpdateCommandInput {
    return {
      TableName: this.options.tableName,
      Key: { pk: digest.pk, sk: DIGEST_SK },
      UpdateExpression: "SET #status = :status, emittedAt = :at REMOVE reminderShard, reminderDue",
      ConditionExpression: "#status = :pending AND createdAt = :createdAt",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: {
        ":status": status,
        ":at": new Date(this.clock()).toISOString(),
        ":pending": "PENDING",
        ":createdAt": digest.createdAt,
      },
    };
  }

  private newClaim(
    item: OriginalItem,
    expiry: string,
    daysLeft: number,
    thresholdDays: number,
  ): ClaimItem {
    const claimedAt = new Date(this.clock()).toISOString();
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
  private indexUpdate(
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
      TableName: this.options.tableName,
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

  /** A claim that must not be sent: nothing was sent, delete it (if still as this scan saw it). */
  private async deleteClaim(
    claim: ClaimItem,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.options.db.send(
        new DeleteCommand({
          TableName: this.options.tableName,
          Key: { pk: claim.pk, sk: claim.sk },
          ConditionExpression: condition,
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
    }
  }

  /** A conditional update; false when its condition failed. */
  private async guarded(update: UpdateCommandInput): Promise<boolean> {
    try {
      await this.options.db.send(new UpdateCommand(update));
      return true;
    } catch (error) {
      if (isConditionalFailure(error)) return false;
      throw error;
    }
  }

  private reread(key: { pk: string; sk: string }): Promise<OriginalItem | null> {
    return this.get<OriginalItem>(key);
  }

  private async get<T>(key: { pk: string; sk: string }): Promise<T | null> {
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
    return (result.Item as T | undefined) ?? null;
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
