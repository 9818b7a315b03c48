/**
 * The soak's workload: realistic lifecycles for many transfers, deterministic for a seed,
 * shuffled across transfers, with re-sent facts (same detail, new id) mixed in.
 */
import { DETAIL_TYPES, SOURCES, type UpstreamDetailType } from "../shared/events/registry.js";

export type SoakEntry = {
  envelope: {
    "detail-type": UpstreamDetailType;
    source: string;
    time: string;
    detail: Record<string, unknown>;
  };
};

export type SoakPlan = {
  entries: SoakEntry[];
  /** Re-sent facts among the entries. */
  resent: number;
  /** Fraction of deliveries the bus repeats with the same id. */
  redeliverRate: number;
};

/** 10% duplicates: half re-sent by the sender (new id), half redelivered by the bus (same id). */
const DUPLICATE_SHARE = 0.1;

/** mulberry32: a small seeded PRNG, so a soak can be repeated exactly. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const at = (day: number, minute: number) =>
  new Date(Date.UTC(2026, 0, 1 + day, 0, minute)).toISOString().replace(/\.\d{3}Z$/, "Z");

function lifecycle(n: number, length: number, rand: () => number): SoakEntry[] {
  const key = { partnerId: `soak-partner-${n % 50}`, customerTenantId: `soak-tenant-${n}` };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const originals = [0, 1, 2].map((i) => ({
    subscriptionId: `o-${n}-${i}`,
    offerId: `offer-${i}`,
    offerName: `Microsoft 365 plan ${i}`,
    quantity: 5 + i * 5,
    commitmentEndDate: at(150 + i * 30, 0),
    autoRenewEnabled: rand() < 0.3,
    offerDiscontinued: i === 2 && rand() < 0.5,
    termDuration: pick(["P1M", "P1Y", "P3Y"]),
  }));
  const entry = (detailType: UpstreamDetailType, time: string, detail: object): SoakEntry => ({
    envelope: {
      "detail-type": detailType,
      source: SOURCES.upstream,
      time,
      detail: { ...key, ...detail },
    },
  });
  const facts: SoakEntry[] = [
    entry(DETAIL_TYPES.invitationSent, at(1, 0), {
      partnerCountry: "FR",
      partnerEmail: `partner${n % 50}@example.com`,
      customerName: `Soak Customer ${n}`,
      customerCountry: rand() < 0.05 ? "BE" : "FR",
      sentAt: at(1, 0),
      subscriptions: originals,
    }),
    entry(DETAIL_TYPES.invitationAccepted, at(2, 0), { acceptedAt: at(2, 0) }),
  ];
  originals.forEach((o, i) => {
    facts.push(
      entry(DETAIL_TYPES.subscriptionProvisioned, at(10 + i, 0), {
        subscriptionId: `n-${n}-${i}`,
        offerId: i === 2 && rand() < 0.5 ? "offer-new" : o.offerId,
        quantity: rand() < 0.1 ? o.quantity + 1 : o.quantity,
        provisionedAt: at(10 + i, 0),
        ...(i === 2 ? { replacesSubscriptionId: o.subscriptionId } : {}),
      }),
    );
  });
  for (let u = 0; facts.length < length - 3; u++) {
    const o = pick(originals);
    facts.push(
      entry(DETAIL_TYPES.originalSubscriptionUpdated, at(20, u), {
        subscriptionId: o.subscriptionId,
        updatedAt: at(20, u),
        autoRenewEnabled: rand() < 0.5,
        ...(rand() < 0.3 ? { quantity: o.quantity + 1 } : {}),
      }),
    );
  }
  originals.forEach((o, i) => {
    if (facts.length >= length) return;
    const cancelled = rand() < 0.1;
    const endedAt = cancelled ? at(100, 0) : o.commitmentEndDate;
    facts.push(
      entry(DETAIL_TYPES.originalSubscriptionEnded, endedAt, {
        subscriptionId: `o-${n}-${i}`,
        endedAt,
        reason: cancelled ? "cancelled" : "expired",
      }),
    );
  });
  return facts.slice(0, length);
}

export function soakPlan(options: {
  totalEvents: number;
  transfers: number;
  seed: number;
}): SoakPlan {
  const rand = random(options.seed);
  const duplicates = Math.round(options.totalEvents * DUPLICATE_SHARE);
  const resent = Math.floor(duplicates / 2);
  const distinct = options.totalEvents - duplicates;
  const entries: SoakEntry[] = [];
  for (let n = 0; n < options.transfers; n++) {
    // Spread the distinct facts evenly; each transfer gets at least an invitation.
    const share =
      Math.floor(distinct / options.transfers) + (n < distinct % options.transfers ? 1 : 0);
    entries.push(...lifecycle(n, Math.max(1, share), rand));
  }
  for (let i = 0; i < resent; i++) {
    const original = entries[Math.floor(rand() * entries.length)];
    if (original) entries.push(structuredClone(original));
  }
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [entries[i], entries[j]] = [entries[j] as SoakEntry, entries[i] as SoakEntry];
  }
  const redelivered = duplicates - resent;
  return { entries, resent, redeliverRate: redelivered / entries.length };
}
