/**
 * What to do about one original subscription (SPEC sections 4 and 8), written once: from its
 * state, its replacement and its open warnings. The reminder email (HTML and text), its
 * `expiries.ics`, the calendar feed and the transfer page all call this module, so an entry with
 * one calendar `UID` has one `DESCRIPTION` wherever it comes from. Pure: no I/O, no clock (the
 * end date is written as a date, never as "in N days", so the text does not change by the day).
 */
import { utcDate } from "../domain/time.js";
import type { WarningCode } from "../domain/view-types.js";
import { plainText, plural } from "../text/plain-text.js";
import { coverageAdvice, untrackedAdvice } from "./tenant-advice.js";

export type AdviceWarning = {
  code: WarningCode;
  message: string;
  /** SEAT_COUNT_MISMATCH only: the original's and the replacement's seat counts. */
  expected?: number;
  actual?: number;
  /** LICENSES_NOT_COVERED only (SPEC section 10): users who would lose the license, its SKU, when. */
  users?: number;
  skuPartNumber?: string;
  seats?: number;
  date?: string | null;
};

/** What the advice is written from: the original as the store or the view knows it. */
export type AdviceFacts = {
  subscriptionId: string;
  offerId: string;
  offerName: string;
  quantity: number;
  commitmentEndDate: string;
  autoRenewEnabled: boolean;
  offerDiscontinued: boolean;
  /** ACTIVE originals get advice; an ended one has nothing left to do. */
  state: "ACTIVE" | "EXPIRED" | "CANCELLED";
  replacement: { subscriptionId: string; offerId: string; quantity: number } | null;
  /** The original's open warnings, in the view's order. */
  warnings: readonly AdviceWarning[];
};

/**
 * The facts of an original known to be active: a due row or expiry entry (the calendar feed) and
 * a digest row (the email and its expiries.ics) read only originals still active.
 */
export const activeAdviceFacts = (original: Omit<AdviceFacts, "state">): AdviceFacts => ({
  ...original,
  state: "ACTIVE",
});

const has = (facts: AdviceFacts, code: WarningCode) => facts.warnings.find((w) => w.code === code);

/** What to do, one sentence per action, following the warnings; empty once the original ended. */
export function whatToDo(facts: AdviceFacts): string[] {
  if (facts.state !== "ACTIVE") return [];
  return [...replacementAdvice(facts), ...tenantAdvice(facts)];
}

function replacementAdvice(facts: AdviceFacts): string[] {
  const date = utcDate(facts.commitmentEndDate);
  const offer = `${plainText(facts.offerName)} (offer ${plainText(facts.offerId)})`;
  const advice: string[] = [];
  const renewOff =
    `Turn auto-renew off on the original before ${date}, or it renews for another term ` +
    "instead of expiring and the customer keeps paying for it.";
  if (!facts.replacement) {
    advice.push(
      facts.offerDiscontinued
        ? `${offer} is discontinued: find an equivalent offer, provision it with ` +
            `${plural(facts.quantity, "seat")} under your CSP account before ${date}, and reassign ` +
            "users' licenses to it."
        : `Provision the same offer, ${offer}, with the same seat count ` +
            `(${plural(facts.quantity, "seat")}) under your CSP account before ${date}; otherwise ` +
            "end users lose service when the original ends.",
    );
    if (facts.autoRenewEnabled) advice.push(renewOff);
    return advice;
  }
  const replacement = facts.replacement;
  const otherOffer =
    has(facts, "LICENSE_REASSIGNMENT_REQUIRED") ?? has(facts, "OFFER_MISMATCH") ?? null;
  const seatsWarning = has(facts, "SEAT_COUNT_MISMATCH");
  const expected = seatsWarning?.expected ?? facts.quantity;
  const actual = seatsWarning?.actual ?? replacement.quantity;
  if (seatsWarning && actual < expected) {
    advice.push(
      `Provision the missing ${plural(expected - actual, "seat")} on the replacement before ` +
        `${date}: it has ${actual}, the original has ${expected}.`,
    );
  } else if (seatsWarning && actual > expected) {
    advice.push(
      `The replacement has ${plural(actual - expected, "seat")} more than the original ` +
        `(${actual} against ${expected}): check the seat count with the customer.`,
    );
  }
  if (otherOffer) {
    advice.push(
      `The replacement is on another offer (${plainText(replacement.offerId)}): reassign ` +
        `users' licenses from the original to the replacement before ${date}.`,
    );
  }
  advice.push(
    `Let the original expire on ${date}` +
      (otherOffer || (seatsWarning && actual < expected)
        ? "."
        : "; end users continue on the replacement."),
  );
  advice.push(
    facts.autoRenewEnabled ? renewOff : "Check that auto-renew stays off on the original.",
  );
  advice.push("Do not cancel the original: cancelling gives the customer no refund.");
  return advice;
}

/**
 * Advice from the customer's tenant (SPEC section 10): one sentence per tenant warning of the
 * original, e.g. for `LICENSES_NOT_COVERED` "Move 7 users from STANDARDPACK before 2031-05-06."
 * and for `UNTRACKED_ORIGINAL` the subscription the invitation missed. The tenant's warning codes
 * and their sentences are added here (keyed by code), and nowhere else.
 */
const TENANT_ADVICE: Partial<
  Record<string, (warning: AdviceWarning, facts: AdviceFacts) => string>
> = {
  LICENSES_NOT_COVERED: (warning) => coverageAdvice({ ...warning, subscriptionId: null }) ?? "",
  UNTRACKED_ORIGINAL: (warning) => untrackedAdvice({ ...warning, subscriptionId: null }) ?? "",
};

function tenantAdvice(facts: AdviceFacts): string[] {
  return facts.warnings.flatMap((warning) => {
    const sentence = TENANT_ADVICE[warning.code];
    const text = sentence?.(warning, facts);
    return text ? [text] : [];
  });
}

const WARNING_TITLES: Partial<Record<WarningCode, string>> = {
  ORIGINAL_AUTO_RENEW_ON: "Auto-renew is on",
  SEAT_COUNT_MISMATCH: "Seat count differs",
  OFFER_MISMATCH: "Offer differs",
  LICENSE_REASSIGNMENT_REQUIRED: "License reassignment required",
};

/** Each open warning in words: a title with its numbers, then the transfer's own sentence. */
export function warningLines(facts: AdviceFacts): { title: string; text: string }[] {
  return facts.warnings.map((warning) => {
    const base = WARNING_TITLES[warning.code] ?? warning.code;
    const title =
      warning.code === "SEAT_COUNT_MISMATCH" &&
      warning.expected !== undefined &&
      warning.actual !== undefined
        ? `${base} (expected ${warning.expected}, actual ${warning.actual})`
        : base;
    return { title, text: plainText(warning.message) };
  });
}

/**
 * The calendar entry's DESCRIPTION, the same in the email's `expiries.ics` and in the feed:
 * what to do, then every open warning in words.
 */
export function adviceDescription(facts: AdviceFacts): string {
  const lines = whatToDo(facts).map((line) => `- ${line}`);
  const warnings = warningLines(facts);
  if (warnings.length > 0) {
    lines.push("Warnings:", ...warnings.map((w) => `! ${w.title}: ${w.text}`));
  }
  return lines.join("\n");
}
