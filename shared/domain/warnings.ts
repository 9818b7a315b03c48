import type { InvitationSent, SubscriptionProvisioned } from "../events/index.js";
import type { EffectiveOriginal } from "./originals.js";
import { compareInstants, utcDate, utcDay } from "./time.js";
import type { Warning } from "./view-types.js";

const seats = (n: number) => `${n} seat${n === 1 ? "" : "s"}`;

export function countryWarning(invitation: InvitationSent): Warning | null {
  if (invitation.partnerCountry === invitation.customerCountry) return null;
  return {
    code: "COUNTRY_MISMATCH",
    subscriptionId: null,
    message:
      `The partner is in ${invitation.partnerCountry} but the customer tenant is in ` +
      `${invitation.customerCountry}; a transfer needs both in the same country or region, ` +
      "so no reminders will be sent.",
  };
}

/** Warnings about one original and its replacement, in a fixed order. */
export function originalWarnings(
  original: EffectiveOriginal,
  replacement: SubscriptionProvisioned | undefined,
): Warning[] {
  const id = original.subscriptionId;
  const warnings: Warning[] = [];
  if (replacement && replacement.offerId !== original.offerId) {
    warnings.push(
      original.offerDiscontinued
        ? {
            code: "LICENSE_REASSIGNMENT_REQUIRED",
            subscriptionId: id,
            message:
              `Original ${id} is on the discontinued offer ${original.offerId}; its replacement ` +
              `${replacement.subscriptionId} is on ${replacement.offerId}, so licenses must be ` +
              "reassigned to users.",
          }
        : {
            code: "OFFER_MISMATCH",
            subscriptionId: id,
            message:
              `Replacement ${replacement.subscriptionId} is on offer ${replacement.offerId} but ` +
              `original ${id} is on ${original.offerId}; a different offer means license ` +
              "reassignment and risks data loss.",
          },
    );
  }
  if (replacement && replacement.quantity !== original.quantity) {
    const delta = replacement.quantity - original.quantity;
    warnings.push({
      code: "SEAT_COUNT_MISMATCH",
      subscriptionId: id,
      expected: original.quantity,
      actual: replacement.quantity,
      message:
        `Replacement ${replacement.subscriptionId} has ${seats(replacement.quantity)} but ` +
        `original ${id} has ${seats(original.quantity)} (${delta > 0 ? "+" : ""}${delta}); ` +
        "the total number of licenses must stay the same.",
    });
  }
  if (!original.ended && original.autoRenewEnabled) {
    warnings.push({
      code: "ORIGINAL_AUTO_RENEW_ON",
      subscriptionId: id,
      message:
        `Original ${id} has auto-renew on: it will renew on ${utcDate(original.commitmentEndDate)} ` +
        "instead of expiring. Turn auto-renew off.",
    });
  }
  const ended = original.ended;
  if (ended && (!replacement || compareInstants(replacement.provisionedAt, ended.endedAt) > 0)) {
    warnings.push({
      code: "ENDED_WITHOUT_REPLACEMENT",
      subscriptionId: id,
      message:
        `Original ${id} ended on ${utcDate(ended.endedAt)} with no replacement provisioned by ` +
        `then: end users of its ${seats(original.quantity)} lost service.`,
    });
  }
  if (ended?.reason === "cancelled" && utcDay(ended.endedAt) < utcDay(original.commitmentEndDate)) {
    const daysEarly = utcDay(original.commitmentEndDate) - utcDay(ended.endedAt);
    warnings.push({
      code: "CANCELLED_BEFORE_EXPIRY",
      subscriptionId: id,
      message:
        `Original ${id} was cancelled on ${utcDate(ended.endedAt)}, ${daysEarly} day` +
        `${daysEarly === 1 ? "" : "s"} before its end date ${utcDate(original.commitmentEndDate)}; ` +
        "cancelled subscriptions are not refunded.",
    });
  }
  return warnings;
}

export function unmatchedWarning(replacement: SubscriptionProvisioned): Warning {
  const target = replacement.replacesSubscriptionId;
  return {
    code: "UNMATCHED_REPLACEMENT",
    subscriptionId: replacement.subscriptionId,
    message:
      target === undefined
        ? `New subscription ${replacement.subscriptionId} (offer ${replacement.offerId}, ` +
          `${seats(replacement.quantity)}) matches no original still waiting for a replacement ` +
          "on that offer."
        : `New subscription ${replacement.subscriptionId} names original ${target}, which is ` +
          "not in this transfer or already has a replacement.",
  };
}
