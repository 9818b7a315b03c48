/**
 * One run of the expiry scan: its settings, its clocks, what it has claimed so far and what it
 * counts. Every step of the scan (shared/reminders/scan/*) works on the run it is given.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "@aws-lambda-powertools/logger";
import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { mapLimited } from "../../concurrency.js";
import { utcDate } from "../../domain/time.js";
import type { OriginalRecord } from "../../store/original-records.js";
import type { EventPublisher } from "../../tracker/event-publisher.js";
import type { ClaimItem, ExpiryMemory } from "../claims.js";

/** A claim or digest left PENDING this long is taken to be orphaned by a scan that died. */
export const PENDING_GRACE_MS = 2 * 60_000;
/** Originals processed at once per shard (16 shards run in parallel). */
export const PER_SHARD_CONCURRENCY = 8;

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
  /**
   * The real (wall) clock in epoch ms: claim timestamps, the grace period, the deadline, leases,
   * and whether an end date has passed for good (SPEC section 4: a simulated `now` never takes an
   * original out of the reminder index).
   */
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

/** An original as the reminder index lists it. */
export type OriginalItem = OriginalRecord &
  ExpiryMemory & {
    pk: string;
    sk: string;
    stateVersion: number;
    reminderShard?: string;
    reminderDue?: string;
  };

/** A claim this run puts in a digest: a fresh or orphaned PENDING one, or a superseded digest's. */
export type Collected = { claim: ClaimItem; adoptedFrom: string | null };

/** What became of one index entry. */
export type Outcome =
  | { kind: "claimed"; collected: Collected }
  | { kind: "alreadyReminded" }
  | { kind: "skipped" }
  /** Left the due range meanwhile (another scan or a handler moved it): not this scan's. */
  | { kind: "gone" };

export class ScanRun {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly thresholds: readonly number[];
  /** The scan's clock (ISO), possibly simulated. */
  readonly now: string;
  /** The real clock (epoch ms). */
  readonly clock: () => number;
  /** Every index key due on or before the scan's UTC date sorts below this bound. */
  readonly dueBound: string;
  readonly runId = randomUUID();
  readonly counts: ExpiryScanCounts = { due: 0, emitted: 0, alreadyReminded: 0, skipped: 0 };
  digests = 0;
  complete = true;
  itemsRead = 0;
  consumedReadCapacity = 0;
  /** This run's claims, by key (a claim found twice, e.g. adopted and orphaned, counts once). */
  readonly collected = new Map<string, Collected>();
  /** Claims whose write may have been applied though it failed (an answer lost). */
  readonly uncertain: ClaimItem[] = [];

  constructor(readonly options: ExpiryScanOptions) {
    this.db = options.db;
    this.tableName = options.tableName;
    this.thresholds = options.thresholds;
    this.now = options.now;
    this.clock = options.clock ?? Date.now;
    this.dueBound = `${utcDate(options.now)}$`;
  }

  get logger(): ScanLogger | undefined {
    return this.options.logger;
  }

  /** The real clock as an ISO instant. */
  wallTime(): string {
    return new Date(this.clock()).toISOString();
  }

  pastDeadline(): boolean {
    return this.options.deadline !== undefined && this.clock() >= this.options.deadline;
  }

  /** Processes one page and keeps its claims for this run's digests. */
  async settle<T>(items: T[], process: (item: T) => Promise<Outcome>): Promise<void> {
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

  collect(collected: Collected): void {
    const key = `${collected.claim.pk}\u0000${collected.claim.sk}`;
    if (this.collected.has(key)) return;
    this.collected.set(key, collected);
    this.counts.due++;
  }

  /** A consistent read, counted in the run's reads. */
  async get<T>(key: { pk: string; sk: string }): Promise<T | null> {
    const result = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: key.pk, sk: key.sk },
        ConsistentRead: true,
        ReturnConsumedCapacity: "TOTAL",
      }),
    );
    this.itemsRead += result.Item ? 1 : 0;
    this.consumedReadCapacity += result.ConsumedCapacity?.CapacityUnits ?? 0;
    return (result.Item as T | undefined) ?? null;
  }

  result(): ExpiryScanResult {
    return {
      ...this.counts,
      digests: this.digests,
      complete: this.complete,
      itemsRead: this.itemsRead,
      consumedReadCapacity: this.consumedReadCapacity,
    };
  }
}
