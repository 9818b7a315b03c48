import { describe, expect, it } from "vitest";
import { deriveView, foldEvents } from "../../../shared/domain/view.js";
import { changedRecords } from "../../../shared/store/fold-batch.js";
import { originalRecords, sameRecord } from "../../../shared/store/original-records.js";
import {
  invitationAccepted,
  invitationSent,
  original,
  parseAll,
  subscriptionProvisioned,
} from "../../support/events.js";

const thresholds = [60, 30, 14, 7, 1];
const recordsOf = (raws: unknown[]) => {
  const state = foldEvents(parseAll(raws));
  return originalRecords(state, deriveView(state), thresholds);
};

describe("original records: only the originals an event changed are written", () => {
  // o-1 has a replacement with another seat count and o-2 auto-renew on: both records carry
  // nested values (the replacement, the warnings).
  const invite = invitationSent({
    subscriptions: [
      original({ subscriptionId: "o-1", offerId: "A", quantity: 10 }),
      original({ subscriptionId: "o-2", offerId: "B", autoRenewEnabled: true }),
      original({ subscriptionId: "o-3", offerId: "C" }),
    ],
  });
  const replacement = subscriptionProvisioned({
    subscriptionId: "n-1",
    offerId: "A",
    quantity: 12,
    replacesSubscriptionId: "o-1",
  });

  it("records derived twice from the same facts are the same, nested values included", () => {
    const first = recordsOf([invite, replacement]);
    const second = recordsOf([invite, replacement]);
    expect(first.get("o-1")?.warnings.length).toBeGreaterThan(0);
    expect(first.get("o-1")?.replacement).not.toBeNull();
    for (const [id, record] of first) expect(sameRecord(record, second.get(id))).toBe(true);
    expect(changedRecords(first, second)).toBe(0);
  });

  it("an acceptance changes no record; a replacement changes only its original's", () => {
    const invited = recordsOf([invite]);
    const acceptedToo = recordsOf([invite, invitationAccepted()]);
    const replaced = recordsOf([invite, invitationAccepted(), replacement]);
    expect(changedRecords(invited, acceptedToo)).toBe(0);
    expect(changedRecords(acceptedToo, replaced)).toBe(1);
    expect(sameRecord(acceptedToo.get("o-1"), replaced.get("o-1"))).toBe(false);
  });
});
