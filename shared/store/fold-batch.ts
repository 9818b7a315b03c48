import { SubscriptionIdCount } from "../domain/bounds.js";
import { applyEvent, type TransferState } from "../domain/state.js";
import { deriveView } from "../domain/view.js";
import type { TransferStatus, UpstreamEvent } from "../events/index.js";
import { type OriginalRecord, originalRecords, sameRecord } from "./original-records.js";

export type StatusChange = { from: TransferStatus; to: TransferStatus; at: string };

/** A stored version of a transfer, decoded, with what the handlers derive from it. */
export type Derived = {
  version: number;
  state: TransferState;
  view: ReturnType<typeof deriveView>;
  records: Map<string, OriginalRecord>;
};

/** An event to fold; `fromInbox` when it waits as an inbox item that the commit must delete. */
export type Candidate = { event: UpstreamEvent; fromInbox: boolean };

export type FoldedEvent = Candidate & { statusChange: StatusChange | null };

export type BatchFold = {
  after: Derived;
  /** The events folded, in order, each with the status change it caused. */
  folded: FoldedEvent[];
  /** Candidates that would pass the subscription-id bound, with the count they would reach. */
  rejected: { candidate: Candidate; count: number }[];
  /** Items the commit writes: the state, a marker (and inbox delete) per event, originals. */
  items: number;
};

/**
 * Folds the first candidate and then as many of the others as fit in one transaction of
 * `maxItems`, one at a time so that each event's status change is the one it caused. The first
 * candidate is always taken (even if its original writes alone overflow the transaction: the
 * store then writes them after the commit); a candidate that would pass the bound is left out.
 * Original records (the costly part) are derived once per tried prefix, not once per event.
 */
export function foldBatch(
  prior: Derived,
  candidates: readonly Candidate[],
  thresholds: readonly number[],
  maxItems: number,
): BatchFold {
  const steps: { folded: FoldedEvent; state: TransferState; view: Derived["view"] }[] = [];
  const rejected: BatchFold["rejected"] = [];
  let current = { state: prior.state, view: prior.view };
  const ids = new SubscriptionIdCount(prior.state);
  for (const candidate of candidates) {
    const state = applyEvent(current.state, candidate.event);
    const over = ids.check(candidate.event, state);
    if (over !== null) {
      rejected.push({ candidate, count: over });
      // Nothing is folded when the first candidate (the caller's own event) is refused.
      if (steps.length === 0) break;
      continue;
    }
    const view = deriveView(state);
    const statusChange =
      current.view.status === view.status
        ? null
        : { from: current.view.status, to: view.status, at: candidate.event.time };
    steps.push({ folded: { ...candidate, statusChange }, state, view });
    current = { state, view };
  }
  if (steps.length === 0) return { after: prior, folded: [], rejected, items: 1 };

  const prefix = (length: number) => {
    const chosen = steps.slice(0, length);
    const last = chosen[chosen.length - 1] ?? steps[0];
    if (!last) throw new Error("unreachable: no step folded");
    const records = originalRecords(last.state, last.view, thresholds);
    const markers = chosen.reduce((n, s) => n + 1 + (s.folded.fromInbox ? 1 : 0), 0);
    const items = 1 + markers + changedRecords(prior.records, records);
    const after: Derived = {
      version: prior.version + 1,
      state: last.state,
      view: last.view,
      records,
    };
    return { after, folded: chosen.map((s) => s.folded), items };
  };
  // The longest prefix that fits (a single event always does: it may overflow on its own).
  let best = prefix(steps.length);
  if (best.items > maxItems && steps.length > 1) {
    let low = 1;
    let high = steps.length - 1;
    best = prefix(1);
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      const tried = prefix(middle);
      if (tried.items <= maxItems) {
        best = tried;
        low = middle;
      } else high = middle - 1;
    }
    if (best.folded.length !== low) best = prefix(low);
  }
  return { ...best, rejected };
}

/** How many original items differ between two sets of records (written or deleted). */
export function changedRecords(
  old: Map<string, OriginalRecord>,
  next: Map<string, OriginalRecord>,
): number {
  let changed = 0;
  for (const [id, record] of next) if (!sameRecord(old.get(id), record)) changed++;
  for (const id of old.keys()) if (!next.has(id)) changed++;
  return changed;
}
