/**
 * Transfers for the read side, the web app and its benchmark, written through the store's real
 * write path (the same `apply` the handlers call), with end dates relative to a given clock so
 * that pages rendered "today" show them in the risk chart.
 */

import { mapLimited } from "../../shared/concurrency.js";
import { DEFAULT_REMINDER_THRESHOLDS } from "../../shared/config/thresholds.js";
import { parseUpstreamEvent } from "../../shared/events/index.js";
import type { ReadSource } from "../../shared/queries/index.js";
import { TransferStore } from "../../shared/store/transfer-store.js";
import {
  accepted,
  invitationSent,
  original,
  provisioned,
  type RawEnvelope,
  updated,
} from "../support/events.js";

const DAY_MS = 86_400_000;
export const dayFrom = (now: string, days: number) =>
  new Date(Date.parse(now) + days * DAY_MS).toISOString().slice(0, 10);

export type FixtureTransfer = {
  partnerId: string;
  customerTenantId: string;
  customerName: string;
  events: RawEnvelope<unknown>[];
};

/**
 * A transfer with two originals ending in `endsInDays` and `endsInDays + 30` days: the first
 * replaced with one seat fewer (SEAT_COUNT_MISMATCH), the second with auto-renew on and no
 * replacement (ORIGINAL_AUTO_RENEW_ON).
 */
export function riskyTransfer(options: {
  partnerId: string;
  customerTenantId: string;
  customerName: string;
  now: string;
  endsInDays: number;
}): FixtureTransfer {
  const key = { partnerId: options.partnerId, customerTenantId: options.customerTenantId };
  const sentAt = new Date(Date.parse(options.now) - 40 * DAY_MS).toISOString();
  const originals = [
    original({
      subscriptionId: `${options.customerTenantId}-o1`,
      offerId: "offer-m365-business-standard",
      offerName: "Microsoft 365 Business Standard",
      quantity: 25,
      commitmentEndDate: dayFrom(options.now, options.endsInDays),
      autoRenewEnabled: false,
      termDuration: "P1Y",
    }),
    original({
      subscriptionId: `${options.customerTenantId}-o2`,
      offerId: "offer-exchange-online-plan-1",
      offerName: "Exchange Online (Plan 1)",
      quantity: 5,
      commitmentEndDate: dayFrom(options.now, options.endsInDays + 30),
      autoRenewEnabled: true,
      termDuration: "P1Y",
    }),
  ];
  const provisionedAt = new Date(Date.parse(options.now) - 10 * DAY_MS).toISOString();
  return {
    ...key,
    customerName: options.customerName,
    events: [
      invitationSent({
        ...key,
        customerName: options.customerName,
        sentAt,
        subscriptions: originals,
      }),
      accepted({ ...key, acceptedAt: sentAt }),
      provisioned({
        ...key,
        subscriptionId: `${options.customerTenantId}-n1`,
        offerId: "offer-m365-business-standard",
        quantity: 24,
        provisionedAt,
        replacesSubscriptionId: `${options.customerTenantId}-o1`,
      }),
    ],
  };
}

/** An invited transfer with one original ending in `endsInDays`, auto-renew turned off. */
export function quietTransfer(options: {
  partnerId: string;
  customerTenantId: string;
  customerName: string;
  now: string;
  endsInDays: number;
}): FixtureTransfer {
  const key = { partnerId: options.partnerId, customerTenantId: options.customerTenantId };
  const sentAt = new Date(Date.parse(options.now) - 5 * DAY_MS).toISOString();
  const subscriptionId = `${options.customerTenantId}-o1`;
  return {
    ...key,
    customerName: options.customerName,
    events: [
      invitationSent({
        ...key,
        customerName: options.customerName,
        sentAt,
        subscriptions: [
          original({
            subscriptionId,
            commitmentEndDate: dayFrom(options.now, options.endsInDays),
            autoRenewEnabled: true,
          }),
        ],
      }),
      updated({
        ...key,
        subscriptionId,
        updatedAt: new Date(Date.parse(sentAt) + 1000).toISOString(),
        autoRenewEnabled: false,
      }),
    ],
  };
}

/** Writes the transfers' events through the store (as the handlers do), a few at a time. */
export async function seed(source: ReadSource, transfers: readonly FixtureTransfer[]) {
  const thresholds = DEFAULT_REMINDER_THRESHOLDS.split(",").map(Number);
  const store = new TransferStore(source.db, source.tableName, thresholds);
  await mapLimited(transfers, 16, async (transfer) => {
    for (const raw of transfer.events) await store.apply(parseUpstreamEvent(raw));
  });
}

/** A partner's mixed book of transfers: risky, quiet, completed-looking and one hostile name. */
export function sampleBook(partnerId: string, now: string): FixtureTransfer[] {
  const names = [
    "Fabrikam Ltd",
    "Contoso Pharmaceuticals",
    "Northwind Traders",
    "Tailspin Toys",
    "Wide World Importers",
    "Adventure Works Cycles",
    "Litware Inc",
    "Proseware Inc",
    "Woodgrove Bank",
    "Alpine Ski House",
  ];
  const transfers = names.map((customerName, i) =>
    (i % 3 === 2 ? quietTransfer : riskyTransfer)({
      partnerId,
      customerTenantId: `tenant-${String(i + 1).padStart(2, "0")}`,
      customerName,
      now,
      endsInDays: 6 + i * 9,
    }),
  );
  transfers.push(
    riskyTransfer({
      partnerId,
      customerTenantId: "tenant-hostile",
      customerName: `<img src=x onerror="alert('owned')"><b>Evil & Co</b>`,
      now,
      endsInDays: 75,
    }),
  );
  return transfers;
}
