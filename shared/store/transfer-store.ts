import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  paginateQuery,
  paginateScan,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { TransferBoundError } from "../domain/bounds.js";
import { emptyState, type TransferState, transferKeyOf } from "../domain/state.js";
import { deriveView, historyOf } from "../domain/view.js";
import type { HistoryEntry, Reminder, TransferView } from "../domain/view-types.js";
import type { TransferStatus, UpstreamEvent } from "../events/index.js";
import { isConditionalFailure } from "./errors.js";
import { type Derived, foldBatch, type StatusChange } from "./fold-batch.js";
import { Inbox } from "./inbox.js";
import {
  EVENT_PREFIX,
  eventSk,
  INBOX_PREFIX,
  inboxSk,
  ORIGINAL_PREFIX,
  originalSk,
  partnerKey,
  STATE_SK,
  type TransferKey,
  transferPk,
} from "./keys.js";
import { type OriginalRecord, originalRecords, sameRecord } from "./original-records.js";
import { resyncOriginals, type SyncTarget } from "./original-sync.js";
import { originalUpdate, type TransactItem } from "./original-writes.js";
import { backoffMs, ContentionError, sleep } from "./retry.js";
import { compressJson, decodeState } from "./state-codec.js";
import { stateItemOf } from "./state-item.js";
import { PARTNER_INDEX } from "./table-definition.js";

export type { StatusChange } from "./fold-batch.js";

export type ApplyOutcome =
  | { kind: "applied"; version: number; status: TransferStatus; statusChange: StatusChange | null }
  /** Already applied. `statusChange` is what that first application changed, to re-publish. */
  | { kind: "duplicate"; statusChange: StatusChange | null };

export type TransferSummary = {
  partnerId: string;
  customerTenantId: string;
  customerName: string | null;
  status: TransferStatus;
  warningCount: number;
  nextExpiry: string | null;
};

/** DynamoDB allows 100 items per transaction. */
const MAX_ITEMS_IN_TRANSACTION = 100;
/** Inbox events a commit folds besides its own (each costs a marker and an inbox delete). */
const INBOX_BATCH = 48;
/** An apply gives up (retryably) well inside the 30 s function timeout. */
const APPLY_BUDGET_MS = 15_000;
/** Waits for other deliveries' commits before trying to fold the inbox anyway. */
const MAX_PASSIVE_WAITS = 3;
const MAX_READ_ATTEMPTS = 8;
/** How long a waiting delivery may fold the inbox before others may take over. */
const FOLD_LEASE_MS = 3_000;
/** How long after an inbox fold a new delivery goes straight to the inbox. */
const INBOX_BUSY_MS = 2_000;

/** How many recently written transfers a process keeps decoded (see `derived`). */
const RECENT_TRANSFERS = 64;

type StateItem = {
  version: number;
  /** Absent in a light read (see readForApply). */
  state?: Uint8Array;
  status: TransferStatus;
  /** Until when (epoch ms) a waiting delivery holds the right to fold the inbox. */
  foldLeaseUntil?: number;
  /** Until when (epoch ms) new deliveries should join the inbox rather than race. */
  inboxBusyUntil?: number;
  /** False while some original items may still lag the state (a large invitation's overflow). */
  originalsSynced: boolean;
};

type ApplyRead = {
  stateItem: StateItem | undefined;
  marker: { statusChange: StatusChange | null } | undefined;
  /** The event waits in the inbox (a previous attempt of this delivery put it there). */
  inInbox: boolean;
};

type CommitResult =
  | { kind: "committed"; outcome: ApplyOutcome }
  | { kind: "rejected"; count: number }
  /** Some event was folded meanwhile by another delivery: read again at once. */
  | { kind: "stale" }
  /** Another delivery committed first. */
  | { kind: "lost" };

/**
 * Stores transfers: one state item (the folded facts, compressed), one small item per distinct
 * event (dedupe marker and history) and one item per original (for reminders), all under the
 * transfer's partition. An uncontended event costs one consistent BatchGet and one transaction.
 *
 * Under a burst for one transfer, an event whose commit loses the race waits in the transfer's
 * inbox; the next commit folds every waiting event it can fit in its transaction, so a burst
 * of 500 events takes a few dozen commits rather than 500 rounds of 500 racing writers.
 */
