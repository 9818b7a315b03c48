/**
 * The demo's second transfer, still in progress, with dates relative to today: so that after
 * `npm run demo` the web app's risk chart, `/due` and the calendar show something to act on
 * (the sample transfer in examples/ is dated 2026 and ends COMPLETED).
 */
import type { EventFileEntry } from "./cli/commands.js";

export const IN_PROGRESS_CUSTOMER = "3f6a9e2d-1b7c-4d8e-a5f0-6c2b9d4e7a11";
const DAY_MS = 86_400_000;

/** Midnight UTC, `days` from `today`, as ISO 8601. */
const dayFrom = (today: Date, days: number) =>
  new Date(Math.floor(today.getTime() / DAY_MS) * DAY_MS + days * DAY_MS).toISOString();

const ORIGINALS = [
  ["sub-con-m365-bp", "CFQ7TTC0LCHC:0002", "Microsoft 365 Business Premium", 40, 18, false],
  ["sub-con-m365-e3", "CFQ7TTC0LFLZ:0001", "Microsoft 365 E3", 12, 45, true],
  ["sub-con-teams-ess", "CFQ7TTC0QW5P:0001", "Microsoft Teams Essentials", 8, 75, false],
  ["sub-con-visio-p2", "CFQ7TTC0HD33:0001", "Visio Plan 2", 3, 105, false],
] as const;

/** Contoso Pharma: invited three weeks ago, accepted, two of four originals replaced. */
export function inProgressTransfer(partnerId: string, partnerEmail: string, today = new Date()) {
  const key = { partnerId, customerTenantId: IN_PROGRESS_CUSTOMER };
  const sentAt = dayFrom(today, -21);
  const entry = (detailType: string, time: string, detail: Record<string, unknown>) =>
    ({
      source: "csp.transfers",
      detailType,
      time,
      detail: { ...key, ...detail },
    }) as EventFileEntry;
  const [first, second] = ORIGINALS;
  return [
    entry("Invitation Sent", sentAt, {
      partnerCountry: "GB",
      partnerEmail,
      customerName: "Contoso Pharma",
      customerCountry: "GB",
      sentAt,
      subscriptions: ORIGINALS.map(
        ([subscriptionId, offerId, offerName, quantity, ends, renew]) => ({
          subscriptionId,
          offerId,
          offerName,
          quantity,
          commitmentEndDate: dayFrom(today, ends),
          autoRenewEnabled: renew,
          termDuration: "P1Y",
        }),
      ),
    }),
    entry("Invitation Accepted", dayFrom(today, -19), { acceptedAt: dayFrom(today, -19) }),
    // The same offer and seats: nothing to do but let the original expire.
    entry("Subscription Provisioned", dayFrom(today, -10), {
      subscriptionId: "new-con-m365-bp",
      offerId: first[1],
      offerName: first[2],
      quantity: first[3],
      provisionedAt: dayFrom(today, -10),
      replacesSubscriptionId: first[0],
    }),
    // Two seats short: a seat-count warning to act on before the date.
    entry("Subscription Provisioned", dayFrom(today, -9), {
      subscriptionId: "new-con-m365-e3",
      offerId: second[1],
      offerName: second[2],
      quantity: second[3] - 2,
      provisionedAt: dayFrom(today, -9),
      replacesSubscriptionId: second[0],
    }),
  ];
}
