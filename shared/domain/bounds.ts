import type { UpstreamEvent } from "../events/index.js";
import type { TransferState } from "./state.js";

/**
 * At most this many distinct subscription ids per transfer (SPEC section 5): originals of the
 * latest invitation plus every id named by a provisioning, update or end. It keeps the folded
 * state of realistic ids (GUIDs) well under DynamoDB's 400 KB item limit.
 */
export const MAX_SUBSCRIPTION_IDS = 2_000;

/** The distinct subscription ids the state holds an entry for. */
export function distinctSubscriptionIds(state: TransferState): number {
  const ids = new Set<string>(Object.keys(state.provisioned));
  for (const id of Object.keys(state.updates)) ids.add(id);
  for (const id of Object.keys(state.ended)) ids.add(id);
  for (const original of state.invitation?.value.subscriptions ?? [])
    ids.add(original.subscriptionId);
  return ids.size;
}

/** The subscription ids an event names. */
export function idsNamedBy(event: UpstreamEvent): string[] {
  if (event.detailType === "Invitation Sent") {
    return event.detail.subscriptions.map((s) => s.subscriptionId);
  }
  return "subscriptionId" in event.detail ? [event.detail.subscriptionId] : [];
}

/**
 * Counts a transfer's distinct subscription ids as events are folded into it, and tells which
 * event would pass the bound. Only an event naming ids the state does not hold yet can; the
 * exact count is taken again only when the cheap upper bound says it might.
 */
export class SubscriptionIdCount {
  private count: number;
  private originals: Set<string>;
  constructor(private state: TransferState) {
    this.count = distinctSubscriptionIds(state);
    this.originals = originalIds(state);
  }

  /** The count `after` would reach if it passes the bound, else null (and `after` is taken). */
  check(event: UpstreamEvent, after: TransferState): number | null {
    const known = (id: string) =>
      id in this.state.provisioned ||
      id in this.state.updates ||
      id in this.state.ended ||
      this.originals.has(id);
    const fresh = new Set(idsNamedBy(event).filter((id) => !known(id))).size;
    if (fresh === 0 && event.detailType !== "Invitation Sent") {
      this.state = after;
      return null;
    }
    const upper = this.count + fresh;
    const exact = upper > MAX_SUBSCRIPTION_IDS || event.detailType === "Invitation Sent";
    const next = exact ? distinctSubscriptionIds(after) : upper;
    if (next > MAX_SUBSCRIPTION_IDS && next > this.count) return next;
    this.count = next;
    this.state = after;
    if (event.detailType === "Invitation Sent") this.originals = originalIds(after);
    return null;
  }
}

const originalIds = (state: TransferState) =>
  new Set((state.invitation?.value.subscriptions ?? []).map((s) => s.subscriptionId));

/**
 * An event that would take its transfer past MAX_SUBSCRIPTION_IDS. It changes nothing and can
 * never succeed, so it is not retryable: the runtime dead-letters it with this message.
 */
export class TransferBoundError extends Error {
  override readonly name = "TransferBoundError";
  readonly retryable = false;
  constructor(eventId: string, count: number) {
    super(
      `event ${eventId} would give the transfer ${count} distinct subscription ids; at most ${MAX_SUBSCRIPTION_IDS} are kept per transfer`,
    );
  }
}
