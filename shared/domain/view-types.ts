import type { DetailType, TransferStatus } from "../events/index.js";

export const WARNING_CODES = [
  "COUNTRY_MISMATCH",
  "OFFER_MISMATCH",
  "LICENSE_REASSIGNMENT_REQUIRED",
  "SEAT_COUNT_MISMATCH",
  "ORIGINAL_AUTO_RENEW_ON",
  "ENDED_WITHOUT_REPLACEMENT",
  "CANCELLED_BEFORE_EXPIRY",
  "UNMATCHED_REPLACEMENT",
] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

export type Warning = {
  code: WarningCode;
  subscriptionId: string | null;
  message: string;
  /** SEAT_COUNT_MISMATCH only: the original's and the replacement's seat counts. */
  expected?: number;
  actual?: number;
};

export type SubscriptionState = "ACTIVE" | "EXPIRED" | "CANCELLED";

export type Replacement = {
  subscriptionId: string;
  offerId: string;
  quantity: number;
  provisionedAt: string;
};

export type Reminder = { thresholdDays: number; sentAt: string };

export type SubscriptionView = {
  subscriptionId: string;
  offerId: string;
  offerName: string;
  quantity: number;
  commitmentEndDate: string;
  autoRenewEnabled: boolean;
  state: SubscriptionState;
  replacement: Replacement | null;
  reminders: Reminder[];
};

export type HistoryEntry = { eventId: string; detailType: DetailType; time: string };

export type TransferView = {
  partnerId: string;
  customerTenantId: string;
  customerName: string | null;
  status: TransferStatus;
  warnings: Warning[];
  unmatched: Replacement[];
  subscriptions: SubscriptionView[];
  history: HistoryEntry[];
};
