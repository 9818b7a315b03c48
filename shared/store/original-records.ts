import { effectiveOriginals } from "../domain/originals.js";
import type { TransferState } from "../domain/state.js";
import type { TransferView } from "../domain/view-types.js";
import { nextReminderDate } from "../reminders/schedule.js";

/**
 * What the expiry scan and `due` need to know about one original, denormalised onto its own
 * item so that the scan reads one item per due original and never the transfer's state.
 */
export type OriginalRecord = {
  partnerId: string;
  customerTenantId: string;
  customerName: string;
  partnerEmail: string;
  subscriptionId: string;
  offerId: string;
  offerName: string;
  quantity: number;
  commitmentEndDate: string;
  autoRenewEnabled: boolean;
  termDuration: string | null;
  state: "ACTIVE" | "EXPIRED" | "CANCELLED";
  replacementProvisioned: boolean;
  /** False once the transfer is INELIGIBLE or COMPLETED: no reminders then. */
  transferRemindable: boolean;
  /** UTC date the first reminder falls due; null when none can (ended, ineligible...). */
  firstReminderDate: string | null;
};

/** One record per original listed by the latest invitation, keyed by subscriptionId. */
export function originalRecords(
  state: TransferState,
  view: Omit<TransferView, "history">,
  thresholds: readonly number[],
): Map<string, OriginalRecord> {
  const invitation = state.invitation?.value;
  const records = new Map<string, OriginalRecord>();
  if (!invitation) return records;
  const transferRemindable = view.status !== "INELIGIBLE" && view.status !== "COMPLETED";
  const byId = new Map(view.subscriptions.map((s) => [s.subscriptionId, s]));
  for (const original of effectiveOriginals(state)) {
    const sub = byId.get(original.subscriptionId);
    if (!sub) continue;
    const remindable = transferRemindable && sub.state === "ACTIVE";
    records.set(original.subscriptionId, {
      partnerId: state.partnerId,
      customerTenantId: state.customerTenantId,
      customerName: invitation.customerName,
      partnerEmail: invitation.partnerEmail,
      subscriptionId: sub.subscriptionId,
      offerId: sub.offerId,
      offerName: sub.offerName,
      quantity: sub.quantity,
      commitmentEndDate: sub.commitmentEndDate,
      autoRenewEnabled: sub.autoRenewEnabled,
      termDuration: original.termDuration ?? null,
      state: sub.state,
      replacementProvisioned: sub.replacement !== null,
      transferRemindable,
      firstReminderDate: remindable
        ? nextReminderDate(sub.commitmentEndDate, thresholds, original.termDuration)
        : null,
    });
  }
  return records;
}

/** Records are flat (strings, numbers, booleans, null): compare them field by field. */
export function sameRecord(a: OriginalRecord | undefined, b: OriginalRecord | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const fields = Object.keys(a) as (keyof OriginalRecord)[];
  return fields.length === Object.keys(b).length && fields.every((field) => a[field] === b[field]);
}
