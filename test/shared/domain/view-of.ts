/** Shared helpers for the domain tests: the view of raw envelopes, and warning look-ups. */
import { transferView } from "../../../shared/domain/index.js";
import type { TransferView, Warning, WarningCode } from "../../../shared/domain/view-types.js";
import { parseAll } from "../../support/events.js";

/** The transfer view of raw EventBridge envelopes (parsed first, as a handler would). */
export function viewOf(...raws: unknown[]): TransferView {
  return transferView(parseAll(raws));
}

export function warningsWith(view: TransferView, code: WarningCode): Warning[] {
  return view.warnings.filter((w) => w.code === code);
}

export function codesOf(view: TransferView): WarningCode[] {
  return view.warnings.map((w) => w.code);
}

export function subscriptionOf(view: TransferView, subscriptionId: string) {
  const found = view.subscriptions.find((s) => s.subscriptionId === subscriptionId);
  if (!found) throw new Error(`no subscription ${subscriptionId} in the view`);
  return found;
}
