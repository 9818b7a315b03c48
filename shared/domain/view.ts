import type { TransferStatus, UpstreamEvent } from "../events/index.js";
import { matchReplacements } from "./matching.js";
import { type EffectiveOriginal, effectiveOriginals } from "./originals.js";
import { applyEvent, emptyState, type TransferState } from "./state.js";
import { tenantReadOf } from "./tenant.js";
import { licensesNotCovered, tenantCoverage, untrackedOriginals } from "./tenant-warnings.js";
import { compareInstants, compareStrings } from "./time.js";
import type {
  HistoryEntry,
  Replacement,
  SubscriptionView,
  TransferView,
  Warning,
} from "./view-types.js";
import { countryWarning, originalWarnings, unmatchedWarning } from "./warnings.js";

const asReplacement = (p: {
  subscriptionId: string;
  offerId: string;
  quantity: number;
  provisionedAt: string;
}): Replacement => ({
  subscriptionId: p.subscriptionId,
  offerId: p.offerId,
  quantity: p.quantity,
  provisionedAt: p.provisionedAt,
});

function stateOf(original: EffectiveOriginal): SubscriptionView["state"] {
  if (!original.ended) return "ACTIVE";
  return original.ended.reason === "cancelled" ? "CANCELLED" : "EXPIRED";
}

function statusOf(
  state: TransferState,
  subscriptions: SubscriptionView[],
  countryMismatch: boolean,
): TransferStatus {
  if (!state.invitation) return "PENDING_INVITATION";
  if (countryMismatch) return "INELIGIBLE";
  const replaced = subscriptions.filter((s) => s.replacement !== null).length;
  const all = subscriptions.length;
  if (all > 0 && replaced === all) {
    return subscriptions.every((s) => s.state !== "ACTIVE") ? "COMPLETED" : "PROVISIONED";
  }
  if (replaced > 0) return "PROVISIONING";
  const accepted = state.accepted !== undefined || Object.keys(state.provisioned).length > 0;
  return accepted ? "ACCEPTED" : "INVITED";
}

/** The transfer view derived from the folded state (history and reminders come from storage). */
export function deriveView(state: TransferState): Omit<TransferView, "history"> {
  const originals = effectiveOriginals(state);
  const provisioned = Object.values(state.provisioned).map((p) => p.value);
  const { replacements, unmatched } = matchReplacements(originals, provisioned);

  const tenant = tenantReadOf(state);
  const coverage = tenant ? tenantCoverage(originals, tenant) : [];
  const coverageOf = new Map(coverage.map((row) => [row.subscriptionId, row]));

  const country = state.invitation ? countryWarning(state.invitation.value) : null;
  const warnings: Warning[] = country ? [country] : [];
  const subscriptions = originals.map((original): SubscriptionView => {
    const replacement = replacements.get(original.subscriptionId);
    warnings.push(...originalWarnings(original, replacement));
    const row = coverageOf.get(original.subscriptionId);
    const uncovered = row ? licensesNotCovered(row, replacement) : null;
    if (uncovered) warnings.push(uncovered);
    return {
      subscriptionId: original.subscriptionId,
      offerId: original.offerId,
      offerName: original.offerName,
      quantity: original.quantity,
      commitmentEndDate: original.commitmentEndDate,
      autoRenewEnabled: original.autoRenewEnabled,
      state: stateOf(original),
      replacement: replacement ? asReplacement(replacement) : null,
      reminders: [],
    };
  });
  warnings.push(...unmatched.map(unmatchedWarning));
  if (tenant) {
    const known = new Set(
      [...originals.map((o) => o.subscriptionId), ...Object.keys(state.provisioned)].map((id) =>
        id.toLowerCase(),
      ),
    );
    warnings.push(...untrackedOriginals(tenant, known));
  }

  return {
    partnerId: state.partnerId,
    customerTenantId: state.customerTenantId,
    customerName: state.invitation?.value.customerName ?? null,
    status: statusOf(state, subscriptions, country !== null),
    warnings,
    unmatched: unmatched.map(asReplacement),
    subscriptions,
    ...(tenant
      ? { tenant: { observedAt: tenant.observedAt, fingerprint: tenant.fingerprint, coverage } }
      : {}),
  };
}

/** History: each distinct envelope id once, by event time then id. */
export function historyOf(events: Iterable<HistoryEntry>): HistoryEntry[] {
  const byId = new Map<string, HistoryEntry>();
  for (const e of events) if (!byId.has(e.eventId)) byId.set(e.eventId, e);
  return [...byId.values()].sort(
    (a, b) => compareInstants(a.time, b.time) || compareStrings(a.eventId, b.eventId),
  );
}

/** Folds events (any order, any duplicates) into the state of their one transfer. */
export function foldEvents(events: readonly UpstreamEvent[]): TransferState {
  const first = events[0];
  if (!first) throw new RangeError("a transfer needs at least one event");
  const { partnerId, customerTenantId } = first.detail;
  return events.reduce(applyEvent, emptyState(partnerId, customerTenantId));
}

/**
 * The transfer view as a pure function of its events: the oracle that storage, handlers and the
 * local runtime must agree with.
 */
export function transferView(events: readonly UpstreamEvent[]): TransferView {
  return {
    ...deriveView(foldEvents(events)),
    history: historyOf(
      events.map((e) => ({ eventId: e.id, detailType: e.detailType, time: e.time })),
    ),
  };
}
