import { gzipSync } from "node:zlib";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  paginateQuery,
  paginateScan,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import { applyEvent, emptyState, type TransferState, transferKeyOf } from "../domain/state.js";
import { compareInstants } from "../domain/time.js";
import { deriveView, historyOf } from "../domain/view.js";
import type { HistoryEntry, Reminder, TransferView } from "../domain/view-types.js";
import type { TransferStatus, UpstreamEvent } from "../events/index.js";
import {
  EVENT_PREFIX,
  eventSk,
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
import { decodeState, encodeState } from "./state-codec.js";
import { PARTNER_INDEX } from "./table-definition.js";

export type StatusChange = { from: TransferStatus; to: TransferStatus; at: string };

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

/** DynamoDB allows 100 items per transaction; two are the event marker and the state. */
const MAX_ORIGINALS_IN_TRANSACTION = 98;
const MAX_ATTEMPTS = 12;

/** How many recently written transfers a process keeps decoded (see `derived`). */
const RECENT_TRANSFERS = 64;

type Derived = {
  version: number;
  state: TransferState;
  view: ReturnType<typeof deriveView>;
  records: Map<string, OriginalRecord>;
};

type StateItem = {
  version: number;
  state: Uint8Array;
  /** False while some original items may still lag the state (a large invitation's overflow). */
  originalsSynced: boolean;
};

/**
 * Stores transfers: one state item (the folded facts, compressed), one small item per distinct
 * event (dedupe marker and history) and one item per original (for reminders), all under the
 * transfer's partition. Each event costs one consistent BatchGet and one transaction.
 */
export class TransferStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
    private readonly thresholds: readonly number[],
  ) {}

  private readonly recent = new Map<string, Derived>();

  private get sync(): SyncTarget {
    return { db: this.db, tableName: this.tableName, thresholds: this.thresholds };
  }

  /** Applies one event exactly once, retrying optimistic-concurrency conflicts with backoff. */
  async apply(event: UpstreamEvent): Promise<ApplyOutcome> {
    const key = transferKeyOf(event);
    const pk = transferPk(key);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const { stateItem, marker } = await this.readForApply(pk, event.id);
      if (marker) {
        if (stateItem && !stateItem.originalsSynced)
          await resyncOriginals(this.sync, pk, stateItem.version, decodeState(stateItem.state));
        return { kind: "duplicate", statusChange: marker.statusChange ?? null };
      }
      const prior = this.derived(pk, key, stateItem);
      const viewBefore = prior.view;
      const after = applyEvent(prior.state, event);
      const viewAfter = deriveView(after);
      const statusChange =
        viewBefore.status === viewAfter.status
          ? null
          : { from: viewBefore.status, to: viewAfter.status, at: event.time };
      const version = (stateItem?.version ?? 0) + 1;
      const recordsAfter = originalRecords(after, viewAfter, this.thresholds);
      const changes = this.originalChanges(pk, version, prior.records, recordsAfter);
      const overflow = changes.length > MAX_ORIGINALS_IN_TRANSACTION;
      const inTransaction = overflow ? [] : changes;
      try {
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              this.markerPut(pk, event, statusChange),
              this.statePut(
                pk,
                key,
                after,
                viewAfter,
                version,
                stateItem?.version,
                !overflow && (stateItem?.originalsSynced ?? true),
              ),
              ...inTransaction,
            ],
          }),
        );
      } catch (error) {
        const conflict = conflictOf(error);
        if (conflict === "duplicate") return { kind: "duplicate", statusChange: null };
        if (conflict === "retry") {
          await sleep(backoffMs(attempt));
          continue;
        }
        throw error;
      }
      this.remember(pk, { version, state: after, view: viewAfter, records: recordsAfter });
      if (overflow || (stateItem && !stateItem.originalsSynced)) {
        await resyncOriginals(this.sync, pk, version, after);
      }
      return { kind: "applied", version, status: viewAfter.status, statusChange };
    }
    throw new ContentionError(`gave up after ${MAX_ATTEMPTS} conflicting attempts on ${pk}`);
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

  private async readForApply(pk: string, eventId: string) {
    const keys = [
      { pk, sk: STATE_SK },
      { pk, sk: eventSk(eventId) },
    ];
    let pending: Record<string, unknown>[] = keys;
    const found: Record<string, unknown>[] = [];
    for (let attempt = 0; pending.length > 0; attempt++) {
      const result = await this.db.send(
        new BatchGetCommand({
          RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
        }),
      );
      found.push(...(result.Responses?.[this.tableName] ?? []));
      pending = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      if (pending.length > 0) await sleep(backoffMs(attempt));
    }
    const stateRaw = found.find((item) => item.sk === STATE_SK);
    const markerRaw = found.find((item) => item.sk !== STATE_SK);
    const stateItem: StateItem | undefined = stateRaw
      ? {
          version: Number(stateRaw.version),
          state: stateRaw.state as Uint8Array,
          originalsSynced: stateRaw.originalsSynced !== false,
        }
      : undefined;
    const marker = markerRaw
      ? { statusChange: (markerRaw.statusChange as StatusChange | undefined) ?? null }
      : undefined;
    return { stateItem, marker };
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
          event: gzipSync(JSON.stringify(event)),
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
  ): TransactItem {
    const nextExpiry = view.subscriptions
      .filter((s) => s.state === "ACTIVE")
      .map((s) => s.commitmentEndDate)
      .sort(compareInstants)[0];
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          pk,
          sk: STATE_SK,
          partnerId: key.partnerId,
          customerTenantId: key.customerTenantId,
          partnerKey: partnerKey(key.partnerId),
          customerKey: key.customerTenantId,
          customerName: view.customerName ?? undefined,
          status: view.status,
          warningCount: view.warnings.length,
          nextExpiry,
          version,
          originalsSynced,
          state: encodeState(state),
        },
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

function conflictOf(error: unknown): "duplicate" | "retry" | null {
  if (!(error instanceof TransactionCanceledException)) return null;
  const reasons = error.CancellationReasons ?? [];
  if (reasons[0]?.Code === "ConditionalCheckFailed") return "duplicate";
  // A lost version race or a concurrent transaction on the same items: read again and retry.
  if (
    reasons.some((r) => r.Code === "ConditionalCheckFailed" || r.Code === "TransactionConflict")
  ) {
    return "retry";
  }
  return null;
}
