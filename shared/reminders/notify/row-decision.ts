/**
 * Step 2 of the notifier, the rule: whether one row of a digest is sent, decided at sending time
 * from the original as stored now, the claim and the clock — a pure function. A row is sent only
 * while the original is still active, its transfer still remindable, its end date today or later,
 * its expiry the claimed one (not renewed since), its address the digest's, and the claim's
 * threshold both a configured threshold and still the most urgent one crossed. Days left are the
 * sending time's.
 */
import { partnerKeyOf } from "../../digest/batches.js";
import type { DigestRow } from "../../digest/content.js";
import { daysLeftUntil } from "../../domain/reminder-schedule.js";
import type { OriginalRecord } from "../../store/original-records.js";
import { type ClaimItem, claimSk, type ExpiryMemory, expiryKeyOf, expiryOf } from "../claims.js";
import { reminderDecision } from "../schedule.js";

/** Why a row of a digest is not sent (its claim is deleted). */
export type DropReason =
  | "originalNotTracked"
  | "originalEnded"
  | "transferNotRemindable"
  | "recipientChanged"
  | "unknownThreshold"
  | "renewed"
  | "pastEndDate"
  | "superseded"
  | "notDueYet";

export type RowOriginal = OriginalRecord & ExpiryMemory;

export type RowClaim = Pick<
  ClaimItem,
  "sk" | "subscriptionId" | "commitmentEndDate" | "expiry" | "thresholdDays"
>;

export type RowDecision = { send: DigestRow } | { drop: DropReason };

export type RowDecisionInput = {
  /** The original as stored now; null when the transfer no longer lists it. */
  original: RowOriginal | null;
  claim: RowClaim;
  /** The digest's recipient (`partnerKeyOf` its address). */
  partnerKey: string;
  /** The configured thresholds. */
  thresholds: readonly number[];
  /** The sending time on the scan's clock (ISO). */
  now: string;
};

export function decideRow(input: RowDecisionInput): RowDecision {
  const { original, claim, thresholds, now } = input;
  if (!original) return { drop: "originalNotTracked" };
  if (original.state !== "ACTIVE") return { drop: "originalEnded" };
  if (!original.transferRemindable) return { drop: "transferNotRemindable" };
  if (partnerKeyOf(original.partnerEmail) !== input.partnerKey) return { drop: "recipientChanged" };
  const expiry = expiryKeyOf(claim);
  if (
    !thresholds.includes(claim.thresholdDays) ||
    claim.sk !== claimSk(claim.subscriptionId, expiry, claim.thresholdDays)
  ) {
    return { drop: "unknownThreshold" };
  }
  if (expiryOf(original).key !== expiry) return { drop: "renewed" };
  const decision = reminderDecision(original, thresholds, now);
  if (decision.kind === "drop") {
    return { drop: decision.reason === "pastEndDate" ? "pastEndDate" : "notDueYet" };
  }
  if (decision.kind === "reschedule") return { drop: "notDueYet" };
  if (decision.thresholdDays < claim.thresholdDays) return { drop: "superseded" };
  if (decision.thresholdDays > claim.thresholdDays) return { drop: "notDueYet" };
  return { send: rowOf(original, claim.thresholdDays, now) };
}

/** What the email says about one row, from the original as stored now. */
function rowOf(original: RowOriginal, thresholdDays: number, now: string): DigestRow {
  return {
    partnerId: original.partnerId,
    customerTenantId: original.customerTenantId,
    customerName: original.customerName,
    subscriptionId: original.subscriptionId,
    offerId: original.offerId,
    offerName: original.offerName,
    quantity: original.quantity,
    commitmentEndDate: original.commitmentEndDate,
    daysLeft: daysLeftUntil(original.commitmentEndDate, now),
    thresholdDays,
    autoRenewEnabled: original.autoRenewEnabled,
    offerDiscontinued: original.offerDiscontinued === true,
    replacement: original.replacement ?? null,
    warnings: original.warnings ?? [],
  };
}
