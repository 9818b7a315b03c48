/**
 * Wires the connector from its configuration: the receiver's verifier and the processing
 * dependencies (API client with its token, the store's read side, the publisher). Used by the
 * deployed functions, the local runtime and the CLI, so all of them behave the same.
 */
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { PartnerCenterNotification } from "../events/partner-center.js";
import { TenantReadLog } from "../tenant/read-log.js";
import { tenantReaderFrom } from "../tenant/reader.js";
import { type TenantLog, tenantStep } from "../tenant/reconcile-step.js";
import { EventPublisher } from "../tracker/event-publisher.js";
import { PartnerCenterClient } from "./api-client.js";
import { CaIssuerSource } from "./ca-issuers.js";
import { CertificateSource } from "./certificate-source.js";
import { loadTrustAnchors } from "./certificates.js";
import type { ApiSettings, ReceiverSettings } from "./config.js";
import type { ConnectorDeps } from "./processor.js";
import { TokenProvider } from "./token-provider.js";
import { storeLookup } from "./transfer-facts.js";
import { WebhookVerifier } from "./webhook-verifier.js";

export function webhookVerifier(
  settings: ReceiverSettings,
  options: { allowHttpLoopback: boolean },
): WebhookVerifier {
  return new WebhookVerifier({
    urlPolicy: {
      allowedHosts: settings.certificateHosts,
      allowHttpLoopback: options.allowHttpLoopback,
    },
    certificates: new CertificateSource({
      anchors: loadTrustAnchors(settings.trustedCaFile, settings.extraRootsPem),
      caIssuers: new CaIssuerSource({ allowedHosts: settings.caIssuerHosts }),
    }),
  });
}

/** Hands a verified notification to the bus as `Partner Center Notification`. */
export function notificationForwarder(events: EventBridgeClient, busName: string) {
  const publisher = new EventPublisher(events, busName);
  return (notification: PartnerCenterNotification) =>
    publisher.publish([{ detailType: "Partner Center Notification", detail: notification }]);
}

export function connectorDeps(
  api: ApiSettings,
  clients: { db: DynamoDBDocumentClient; events: EventBridgeClient },
  names: { tableName: string; busName: string },
  log: TenantLog = () => {},
): ConnectorDeps & { client: PartnerCenterClient; tokens: TokenProvider } {
  const tokens = new TokenProvider(api);
  const client = new PartnerCenterClient(api, tokens);
  const publisher = new EventPublisher(clients.events, names.busName);
  return {
    partnerId: api.partnerId,
    apiUrl: api.apiUrl,
    client,
    tokens,
    transfers: storeLookup(clients.db, names.tableName),
    publish: (events) => publisher.publish(events),
    // The same app registration reads the customers' tenants (GRAPH_TOKEN_URL, GRAPH_API_URL).
    tenant: tenantStep(
      tenantReaderFrom(process.env, api),
      new TenantReadLog(clients.db, names.tableName),
      log,
    ),
  };
}
