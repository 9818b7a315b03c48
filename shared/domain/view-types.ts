import type { DetailType, TenantSubscriptionStatus, TransferStatus } from "../events/index.js";

export const WARNING_CODES = [
  "COUNTRY_MISMATCH",
  "OFFER_MISMATCH",
  "LICENSE_REASSIGNMENT_REQUIRED",
  "SEAT_COUNT_MISMATCH",
  "ORIGINAL_AUTO_RENEW_ON",
  "ENDED_WITHOUT_REPLACEMENT",
  "CANCELLED_BEFORE_EXPIRY",
  "UNMATCHED_REPLACEMENT",
  "UNTRACKED_ORIGINAL",
  "LICENSES_NOT_COVERED",
] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

export type Warning = {
  code: WarningCode;
  subscriptionId: string | null;
  message: string;
  /** SEAT_COUNT_MISMATCH only: the original's and the replacement's seat counts. */
  expected?: number;
  actual?: number;
  /** LICENSES_NOT_COVERED: users who would lose the license when the original ends. */
  users?: number;
  /** LICENSES_NOT_COVERED, UNTRACKED_ORIGINAL: the tenant's SKU (e.g. STANDARDPACK). */
  skuPartNumber?: string;
  /** UNTRACKED_ORIGINAL: the subscription's seats. */
  seats?: number;
  /** UTC date (YYYY-MM-DD): the original's end (LICENSES_NOT_COVERED) or the subscription's next lifecycle date (UNTRACKED_ORIGINAL, null when Graph gives none). */
  date?: string | null;
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

/** One matched original as the latest tenant read shows it (SPEC section 10). */
export type TenantCoverage = {
  subscriptionId: string;
  status: TenantSubscriptionStatus;
  skuPartNumber: string | null;
  /** The matched subscription's `totalLicenses`. */
  licenses: number;
  /** Users holding a license of the SKU; null when the read has no subscribedSku for it. */
  consumedUnits: number | null;
  /** Licenses of the SKU left once this original ends; null unless it is active and `Enabled`. */
  remaining: number | null;
  /** Users left without a license of the SKU then; null like `remaining`. */
  users: number | null;
  /** UTC date the original ends. */
  endDate: string;
};

/** The latest tenant read behind the view; absent until the tenant was read once. */
export type TenantView = {
  observedAt: string;
  fingerprint: string;
  coverage: TenantCoverage[];
};

export type TransferView = {
  partnerId: string;
  customerTenantId: string;
  customerName: string | null;
  status: TransferStatus;
  warnings: Warning[];
  unmatched: Replacement[];
  subscriptions: SubscriptionView[];
  tenant?: TenantView;
  history: HistoryEntry[];
};
