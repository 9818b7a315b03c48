import type { SubscriptionProvisioned } from "../events/index.js";
import type { EffectiveOriginal } from "./originals.js";
import { compareInstants, compareStrings } from "./time.js";

export type MatchResult = {
  /** Original subscriptionId -> the new subscription that replaces it. */
  replacements: Map<string, SubscriptionProvisioned>;
  /** New subscriptions that replace no original, in provisioning order. */
  unmatched: SubscriptionProvisioned[];
};

const byProvisioning = (a: SubscriptionProvisioned, b: SubscriptionProvisioned) =>
  compareInstants(a.provisionedAt, b.provisionedAt) ||
  compareStrings(a.subscriptionId, b.subscriptionId);

/** Had the original not ended yet at that instant? */
const activeAt = (original: EffectiveOriginal, instant: string) =>
  original.ended === null || compareInstants(original.ended.endedAt, instant) > 0;

const byExpiry = (a: EffectiveOriginal, b: EffectiveOriginal) =>
  compareInstants(a.commitmentEndDate, b.commitmentEndDate) ||
  compareStrings(a.subscriptionId, b.subscriptionId);

/**
 * Matches new subscriptions to originals: explicit `replacesSubscriptionId` first (the earliest
 * provisioned wins a contested original), then the rest in provisioning order, each to the
 * unmatched original of the same offer that was still active when it was provisioned (one that
 * had already ended only when no such original is left), the one that expires first.
 */
export function matchReplacements(
  originals: EffectiveOriginal[],
  provisioned: SubscriptionProvisioned[],
): MatchResult {
  const ordered = [...provisioned].sort(byProvisioning);
  const originalIds = new Set(originals.map((o) => o.subscriptionId));
  const replacements = new Map<string, SubscriptionProvisioned>();
  const unmatched: SubscriptionProvisioned[] = [];

  for (const candidate of ordered) {
    const target = candidate.replacesSubscriptionId;
    if (target === undefined) continue;
    if (originalIds.has(target) && !replacements.has(target)) replacements.set(target, candidate);
    else unmatched.push(candidate);
  }

  const byOffer = [...originals].sort(byExpiry);
  for (const candidate of ordered) {
    if (candidate.replacesSubscriptionId !== undefined) continue;
    const free = (o: EffectiveOriginal) =>
      o.offerId === candidate.offerId && !replacements.has(o.subscriptionId);
    const original =
      byOffer.find((o) => free(o) && activeAt(o, candidate.provisionedAt)) ?? byOffer.find(free);
    if (original) replacements.set(original.subscriptionId, candidate);
    else unmatched.push(candidate);
  }

  unmatched.sort(byProvisioning);
  return { replacements, unmatched };
}
