/**
 * One commit of the write side: the delivery's own event first, then (when it waited in the
 * inbox) the other waiting events that fit, each with its marker, the state put conditional on
 * the version read, and the original items whose record changed — one transaction.
 */
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { TransferState } from "../domain/state.js";
import type { deriveView } from "../domain/view.js";
import type { TransferStatus, UpstreamEvent } from "../events/index.js";
import type { ApplyRead } from "./apply-read.js";
import { type Derived, foldBatch, type StatusChange } from "./fold-batch.js";
import type { Inbox } from "./inbox.js";
import { entryPartnerOf, eventSk, historyEntryKey, originalSk, type TransferKey } from "./keys.js";
import { type OriginalRecord, sameRecord } from "./original-records.js";
import { originalUpdate, type TransactItem } from "./original-writes.js";
import { compressJson } from "./state-codec.js";
import { stateItemOf } from "./state-item.js";

/** DynamoDB allows 100 items per transaction. */
export const MAX_ITEMS_IN_TRANSACTION = 100;
/** Inbox events a commit folds besides its own (each costs a marker and an inbox delete). */
const INBOX_BATCH = 48;
/** How long after an inbox fold a new delivery goes straight to the inbox. */
const INBOX_BUSY_MS = 2_000;

export type ApplyOutcome =
  | { kind: "applied"; version: number; status: TransferStatus; statusChange: StatusChange | null }
  /** Already applied. `statusChange` is what that first application changed, to re-publish. */
  | { kind: "duplicate"; statusChange: StatusChange | null };

export type CommitResult =
  | { kind: "committed"; outcome: ApplyOutcome; after: Derived; overflow: boolean }
  | { kind: "rejected"; count: number }
  /** Some event was folded meanwhile by another delivery: read again at once. */
  | { kind: "stale" }
  /** Another delivery committed first. */
  | { kind: "lost" };

export type CommitTarget = {
  db: DynamoDBDocumentClient;
  tableName: string;
  thresholds: readonly number[];
  inbox: Inbox;
};

export async function commitFold(
  target: CommitTarget,
  pk: string,
  key: TransferKey,
  event: UpstreamEvent,
  read: ApplyRead,
  waiting: boolean,
  prior: Derived,
): Promise<CommitResult> {
  const { db, tableName, inbox } = target;
  const { stateItem } = read;
  const others = waiting ? await inbox.waiting(pk, event.id, INBOX_BATCH) : [];
  const fold = foldBatch(
    prior,
    [{ event, fromInbox: waiting }, ...others.map((e) => ({ event: e, fromInbox: true }))],
    target.thresholds,
    MAX_ITEMS_IN_TRANSACTION,
  );
  const own = fold.folded[0];
  if (!own || own.event.id !== event.id) {
    return { kind: "rejected", count: fold.rejected[0]?.count ?? 0 };
  }
  const version = prior.version + 1;
  const after = { ...fold.after, version };
  const changes = originalChanges(tableName, pk, version, prior.records, after.records);
  const overflow = fold.items > MAX_ITEMS_IN_TRANSACTION;
  const items: TransactItem[] = [
    markerPut(tableName, pk, key, own.event, own.statusChange),
    statePut(tableName, pk, key, after.state, after.view, {
      version,
      expectedVersion: stateItem?.version,
      originalsSynced: !overflow && (stateItem?.originalsSynced ?? true),
      contended: waiting,
    }),
  ];
  const markerOf = new Map<number, string>();
  for (const folded of fold.folded) {
    if (folded !== own) {
      markerOf.set(items.length, folded.event.id);
      items.push(markerPut(tableName, pk, key, folded.event, folded.statusChange));
    }
    if (folded.fromInbox) items.push(inbox.remove(pk, folded.event.id));
  }
  if (!overflow) items.push(...changes);
  try {
    await db.send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (!reasons) throw error;
    const failed = (i: number) => reasons[i]?.Code === "ConditionalCheckFailed";
    // Our own marker exists: the next read returns the duplicate (or the helper's fold).
    if (failed(0)) return { kind: "stale" };
    const folded = [...markerOf].filter(([index]) => failed(index)).map(([, id]) => id);
    if (folded.length > 0) {
      await Promise.all(folded.map((id) => inbox.discard(pk, id)));
      return { kind: "stale" };
    }
    if (failed(1) || reasons.some((r) => r.Code === "TransactionConflict")) return { kind: "lost" };
    throw error;
  }
  return {
    kind: "committed",
    after,
    overflow,
    outcome: {
      kind: "applied",
      version,
      status: after.view.status,
      statusChange: own.statusChange,
    },
  };
}

function markerPut(
  tableName: string,
  pk: string,
  key: TransferKey,
  event: UpstreamEvent,
  statusChange: StatusChange | null,
): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: {
        pk,
        sk: eventSk(event.id),
        eventId: event.id,
        detailType: event.detailType,
        time: event.time,
        // The history entry in the partner-entry index: a transfer's page reads these, never
        // the payloads.
        entryPartner: entryPartnerOf(key.partnerId),
        entryKey: historyEntryKey(key.customerTenantId, event.id),
        receivedAt: new Date().toISOString(),
        // The event itself, compressed: kept permanently as the audit trail.
        event: compressJson(event),
        statusChange: statusChange ?? undefined,
      },
      ConditionExpression: "attribute_not_exists(pk)",
    },
  };
}

function statePut(
  tableName: string,
  pk: string,
  key: TransferKey,
  state: TransferState,
  view: ReturnType<typeof deriveView>,
  meta: {
    version: number;
    expectedVersion: number | undefined;
    originalsSynced: boolean;
    contended: boolean;
  },
): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: stateItemOf(pk, key, state, view, {
        version: meta.version,
        originalsSynced: meta.originalsSynced,
        inboxBusyUntil: meta.contended ? Date.now() + INBOX_BUSY_MS : undefined,
      }),
      ...(meta.expectedVersion === undefined
        ? { ConditionExpression: "attribute_not_exists(pk)" }
        : {
            ConditionExpression: "version = :expected",
            ExpressionAttributeValues: { ":expected": meta.expectedVersion },
          }),
    },
  };
}

/** Writes to original items whose record differs between two states. */
function originalChanges(
  tableName: string,
  pk: string,
  version: number,
  old: Map<string, OriginalRecord>,
  next: Map<string, OriginalRecord>,
): TransactItem[] {
  const writes: TransactItem[] = [];
  for (const [id, record] of next) {
    if (!sameRecord(old.get(id), record))
      writes.push({ Update: originalUpdate(tableName, pk, version, record, false) });
  }
  for (const id of old.keys()) {
    if (!next.has(id))
      writes.push({ Delete: { TableName: tableName, Key: { pk, sk: originalSk(id) } } });
  }
  return writes;
}

/** Per-item reasons of a cancelled transaction, or null for any other error. */
function cancellationReasons(error: unknown): { Code?: string }[] | null {
  if (!(error instanceof TransactionCanceledException)) return null;
  return error.CancellationReasons ?? [];
}
