/**
 * `POST /partner-center/webhook`: the route both doors serve — the local web server and, deployed,
 * the Lambda Function URL adapter (functions/partner-center-webhook). A verified notification is
 * handed on (put on the bus as `Partner Center Notification`) and answered 200 at once, so a slow
 * Partner Center API never holds the webhook; a refused one emits nothing and only the reason is
 * logged.
 */
import type { PartnerCenterNotification } from "../events/partner-center.js";
import { json, jsonError, type WebRoute } from "../http/routes.js";
import { MAX_WEBHOOK_BODY_BYTES, type WebhookVerifier } from "./webhook-verifier.js";

export const WEBHOOK_PATH = "/partner-center/webhook";

export type WebhookLog = (
  level: "info" | "warn",
  message: string,
  fields: Record<string, unknown>,
) => void;

const ANSWERS = {
  400: "the body is not a Partner Center notification",
  401: "the notification's signature could not be verified",
  413: "request body too large",
} as const;

export function partnerCenterWebhookRoute(deps: {
  verifier: WebhookVerifier;
  /** Hands a verified notification on for asynchronous processing. */
  forward: (notification: PartnerCenterNotification) => Promise<void>;
  log: WebhookLog;
}): WebRoute {
  return {
    method: "POST",
    pattern: WEBHOOK_PATH,
    // The local server stops reading above this; the verifier checks it again for every door.
    maxBodyBytes: MAX_WEBHOOK_BODY_BYTES,
    handle: async (request) => {
      const verdict = await deps.verifier.verify(request.headers, request.body);
      if (!verdict.ok) {
        deps.log("warn", "partner center notification refused", {
          status: verdict.status,
          reason: verdict.reason,
          bytes: request.body.length,
        });
        return jsonError(verdict.status, ANSWERS[verdict.status]);
      }
      const { EventName, ResourceChangeUtcDate } = verdict.notification;
      await deps.forward(verdict.notification);
      deps.log("info", "partner center notification accepted", {
        EventName,
        ResourceChangeUtcDate,
      });
      return json(200, { received: true });
    },
  };
}
