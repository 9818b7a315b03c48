/**
 * The product's Lambda functions and the events that trigger them. The CDK stack builds one
 * function and one rule per entry from this list, and the local runtime routes with the same
 * rules to the same handler modules, so both deploy the same wiring.
 */
import { DETAIL_TYPES, type DetailType, rulePatternFor } from "./events/registry.js";

export type EnvKind =
  | "tracker"
  | "expiryScan"
  | "notifier"
  | "partnerCenter"
  | "partnerCenterWebhook";

export type FunctionDefinition = {
  /** Folder under functions/ holding `handler.ts`. */
  folder: string;
  /** Which environment schema (shared/config/env.ts) the function parses at start-up. */
  env: EnvKind;
  /** Detail-types delivered to it, one EventBridge rule each. Empty: runs on a schedule. */
  triggers: readonly DetailType[];
  description: string;
  /** Deployed only when this optional feature is configured (the Partner Center connector). */
  feature?: "partnerCenter";
};

export const FUNCTIONS = {
  invitationSent: {
    folder: "invitation-sent",
    env: "tracker",
    triggers: [DETAIL_TYPES.invitationSent],
    description: "Records an invitation and the customer's original subscriptions",
  },
  invitationAccepted: {
    folder: "invitation-accepted",
    env: "tracker",
    triggers: [DETAIL_TYPES.invitationAccepted],
    description: "Records the customer's acceptance of the reseller relationship",
  },
  subscriptionProvisioned: {
    folder: "subscription-provisioned",
    env: "tracker",
    triggers: [DETAIL_TYPES.subscriptionProvisioned],
    description: "Records a replacement subscription and matches it to an original",
  },
  originalSubscriptionUpdated: {
    folder: "original-subscription-updated",
    env: "tracker",
    triggers: [DETAIL_TYPES.originalSubscriptionUpdated],
    description: "Records a change to an original subscription",
  },
  originalSubscriptionEnded: {
    folder: "original-subscription-ended",
    env: "tracker",
    triggers: [DETAIL_TYPES.originalSubscriptionEnded],
    description: "Records the end of an original subscription",
  },
  tenantObserved: {
    folder: "tenant-observed",
    env: "tracker",
    triggers: [DETAIL_TYPES.tenantObserved],
    description: "Records a read of the customer's tenant (Microsoft Graph)",
  },
  expiryScan: {
    folder: "expiry-scan",
    env: "expiryScan",
    triggers: [],
    description: "Finds originals near expiry, emits Expiry Approaching and reminder digests",
  },
  notifier: {
    folder: "notifier",
    env: "notifier",
    // One digest per partner address per scan run; `Expiry Approaching` is for other consumers.
    triggers: [DETAIL_TYPES.reminderDigestReady],
    description: "Emails the partner a reminder digest and records each reminder in it",
  },
  partnerCenterWebhook: {
    folder: "partner-center-webhook",
    env: "partnerCenterWebhook",
    triggers: [],
    description: "Verifies signed Partner Center webhooks and puts them on the bus",
    feature: "partnerCenter",
  },
  partnerCenterProcessor: {
    folder: "partner-center-processor",
    env: "partnerCenter",
    triggers: [DETAIL_TYPES.partnerCenterNotification],
    description: "Turns Partner Center notifications into acceptances and new subscriptions",
    feature: "partnerCenter",
  },
  partnerCenterReconcile: {
    folder: "partner-center-reconcile",
    env: "partnerCenter",
    triggers: [],
    description: "Reconciles transfers in progress with Partner Center (daily)",
    feature: "partnerCenter",
  },
} as const satisfies Record<string, FunctionDefinition>;

export type FunctionId = keyof typeof FUNCTIONS;

export type RuleDefinition = {
  functionId: FunctionId;
  detailType: DetailType;
  pattern: ReturnType<typeof rulePatternFor>;
};

/** One rule per (function, triggering detail-type). */
export const RULES: readonly RuleDefinition[] = (
  Object.entries(FUNCTIONS) as [FunctionId, FunctionDefinition][]
).flatMap(([functionId, fn]) =>
  fn.triggers.map((detailType) => ({
    functionId,
    detailType,
    pattern: rulePatternFor(detailType),
  })),
);

/** Path of a function's handler module relative to the repository root. */
export function handlerPath(functionId: FunctionId): string {
  return `functions/${FUNCTIONS[functionId].folder}/handler.ts`;
}
