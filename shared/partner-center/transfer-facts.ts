/**
 * What the connector needs to know about a transfer, read through the store's public read side
 * (getView and list): whether it exists, its status, when it was invited, its originals and the
 * new subscriptions it already knows.
 */
import type { TransferView } from "../domain/view-types.js";
import { DETAIL_TYPES, type TransferStatus } from "../events/index.js";
import type { TransferStore } from "../store/transfer-store.js";

export type TransferFacts = {
  customerTenantId: string;
  status: TransferStatus;
  /** When the (first) invitation was put on the bus; null before any `Invitation Sent`. */
  invitedAt: string | null;
  originalIds: ReadonlySet<string>;
  knownNewIds: ReadonlySet<string>;
  /** The fingerprint of the tenant read the transfer holds (SPEC section 10), null if none. */
  tenantFingerprint: string | null;
};

/** Transfers the reconciliation looks at: invited and not yet complete. */
export const IN_PROGRESS: readonly TransferStatus[] = [
  "INVITED",
  "ACCEPTED",
  "PROVISIONING",
  "PROVISIONED",
];

export type TransferLookup = {
  get(partnerId: string, customerTenantId: string): Promise<TransferFacts | null>;
  inProgress(partnerId: string): Promise<string[]>;
};

const lower = (id: string) => id.toLowerCase();

export function factsOf(view: TransferView): TransferFacts {
  const invitations = view.history.filter((h) => h.detailType === DETAIL_TYPES.invitationSent);
  return {
    customerTenantId: view.customerTenantId,
    status: view.status,
    invitedAt: invitations[0]?.time ?? null,
    originalIds: new Set(view.subscriptions.map((s) => lower(s.subscriptionId))),
    knownNewIds: new Set(
      [
        ...view.subscriptions.flatMap((s) => (s.replacement ? [s.replacement.subscriptionId] : [])),
        ...view.unmatched.map((u) => u.subscriptionId),
      ].map(lower),
    ),
    tenantFingerprint: view.tenant?.fingerprint ?? null,
  };
}

export function storeLookup(store: TransferStore): TransferLookup {
  return {
    async get(partnerId, customerTenantId) {
      const view = await store.getView({ partnerId, customerTenantId });
      return view ? factsOf(view) : null;
    },
    async inProgress(partnerId) {
      const rows = await store.list({ partnerId });
      return rows.filter((r) => IN_PROGRESS.includes(r.status)).map((r) => r.customerTenantId);
    },
  };
}
