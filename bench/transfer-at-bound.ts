/**
 * A transfer at the bound of 2,000 distinct subscription ids with realistic ids (GUIDs, as
 * Partner Center uses) and every fact each id can carry: 500 originals, 1,500 new
 * subscriptions, an update of every field and an end for each of the 2,000 ids. Used by the
 * bound test and by `maxStateItemBytes` in `npm run bench`.
 */
import { randomUUID } from "node:crypto";
import type { EventBridgeEvent } from "aws-lambda";
import { MAX_SUBSCRIPTION_IDS } from "../shared/domain/bounds.js";
import { DETAIL_TYPES } from "../shared/events/registry.js";
import { envelope } from "../test/support/events.js";

type Envelope = EventBridgeEvent<string, unknown>;
const ORIGINALS = 500;

const OFFERS = Array.from({ length: 12 }, (_, i) => ({
  offerId: `CFQ7TTC0LH${String(10 + i).padStart(2, "0")}:0001`,
  offerName: [
    "Microsoft 365 Business Standard",
    "Microsoft 365 E3",
    "Office 365 E1",
    "Exchange Online (Plan 1)",
  ][i % 4] as string,
}));

export function transferAtBound(key: { partnerId: string; customerTenantId: string }): Envelope[] {
  const at = (day: number, minute = 0) => new Date(Date.UTC(2026, 0, day, 8, minute)).toISOString();
  const originals = Array.from({ length: ORIGINALS }, (_, i) => ({
    subscriptionId: randomUUID(),
    ...(OFFERS[i % OFFERS.length] as (typeof OFFERS)[number]),
    quantity: 1 + (i % 250),
    commitmentEndDate: new Date(Date.UTC(2026, 6, 1 + (i % 180))).toISOString(),
    autoRenewEnabled: i % 2 === 0,
    termDuration: "P1Y",
  }));
  const events: Envelope[] = [
    envelope(
      DETAIL_TYPES.invitationSent,
      {
        ...key,
        partnerCountry: "GB",
        partnerEmail: "transfers@partner.example",
        customerName: "Fabrikam Holdings International Ltd",
        customerCountry: "GB",
        sentAt: at(5),
        subscriptions: originals,
      },
      at(5),
    ),
  ];
  const ids = originals.map((o) => o.subscriptionId);
  for (let i = 0; ids.length < MAX_SUBSCRIPTION_IDS; i++) {
    const id = randomUUID();
    const offer = OFFERS[i % OFFERS.length] as (typeof OFFERS)[number];
    const detail = {
      ...key,
      subscriptionId: id,
      offerId: offer.offerId,
      offerName: offer.offerName,
      quantity: 1 + (i % 250),
      provisionedAt: at(10, i % 600),
      ...(i < ORIGINALS ? { replacesSubscriptionId: originals[i]?.subscriptionId } : {}),
    };
    events.push(envelope(DETAIL_TYPES.subscriptionProvisioned, detail, detail.provisionedAt));
    ids.push(id);
  }
  for (const [i, id] of ids.entries()) {
    const updatedAt = at(20, i % 600);
    events.push(
      envelope(
        DETAIL_TYPES.originalSubscriptionUpdated,
        {
          ...key,
          subscriptionId: id,
          updatedAt,
          autoRenewEnabled: false,
          commitmentEndDate: new Date(Date.UTC(2027, 6, 1 + (i % 180))).toISOString(),
          quantity: 2 + (i % 250),
        },
        updatedAt,
      ),
    );
    const endedAt = new Date(Date.UTC(2027, 6, 1 + (i % 180))).toISOString();
    events.push(
      envelope(
        DETAIL_TYPES.originalSubscriptionEnded,
        { ...key, subscriptionId: id, endedAt, reason: i % 5 === 0 ? "cancelled" : "expired" },
        endedAt,
      ),
    );
  }
  return events;
}
