/**
 * The Partner Center webhook on the local web server (`POST /partner-center/webhook`), when the
 * connector is configured by the `PARTNER_CENTER_*` variables; it says which in one ready line.
 * The route is the same code the deployed Function URL serves; locally, http certificate URLs
 * are accepted for loopback hosts (the project's fake Partner Center).
 */
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { WebRoute } from "../shared/http/routes.js";
import { describeConnector, readConnectorConfig } from "../shared/partner-center/config.js";
import { notificationForwarder, webhookVerifier } from "../shared/partner-center/connector.js";
import { partnerCenterWebhookRoute, WEBHOOK_PATH } from "../shared/partner-center/webhook-route.js";
import { LOCAL_CREDENTIALS, LOCAL_REGION, localSettings } from "./config.js";
import type { WebRoutesContext } from "./web-routes.js";

export async function partnerCenterRoutes(context: WebRoutesContext): Promise<WebRoute[]> {
  const config = readConnectorConfig(process.env);
  if (!config.enabled) {
    context.log(`Partner Center connector ${describeConnector(config)}`);
    return [];
  }
  const events = new EventBridgeClient({
    endpoint: context.eventsEndpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const route = partnerCenterWebhookRoute({
    verifier: webhookVerifier(config.receiver, { allowHttpLoopback: true }),
    forward: notificationForwarder(events, process.env.EVENT_BUS_NAME ?? localSettings().busName),
    log: (_level, message, fields) =>
      context.log(`partner center: ${message} ${JSON.stringify(fields)}`),
  });
  context.log(
    `Partner Center webhook ready at ${context.webEndpoint}${WEBHOOK_PATH} (connector ${describeConnector(config)})`,
  );
  return [route];
}