export class TransferStore {
  private readonly inbox: Inbox;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
    private readonly thresholds: readonly number[],
  ) {
    this.inbox = new Inbox(db, tableName);
  }

  private readonly recent = new Map<string, Derived>();

  private get sync(): SyncTarget {
    return { db: this.db, tableName: this.tableName, thresholds: this.thresholds };
  }

  /**
   * Applies one event exactly once. Returns when the event is in the stored state, folded by
   * this call or by a concurrent one; throws TransferBoundError (not retryable) for an event
   * that would pass the subscription-id bound, and ContentionError (retryable) if the transfer
   * stayed contended for the whole budget (the event then waits in the inbox; a redelivery
   * finds it folded or folds it).
   */
  async apply(event: UpstreamEvent): Promise<ApplyOutcome> {
    const key = transferKeyOf(event);
    const pk = transferPk(key);
    const deadline = Date.now() + APPLY_BUDGET_MS;
    let waiting = false;
    let seenVersion: number | undefined;
    let passiveWaits = 0;
    let ownLease: number | undefined;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      // While waiting in the inbox, look cheaply (no state bytes) whether a commit took it.
      let read = await this.readForApply(pk, event.id, waiting);
      if (read.marker) return this.alreadyFolded(pk, event.id, read, waiting);
      const version = read.stateItem?.version ?? 0;
      if (waiting) {
        // Fold the inbox only once the transfer is quiet and nobody else holds the fold lease:
        // otherwise every waiting delivery would fold the same events at once and all but one
        // would lose.
        const quiet = version === seenVersion || passiveWaits >= MAX_PASSIVE_WAITS;
        // Someone else's lease: our own (left by a commit that met a stale inbox item) is ours.
        const lease = read.stateItem?.foldLeaseUntil;
        const leased = lease !== undefined && lease !== ownLease && lease > Date.now();
        const taken = quiet && !leased ? await this.takeFoldLease(pk, version, ownLease) : null;
        if (taken !== null) ownLease = taken;
        if (!quiet || leased || taken === null) {
          if (!quiet) passiveWaits++;
          seenVersion = version;
          await sleep(backoffMs(attempt, 25, 1_000));
          continue;
        }
        passiveWaits = 0;
        read = await this.readForApply(pk, event.id, false);
        if (read.marker) return this.alreadyFolded(pk, event.id, read, waiting);
      }
      waiting ||= read.inInbox;
      if (!waiting && (read.stateItem?.inboxBusyUntil ?? 0) > Date.now()) {
        await this.inbox.put(pk, event);
        waiting = true;
        seenVersion = version;
        continue;
      }
      const result = await this.commit(pk, key, event, read, waiting);
      if (result.kind === "committed") return result.outcome;
      if (result.kind === "rejected") {
        if (waiting) await this.inbox.discard(pk, event.id);
        throw new TransferBoundError(event.id, result.count);
      }
      if (result.kind === "stale") continue;
      if (!waiting) {
        await this.inbox.put(pk, event);
        waiting = true;
      }
      seenVersion = read.stateItem?.version ?? 0;
      await sleep(backoffMs(attempt, 25, 1_000));
    }
    throw new ContentionError(
      `event ${event.id} still waits in the inbox of ${pk} after ${APPLY_BUDGET_MS} ms`,
    );
  }

  /**
   * Claims (or renews) the right to fold the inbox for a few seconds: a conditional update of
   * the state item that leaves its version alone; the next commit's put clears it. Returns the
   * lease's expiry, or null when another delivery holds it. A transfer without a state item yet
   * has nothing to lease: the version check decides.
   */
  private async takeFoldLease(
    pk: string,
    version: number,
    held: number | undefined,
  ): Promise<number | null> {
    const now = Date.now();
    const until = now + FOLD_LEASE_MS;
    if (version === 0) return until;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk, sk: STATE_SK },
          UpdateExpression: "SET foldLeaseUntil = :until",
          ConditionExpression:
            "version = :version AND (attribute_not_exists(foldLeaseUntil) OR foldLeaseUntil < :now OR foldLeaseUntil = :held)",
          ExpressionAttributeValues: {
            ":until": until,
            ":version": version,
            ":now": now,
            ":held": held ?? -1,
          },
        }),
      );
      return until;
    } catch (error) {
      if (isConditionalFailure(error)) return null;
      throw error;
    }
  }

  /** The event is in the state already: a duplicate, or folded for us by another delivery. */
  private async alreadyFolded(
    pk: string,
    eventId: string,
    read: ApplyRead,
    waited: boolean,
  ): Promise<ApplyOutcome> {
    const statusChange = read.marker?.statusChange ?? null;
    if (read.inInbox) await this.inbox.discard(pk, eventId);
    let stateItem = read.stateItem;
    if (stateItem && !stateItem.originalsSynced) {
      if (!stateItem.state) stateItem = (await this.readForApply(pk, eventId, false)).stateItem;
      if (stateItem?.state) {
        await resyncOriginals(this.sync, pk, stateItem.version, decodeState(stateItem.state));
      }
    }
    if (!waited || !stateItem) return { kind: "duplicate", statusChange };
    return { kind: "applied", version: stateItem.version, status: stateItem.status, statusChange };
  }

  /**
   * One commit: this event first, then (when it waited in the inbox) the other waiting events
   * that fit, each with its marker; the state conditional on the version read.
   */
  private async commit(
    pk: string,
    key: TransferKey,
    event: UpstreamEvent,
    read: ApplyRead,
    waiting: boolean,
  ): Promise<CommitResult> {
    const { stateItem } = read;
    const prior = this.derived(pk, key, stateItem);
    const others = waiting ? await this.inbox.waiting(pk, event.id, INBOX_BATCH) : [];
    const fold = foldBatch(
      prior,
      [{ event, fromInbox: waiting }, ...others.map((e) => ({ event: e, fromInbox: true }))],
      this.thresholds,
      MAX_ITEMS_IN_TRANSACTION,
    );
    const own = fold.folded[0];
    if (!own || own.event.id !== event.id) {
      return { kind: "rejected", count: fold.rejected[0]?.count ?? 0 };
    }
    const version = prior.version + 1;
    const after = { ...fold.after, version };
    const changes = this.originalChanges(pk, version, prior.records, after.records);
    const overflow = fold.items > MAX_ITEMS_IN_TRANSACTION;
    const items: TransactItem[] = [
      this.markerPut(pk, own.event, own.statusChange),
      this.statePut(
        pk,
        key,
        after.state,
        after.view,
        version,
        stateItem?.version,
        !overflow && (stateItem?.originalsSynced ?? true),
        waiting,
      ),
    ];
    const markerOf = new Map<number, string>();
    for (const folded of fold.folded) {
      if (folded !== own) {
        markerOf.set(items.length, folded.event.id);
        items.push(this.markerPut(pk, folded.event, folded.statusChange));
      }
      if (folded.fromInbox) items.push(this.inbox.remove(pk, folded.event.id));
    }
    if (!overflow) items.push(...changes);
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      const failed = (i: number) => reasons[i]?.Code === "ConditionalCheckFailed";
      // Our own marker exists: the next read returns the duplicate (or the helper's fold).
      if (failed(0)) return { kind: "stale" };
      const folded = [...markerOf].filter(([index]) => failed(index)).map(([, id]) => id);
      if (folded.length > 0) {
        await Promise.all(folded.map((id) => this.inbox.discard(pk, id)));
        return { kind: "stale" };
      }
      if (failed(1) || reasons.some((r) => r.Code === "TransactionConflict"))
        return { kind: "lost" };
      throw error;
    }
    this.remember(pk, after);
    if (overflow || (stateItem && !stateItem.originalsSynced)) {
      await resyncOriginals(this.sync, pk, version, after.state);
    }
    return {
      kind: "committed",
      outcome: {
        kind: "applied",
        version,
        status: after.view.status,
        statusChange: own.statusChange,
      },
    };
  }

  /** The full transfer view, or null when no event for it was ever stored. */
  async getView(key: TransferKey): Promise<TransferView | null> {
    const pk = transferPk(key);
    let state: TransferState | undefined;
    const history: HistoryEntry[] = [];
    const reminders = new Map<string, Reminder[]>();
    const pages = paginateQuery(
      { client: this.db },
      {
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": pk },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const sk = String(item.sk);
        if (sk === STATE_SK) state = decodeState(item.state as Uint8Array);
        else if (sk.startsWith(EVENT_PREFIX)) {
          history.push({ eventId: item.eventId, detailType: item.detailType, time: item.time });
        } else if (sk.startsWith(ORIGINAL_PREFIX) && Array.isArray(item.reminders)) {
          reminders.set(String(item.subscriptionId), item.reminders as Reminder[]);
        }
      }
    }
    if (!state) return null;
    const view = deriveView(state);
    return {
      ...view,
      subscriptions: view.subscriptions.map((s) => ({
        ...s,
        reminders: (reminders.get(s.subscriptionId) ?? [])
          .map((r) => ({ thresholdDays: r.thresholdDays, sentAt: r.sentAt }))
          .sort((a, b) => (a.sentAt < b.sentAt ? -1 : a.sentAt > b.sentAt ? 1 : 0)),
      })),
      history: historyOf(history),
    };
  }

  /** Transfer summaries, optionally for one partner and/or one status. */
  async list(
    filter: { partnerId?: string; status?: TransferStatus } = {},
  ): Promise<TransferSummary[]> {
    const byStatus = filter.status
      ? { FilterExpression: "#status = :status", ExpressionAttributeNames: { "#status": "status" } }
      : {};
    const statusValues = filter.status ? { ":status": filter.status } : {};
    const index = { TableName: this.tableName, IndexName: PARTNER_INDEX.indexName };
    const pages = filter.partnerId
      ? paginateQuery(
          { client: this.db },
          {
            ...index,
            ...byStatus,
            KeyConditionExpression: "partnerKey = :partner",
            ExpressionAttributeValues: {
              ":partner": partnerKey(filter.partnerId),
              ...statusValues,
            },
          },
        )
      : paginateScan(
          { client: this.db },
          {
            ...index,
            ...byStatus,
            ...(filter.status ? { ExpressionAttributeValues: statusValues } : {}),
          },
        );
    const items: Record<string, unknown>[] = [];
    for await (const page of pages) items.push(...(page.Items ?? []));
    return items
      .map((item) => ({
        partnerId: String(item.partnerId),
        customerTenantId: String(item.customerTenantId),
        customerName: (item.customerName as string | undefined) ?? null,
        status: item.status as TransferStatus,
        warningCount: Number(item.warningCount),
        nextExpiry: (item.nextExpiry as string | undefined) ?? null,
      }))
      .sort(
        (a, b) =>
          a.partnerId.localeCompare(b.partnerId) ||
          a.customerTenantId.localeCompare(b.customerTenantId),
      );
  }

  /**
   * One consistent BatchGet of the state, the event's marker and its inbox item. A light read
   * leaves out the state's bytes (a waiting delivery only needs the version). Unprocessed keys
   * are read again with backoff, a bounded number of times.
   */
  private async readForApply(pk: string, eventId: string, light: boolean): Promise<ApplyRead> {
    const keys = [
      { pk, sk: STATE_SK },
      { pk, sk: eventSk(eventId) },
      { pk, sk: inboxSk(eventId) },
    ];
    const projection = light
      ? {
          ProjectionExpression:
            "sk, version, originalsSynced, statusChange, foldLeaseUntil, #status",
          ExpressionAttributeNames: { "#status": "status" },
        }
      : {};
    let pending: Record<string, unknown>[] = keys;
    const found: Record<string, unknown>[] = [];
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === MAX_READ_ATTEMPTS) {
        throw new ContentionError(
          `${pending.length} key(s) of ${pk} left unprocessed after ${MAX_READ_ATTEMPTS} reads`,
        );
      }
      if (attempt > 0) await sleep(backoffMs(attempt - 1));
      const result = await this.db.send(
        new BatchGetCommand({
          RequestItems: {
            [this.tableName]: { Keys: pending, ConsistentRead: true, ...projection },
          },
        }),
      );
      found.push(...(result.Responses?.[this.tableName] ?? []));
      pending = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    const stateRaw = found.find((item) => item.sk === STATE_SK);
    const markerRaw = found.find((item) => String(item.sk).startsWith(EVENT_PREFIX));
    const stateItem: StateItem | undefined = stateRaw
      ? {
          version: Number(stateRaw.version),
          ...(stateRaw.state ? { state: stateRaw.state as Uint8Array } : {}),
          status: stateRaw.status as TransferStatus,
          ...(stateRaw.foldLeaseUntil ? { foldLeaseUntil: Number(stateRaw.foldLeaseUntil) } : {}),
          ...(stateRaw.inboxBusyUntil ? { inboxBusyUntil: Number(stateRaw.inboxBusyUntil) } : {}),
          originalsSynced: stateRaw.originalsSynced !== false,
        }
      : undefined;
    const marker = markerRaw
      ? { statusChange: (markerRaw.statusChange as StatusChange | undefined) ?? null }
      : undefined;
    const inInbox = found.some((item) => String(item.sk).startsWith(INBOX_PREFIX));
    return { stateItem, marker, inInbox };
  }

  private markerPut(
    pk: string,
    event: UpstreamEvent,
    statusChange: StatusChange | null,
  ): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          pk,
          sk: eventSk(event.id),
          eventId: event.id,
          detailType: event.detailType,
          time: event.time,
          receivedAt: new Date().toISOString(),
          // The event itself, compressed: kept permanently as the audit trail.
          event: compressJson(event),
          statusChange: statusChange ?? undefined,
        },
        ConditionExpression: "attribute_not_exists(pk)",
      },
    };
  }

  private statePut(
    pk: string,
    key: TransferKey,
    state: TransferState,
    view: ReturnType<typeof deriveView>,
    version: number,
    expectedVersion: number | undefined,
    originalsSynced: boolean,
    contended: boolean,
  ): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: stateItemOf(pk, key, state, view, {
          version,
          originalsSynced,
          inboxBusyUntil: contended ? Date.now() + INBOX_BUSY_MS : undefined,
        }),
        ...(expectedVersion === undefined
          ? { ConditionExpression: "attribute_not_exists(pk)" }
          : {
              ConditionExpression: "version = :expected",
              ExpressionAttributeValues: { ":expected": expectedVersion },
            }),
      },
    };
  }

  /**
   * The decoded state, view and original records of the stored version, reused from the last
   * event this process applied to the transfer when the version still matches (a busy transfer
   * with 500 originals would otherwise decode and derive everything twice per event).
   */
  private derived(pk: string, key: TransferKey, stateItem: StateItem | undefined): Derived {
    if (!stateItem) {
      const state = emptyState(key.partnerId, key.customerTenantId);
      const view = deriveView(state);
      return { version: 0, state, view, records: originalRecords(state, view, this.thresholds) };
    }
    const cached = this.recent.get(pk);
    if (cached?.version === stateItem.version) return cached;
    if (!stateItem.state) throw new Error(`state of ${pk} was not read`);
    const state = decodeState(stateItem.state);
    const view = deriveView(state);
    const records = originalRecords(state, view, this.thresholds);
    return { version: stateItem.version, state, view, records };
  }

  private remember(pk: string, derived: Derived): void {
    this.recent.delete(pk);
    this.recent.set(pk, derived);
    if (this.recent.size > RECENT_TRANSFERS) {
      const oldest = this.recent.keys().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
  }

  /** Writes to original items whose record differs between two states. */
  private originalChanges(
    pk: string,
    version: number,
    old: Map<string, OriginalRecord>,
    next: Map<string, OriginalRecord>,
  ): TransactItem[] {
    const writes: TransactItem[] = [];
    for (const [id, record] of next) {
      if (!sameRecord(old.get(id), record))
        writes.push({ Update: originalUpdate(this.tableName, pk, version, record, false) });
    }
    for (const id of old.keys()) {
      if (!next.has(id))
        writes.push({ Delete: { TableName: this.tableName, Key: { pk, sk: originalSk(id) } } });
    }
    return writes;
  }
}

/** Per-item reasons of a cancelled transaction, or null for any other error. */
function cancellationReasons(error: unknown): { Code?: string }[] | null {
  if (!(error instanceof TransactionCanceledException)) return null;
  return error.CancellationReasons ?? [];
}
