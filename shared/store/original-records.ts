import { effectiveOriginals } from "../domain/originals.js";
import { nextReminderDate } from "../domain/reminder-schedule.js";
import type { TransferState } from "../domain/state.js";
import { compareInstants } from "../domain/time.js";
import type { TransferView, Warning, WarningCode } from "../domain/view-types.js";

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
  /** The discontinued-offer flag of the invitation: the replacement needs an equivalent offer. */
  offerDiscontinued: boolean;
  /** The matched replacement, for the reminder digest (what it says about the replacement). */
  replacement: { subscriptionId: string; offerId: string; quantity: number } | null;
  /** The open warnings of this original that a reminder reports, in the view's order. */
  warnings: OriginalWarning[];
  /** False once the transfer is INELIGIBLE or COMPLETED: no reminders then. */
  transferRemindable: boolean;
  /** UTC date the first reminder falls due; null when none can (ended, ineligible...). */
  firstReminderDate: string | null;
};

/** Warnings a reminder about an active original reports (SPEC section 4). */
export const REMINDER_WARNING_CODES: readonly WarningCode[] = [
  "ORIGINAL_AUTO_RENEW_ON",
  "SEAT_COUNT_MISMATCH",
  "OFFER_MISMATCH",
  "LICENSE_REASSIGNMENT_REQUIRED",
  "LICENSES_NOT_COVERED",
  "UNTRACKED_ORIGINAL",
];

export type OriginalWarning = Omit<Warning, "subscriptionId">;

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
  const warningsOf = new Map<string, OriginalWarning[]>();
  for (const { subscriptionId, ...warning } of view.warnings) {
    if (subscriptionId === null || !REMINDER_WARNING_CODES.includes(warning.code)) continue;
    warningsOf.set(subscriptionId, [...(warningsOf.get(subscriptionId) ?? []), warning]);
  }
  // A subscription the invitation missed belongs to no original: it is told once per customer,
  // with the original that ends soonest (the first the digest lists for that customer).
  const untracked = view.warnings.filter((w) => w.code === "UNTRACKED_ORIGINAL");
  const soonest = view.subscriptions
    .filter((s) => s.state === "ACTIVE")
    .sort(
      (a, b) =>
        compareInstants(a.commitmentEndDate, b.commitmentEndDate) ||
        (a.subscriptionId < b.subscriptionId ? -1 : 1),
    )[0];
  if (soonest && untracked.length > 0) {
    const told = untracked.map(({ subscriptionId: _, ...warning }) => warning);
    warningsOf.set(soonest.subscriptionId, [
      ...(warningsOf.get(soonest.subscriptionId) ?? []),
      ...told,
    ]);
  }
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
      offerDiscontinued: original.offerDiscontinued,
      replacement: sub.replacement
        ? {
            subscriptionId: sub.replacement.subscriptionId,
            offerId: sub.replacement.offerId,
            quantity: sub.replacement.quantity,
          }
        : null,
      warnings: warningsOf.get(sub.subscriptionId) ?? [],
      transferRemindable,
      firstReminderDate: remindable
        ? nextReminderDate(sub.commitmentEndDate, thresholds, original.termDuration)
        : null,
    });
  }
  return records;
}

/**
 * Field by field; nested values (the replacement, the warnings) by their JSON, which the
 * record's builder writes in a fixed key order.
 */
export function sameRecord(a: OriginalRecord | undefined, b: OriginalRecord | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const fields = Object.keys(a) as (keyof OriginalRecord)[];
  return (
    fields.length === Object.keys(b).length &&
    fields.every((field) => {
      const x = a[field];
      const y = b[field];
      if (x === y) return true;
      return (
        typeof x === "object" && typeof y === "object" && JSON.stringify(x) === JSON.stringify(y)
      );
    })
  );
}
