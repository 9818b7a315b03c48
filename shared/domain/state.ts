import type {
  InvitationSent,
  OriginalSubscriptionEnded,
  SubscriptionProvisioned,
  TenantObserved,
  UpstreamEvent,
} from "../events/index.js";
import { earliest, latest, type Stamp } from "./time.js";

type Stamped<T> = { stamp: Stamp; value: T };

export type OriginalFieldUpdates = {
  autoRenewEnabled?: Stamped<boolean>;
  commitmentEndDate?: Stamped<string>;
  quantity?: Stamped<number>;
};

/**
 * Everything the view needs from a transfer's events, folded so that the fold is commutative,
 * associative and idempotent: each part keeps a deterministic winner (latest or earliest stamp),
 * so any order and any duplicates of the same events give the same state. It stays small
 * (one entry per subscription, not per event), which keeps the stored item bounded.
 */
export type TransferState = {
  partnerId: string;
  customerTenantId: string;
  /** The invitation with the latest `sentAt` (ties: greater event id). */
  invitation?: Stamped<InvitationSent>;
  /** The earliest acceptance seen. */
  accepted?: Stamped<string>;
  /** New subscriptions by id; a re-sent fact keeps the latest version. */
  provisioned: Record<string, Stamped<SubscriptionProvisioned>>;
  /** Per original, per field, the latest `Original Subscription Updated` value. */
  updates: Record<string, OriginalFieldUpdates>;
  /** Per original, its earliest end. */
  ended: Record<string, Stamped<OriginalSubscriptionEnded>>;
  /**
   * The latest read of the customer's tenant (greatest `observedAt`), as a whole: the view
   * derives end dates, seats, ends and the tenant's warnings from it (SPEC section 10).
   */
  tenant?: Stamped<TenantObserved>;
};

export function emptyState(partnerId: string, customerTenantId: string): TransferState {
  return { partnerId, customerTenantId, provisioned: {}, updates: {}, ended: {} };
}

/** The key that identifies a transfer: partner plus customer tenant. */
export function transferKeyOf(event: UpstreamEvent): {
  partnerId: string;
  customerTenantId: string;
} {
  return { partnerId: event.detail.partnerId, customerTenantId: event.detail.customerTenantId };
}

/**
 * Folds one event into the state, returning a new state. The input is not changed: the new
 * state shares every part the event does not touch (a burst folds hundreds of events into a
 * state of 500 originals, so copying it whole per event would dominate the cost).
 */
export function applyEvent(state: TransferState, event: UpstreamEvent): TransferState {
  const stampAt = (at: string): Stamp => ({ at, eventId: event.id });
  switch (event.detailType) {
    case "Invitation Sent": {
      const d = event.detail;
      return {
        ...state,
        invitation: latest(state.invitation, { stamp: stampAt(d.sentAt), value: d }),
      };
    }
    case "Invitation Accepted": {
      const d = event.detail;
      const accepted = earliest(state.accepted, {
        stamp: stampAt(d.acceptedAt),
        value: d.acceptedAt,
      });
      return { ...state, accepted };
    }
    case "Subscription Provisioned": {
      const d = event.detail;
      const entry = latest(state.provisioned[d.subscriptionId], {
        stamp: stampAt(d.provisionedAt),
        value: d,
      });
      return { ...state, provisioned: { ...state.provisioned, [d.subscriptionId]: entry } };
    }
    case "Original Subscription Updated": {
      const d = event.detail;
      const stamp = stampAt(d.updatedAt);
      const fields: OriginalFieldUpdates = { ...state.updates[d.subscriptionId] };
      if (d.autoRenewEnabled !== undefined) {
        fields.autoRenewEnabled = latest(fields.autoRenewEnabled, {
          stamp,
          value: d.autoRenewEnabled,
        });
      }
      if (d.commitmentEndDate !== undefined) {
        fields.commitmentEndDate = latest(fields.commitmentEndDate, {
          stamp,
          value: d.commitmentEndDate,
        });
      }
      if (d.quantity !== undefined) {
        fields.quantity = latest(fields.quantity, { stamp, value: d.quantity });
      }
      return { ...state, updates: { ...state.updates, [d.subscriptionId]: fields } };
    }
    case "Original Subscription Ended": {
      const d = event.detail;
      const entry = earliest(state.ended[d.subscriptionId], {
        stamp: stampAt(d.endedAt),
        value: d,
      });
      return { ...state, ended: { ...state.ended, [d.subscriptionId]: entry } };
    }
    case "Tenant Observed": {
      const d = event.detail;
      return { ...state, tenant: latest(state.tenant, { stamp: stampAt(d.observedAt), value: d }) };
    }
  }
}
