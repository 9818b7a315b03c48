/**
 * What the connector needs to know about a transfer — whether it exists, its status, the
 * `sentAt` of the invitation that defines it (the latest `sentAt`, SPEC section 2), its originals
 * and the new subscriptions it already knows — read as the transfer's folded state alone (one
 * GetItem of its STATE item, shared/store/state-read.ts) and derived with the pure domain
 * functions. Never the whole partition: a burst of notifications for one customer reads one small
 * item per notification, not the transfer's history with every event payload.
 */

import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { TransferState } from "../domain/state.js";
import { deriveView } from "../domain/view.js";
import type { TransferStatus } from "../events/index.js";
import { readTransferState } from "../store/state-read.js";
import { listTransferSummaries } from "../store/transfer-read.js";

export type TransferFacts = {
  customerTenantId: string;
  status: TransferStatus;
  /** `sentAt` of the invitation with the latest `sentAt`; null before any `Invitation Sent`. */
  invitationSentAt: string | null;
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

/** The connector's facts from a transfer's folded state (pure). */
export function factsOf(state: TransferState): TransferFacts {
  const view = deriveView(state);
  return {
    customerTenantId: state.customerTenantId,
    status: view.status,
    invitationSentAt: state.invitation?.value.sentAt ?? null,
    originalIds: new Set(view.subscriptions.map((s) => lower(s.subscriptionId))),
    // Every provisioned subscription, matched to an original or not.
    knownNewIds: new Set(Object.keys(state.provisioned).map(lower)),
    tenantFingerprint: view.tenant?.fingerprint ?? null,
  };
}

export function storeLookup(db: DynamoDBDocumentClient, tableName: string): TransferLookup {
  return {
    async get(partnerId, customerTenantId) {
      const state = await readTransferState(db, tableName, { partnerId, customerTenantId });
      return state ? factsOf(state) : null;
    },
    async inProgress(partnerId) {
      const rows = await listTransferSummaries(db, tableName, { partnerId });
      return rows.filter((r) => IN_PROGRESS.includes(r.status)).map((r) => r.customerTenantId);
    },
  };
}
