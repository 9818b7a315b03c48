/**
 * The deployed connector functions' environment, checked at synth by the stack (see
 * infra/function-environment.ts). At run time the functions read the `PARTNER_CENTER_*`
 * variables through readConnectorConfig, like the local runtime and the CLI.
 */
import * as z from "zod";

const Logging = {
  POWERTOOLS_SERVICE_NAME: z.string().default("csp-transfer-tracker"),
  LOG_LEVEL: z.enum(["DEBUG", "INFO", "WARN", "ERROR"]).default("INFO"),
};

/** The webhook receiver: verifies and puts on the bus; no table, no Partner Center API. */
export const PartnerCenterWebhookEnv = z.object({
  ...Logging,
  EVENT_BUS_NAME: z.string().min(1),
  PARTNER_CENTER_CERT_HOSTS: z.string().min(1),
  PARTNER_CENTER_CA_ISSUER_HOSTS: z.string().min(1),
  /** PEM certificates trusted besides the runtime's root store; empty: none. */
  PARTNER_CENTER_EXTRA_ROOTS: z.string(),
});

/** The processor and the reconciliation: the table's read side, the bus and the API. */
export const PartnerCenterEnv = z.object({
  ...Logging,
  TABLE_NAME: z.string().min(3),
  EVENT_BUS_NAME: z.string().min(1),
  PARTNER_CENTER_PARTNER_ID: z.string().min(1),
  PARTNER_CENTER_API_URL: z.url({ protocol: /^https$/ }),
  PARTNER_CENTER_TOKEN_URL: z.url({ protocol: /^https$/ }),
  PARTNER_CENTER_CLIENT_ID: z.string().min(1),
  PARTNER_CENTER_CLIENT_SECRET_ARN: z.string().min(1),
  /** Microsoft Graph for the customers' tenants (SPEC section 10): same app, same secret. */
  GRAPH_TOKEN_URL: z.string().startsWith("https://").includes("{tenantId}"),
  GRAPH_API_URL: z.url({ protocol: /^https$/ }),
});

/** What every connector function parses at start: where the table and bus are, how to log. */
export const ConnectorRuntimeEnv = z.object({
  ...Logging,
  TABLE_NAME: z.string().min(3),
  EVENT_BUS_NAME: z.string().min(1),
});
