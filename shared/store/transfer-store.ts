/**
 * The write side of the store: applying an event exactly once. The steps live in their own
 * modules — the read of each attempt (apply-read.ts), the inbox (inbox.ts), the fold lease
 * (fold-lease.ts) and the commit (commit.ts); this class runs them in order and keeps the last
 * decoded version of recently written transfers. The read side (view, list, expiries) is in
 * transfer-read.ts and state-read.ts.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { TransferBoundError } from "../domain/bounds.js";
import { emptyState, transferKeyOf } from "../domain/state.js";
import { deriveView } from "../domain/view.js";
import type { UpstreamEvent } from "../events/index.js";
import { type ApplyRead, readForApply, type StateItem } from "./apply-read.js";
import { type ApplyOutcome, commitFold } from "./commit.js";
import type { Derived } from "./fold-batch.js";
import { takeFoldLease } from "./fold-lease.js";
import { Inbox } from "./inbox.js";
import { type TransferKey, transferPk } from "./keys.js";
import { originalRecords } from "./original-records.js";
import { resyncOriginals, type SyncTarget } from "./original-sync.js";
import { backoffMs, ContentionError, sleep } from "./retry.js";
import { decodeState } from "./state-codec.js";

export type { ApplyOutcome } from "./commit.js";
export type { StatusChange } from "./fold-batch.js";

/** An apply gives up (retryably) well inside the 30 s function timeout. */
const APPLY_BUDGET_MS = 15_000;
/** Waits for other deliveries' commits before trying to fold the inbox anyway. */
const MAX_PASSIVE_WAITS = 3;
/** How many recently written transfers a process keeps decoded (see `derived`). */
const RECENT_TRANSFERS = 64;

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
  private readonly recent = new Map<string, Derived>();

  constructor(
    readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
    private readonly thresholds: readonly number[],
  ) {
    this.inbox = new Inbox(db, tableName);
  }

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
    const read = (light: boolean) => readForApply(this.db, this.tableName, pk, event.id, light);
    const deadline = Date.now() + APPLY_BUDGET_MS;
    let waiting = false;
    let seenVersion: number | undefined;
    let passiveWaits = 0;
    let ownLease: number | undefined;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      // While waiting in the inbox, look cheaply (no state bytes) whether a commit took it.
      let current = await read(waiting);
      if (current.marker) return this.alreadyFolded(pk, event.id, current, waiting);
      const version = current.stateItem?.version ?? 0;
      if (waiting) {
        // Fold the inbox only once the transfer is quiet and nobody else holds the fold lease:
        // otherwise every waiting delivery would fold the same events at once and all but one
        // would lose.
        const quiet = version === seenVersion || passiveWaits >= MAX_PASSIVE_WAITS;
        // Someone else's lease: our own (left by a commit that met a stale inbox item) is ours.
        const lease = current.stateItem?.foldLeaseUntil;
        const leased = lease !== undefined && lease !== ownLease && lease > Date.now();
        const taken =
          quiet && !leased
            ? await takeFoldLease(this.db, this.tableName, pk, version, ownLease)
            : null;
        if (taken !== null) ownLease = taken;
        if (!quiet || leased || taken === null) {
          if (!quiet) passiveWaits++;
          seenVersion = version;
          await sleep(backoffMs(attempt, 25, 1_000));
          continue;
        }
        passiveWaits = 0;
        current = await read(false);
        if (current.marker) return this.alreadyFolded(pk, event.id, current, waiting);
      }
      waiting ||= current.inInbox;
      if (!waiting && (current.stateItem?.inboxBusyUntil ?? 0) > Date.now()) {
        await this.inbox.put(pk, event);
        waiting = true;
        seenVersion = version;
        continue;
      }
      const result = await commitFold(
        { db: this.db, tableName: this.tableName, thresholds: this.thresholds, inbox: this.inbox },
        pk,
        key,
        event,
        current,
        waiting,
        this.derived(pk, key, current.stateItem),
      );
      if (result.kind === "committed") {
        this.remember(pk, result.after);
        if (result.overflow || (current.stateItem && !current.stateItem.originalsSynced)) {
          await resyncOriginals(this.sync, pk, result.after.version, result.after.state);
        }
        return result.outcome;
      }
      if (result.kind === "rejected") {
        if (waiting) await this.inbox.discard(pk, event.id);
        throw new TransferBoundError(event.id, result.count);
      }
      if (result.kind === "stale") continue;
      if (!waiting) {
        await this.inbox.put(pk, event);
        waiting = true;
      }
      seenVersion = current.stateItem?.version ?? 0;
      await sleep(backoffMs(attempt, 25, 1_000));
    }
    throw new ContentionError(
      `event ${event.id} still waits in the inbox of ${pk} after ${APPLY_BUDGET_MS} ms`,
    );
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
      if (!stateItem.state) {
        stateItem = (await readForApply(this.db, this.tableName, pk, eventId, false)).stateItem;
      }
      if (stateItem?.state) {
        await resyncOriginals(this.sync, pk, stateItem.version, decodeState(stateItem.state));
      }
    }
    if (!waited || !stateItem) return { kind: "duplicate", statusChange };
    return { kind: "applied", version: stateItem.version, status: stateItem.status, statusChange };
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
}
