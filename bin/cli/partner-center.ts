/**
 * `invite` and `reconcile` (SPEC section 9): the Partner Center side of the CLI. Both read the
 * connector's `PARTNER_CENTER_*` variables like the local runtime and run against the local
 * runtime or a deployed stack (`--stack NAME --region R`).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { InvitationSent } from "../../shared/events/details.js";
import { DETAIL_TYPES, EVENT_CATALOGUE } from "../../shared/events/registry.js";
import { PartnerCenterClient } from "../../shared/partner-center/api-client.js";
import {
  type ConnectorConfig,
  ConnectorConfigError,
  readConnectorConfig,
} from "../../shared/partner-center/config.js";
import { connectorDeps } from "../../shared/partner-center/connector.js";
import { CsvError, parseOriginalsCsv } from "../../shared/partner-center/originals-csv.js";
import { reconcile } from "../../shared/partner-center/reconcile.js";
import { TokenProvider } from "../../shared/partner-center/token-provider.js";
import { drain } from "./commands.js";
import { CliError, describeError } from "./errors.js";
import { resolveTarget, type Target } from "./target.js";

export type Io = { out: (text: string) => void; err: (text: string) => void };

export type CliCommand = {
  name: string;
  /** One line for the CLI's usage text. */
  summary: string;
  run: (args: string[], io: Io) => Promise<number>;
};

const TARGET_OPTIONS = {
  json: { type: "boolean", default: false },
  stack: { type: "string" },
  region: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** Usage errors: `error: … (see --help)`, exit 2. */
const usageError = (message: string) => new CliError(`${message} (see --help)`, 2);

function connector(): ConnectorConfig {
  try {
    return readConnectorConfig(process.env);
  } catch (error) {
    if (error instanceof ConnectorConfigError) throw new CliError(error.message);
    throw error;
  }
}

async function withTarget(
  options: { stack?: string | undefined; region?: string | undefined },
  work: (target: Target) => Promise<number>,
): Promise<number> {
  let target: Target | undefined;
  try {
    target = await resolveTarget(options);
    return await work(target);
  } finally {
    target?.dynamo.destroy();
    target?.events.destroy();
    target?.sqs.destroy();
  }
}

function report(io: Io, error: unknown, where: string): number {
  io.err(`error: ${describeError(error, where)}`);
  return error instanceof CliError ? error.exitCode : 1;
}

const INVITE_USAGE = `usage: npm run --silent cli -- invite --customer TENANT_ID --name NAME --country CC --email PARTNER_EMAIL --originals FILE.csv [--json]

Emits Invitation Sent for the customer with the original subscriptions listed in FILE.csv
(header: subscriptionId,offerId,offerName,quantity,commitmentEndDate,autoRenewEnabled,offerDiscontinued,termDuration).
partnerId and partnerCountry come from PARTNER_CENTER_PARTNER_ID and PARTNER_CENTER_PARTNER_COUNTRY.
With the connector configured it also prints the reseller relationship link to send the customer.`;

const FLAG_OF: Record<string, string> = {
  customerTenantId: "--customer",
  customerName: "--name",
  customerCountry: "--country",
  partnerEmail: "--email",
  partnerId: "PARTNER_CENTER_PARTNER_ID",
  partnerCountry: "PARTNER_CENTER_PARTNER_COUNTRY",
};

export const inviteCommand: CliCommand = {
  name: "invite",
  summary:
    "invite --customer C --name N --country CC --email E --originals FILE.csv   send an invitation",
  run: async (args, io) => {
    let where = "the target";
    try {
      const { values, positionals } = parseInvite(args);
      if (values.help) {
        io.out(INVITE_USAGE);
        return 0;
      }
      if (positionals.length > 0)
        throw usageError(`invite: unexpected argument "${positionals[0]}"`);
      const missing = (["customer", "name", "country", "email", "originals"] as const).filter(
        (flag) => values[flag] === undefined,
      );
      if (missing.length > 0)
        throw usageError(`invite needs ${missing.map((f) => `--${f}`).join(", ")}`);
      const config = connector();
      if (!config.partnerId || !config.partnerCountry) {
        throw new CliError(
          "invite needs PARTNER_CENTER_PARTNER_ID and PARTNER_CENTER_PARTNER_COUNTRY (the partner's tenant id and country)",
        );
      }
      const file = values.originals as string;
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (error) {
        throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
      }
      let subscriptions: ReturnType<typeof parseOriginalsCsv>;
      try {
        subscriptions = parseOriginalsCsv(text);
      } catch (error) {
        if (error instanceof CsvError) throw new CliError(`${file}: ${error.message}`);
        throw error;
      }
      const sentAt = new Date().toISOString();
      const detail = InvitationSent.safeParse({
        partnerId: config.partnerId,
        partnerCountry: config.partnerCountry,
        partnerEmail: values.email,
        customerTenantId: values.customer,
        customerName: values.name,
        customerCountry: values.country,
        sentAt,
        subscriptions,
      });
      if (!detail.success) {
        const issue = detail.error.issues[0];
        const field = String(issue?.path[0] ?? "");
        throw usageError(`${FLAG_OF[field] ?? field}: ${issue?.message}`);
      }
      // The link first: if Partner Center cannot give it, nothing has been emitted yet.
      const relationshipUrl = config.enabled
        ? await new PartnerCenterClient(
            config.api,
            new TokenProvider(config.api),
          ).relationshipRequestUrl()
        : null;
      return await withTarget(values, async (target) => {
        where = target.description;
        const answer = await target.events.send(
          new PutEventsCommand({
            Entries: [
              {
                EventBusName: target.busName,
                Source: EVENT_CATALOGUE[DETAIL_TYPES.invitationSent].source,
                DetailType: DETAIL_TYPES.invitationSent,
                Detail: JSON.stringify(detail.data),
                Time: new Date(sentAt),
              },
            ],
          }),
        );
        const entry = answer.Entries?.[0];
        if (!entry?.EventId) {
          throw new CliError(
            `the bus refused the invitation: ${entry?.ErrorCode ?? "no result"} ${entry?.ErrorMessage ?? ""}`.trim(),
          );
        }
        if (values.json) {
          io.out(JSON.stringify({ eventId: entry.EventId, relationshipUrl }, null, 2));
        } else {
          io.out(
            `Invitation Sent for ${detail.data.customerName} (${subscriptions.length} original subscription(s)): event ${entry.EventId}`,
          );
          io.out(
            relationshipUrl
              ? `Send the customer this link to accept the reseller relationship:\n${relationshipUrl}`
              : "The Partner Center connector is not configured: send the reseller relationship link from Partner Center.",
          );
        }
        return 0;
      });
    } catch (error) {
      return report(io, error, where);
    }
  },
};

function parseInvite(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...TARGET_OPTIONS,
        customer: { type: "string" },
        name: { type: "string" },
        country: { type: "string" },
        email: { type: "string" },
        originals: { type: "string" },
      },
    });
  } catch (error) {
    throw usageError((error as Error).message);
  }
}

const RECONCILE_USAGE = `usage: npm run --silent cli -- reconcile [--json]

Reads Partner Center for each of the partner's transfers in progress and emits what webhooks
missed (Invitation Accepted, Subscription Provisioned), and reads the customer's tenant through
Microsoft Graph for accepted transfers (Tenant Observed; unreadable tenants on stderr with the
reason). JSON: {transfers, emitted, tenantsRead, tenantsUnreadable}.
Graph: GRAPH_TOKEN_URL (with {tenantId}) and GRAPH_API_URL, same client id and secret.
Needs the connector configured (PARTNER_CENTER_PARTNER_ID, PARTNER_CENTER_CLIENT_ID, PARTNER_CENTER_CLIENT_SECRET).`;

export const reconcileCommand: CliCommand = {
  name: "reconcile",
  summary:
    "reconcile                         catch up with Partner Center for transfers in progress",
  run: async (args, io) => {
    let where = "the target";
    try {
      let parsed: ReturnType<
        typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof TARGET_OPTIONS }>
      >;
      try {
        parsed = parseArgs({ args, allowPositionals: true, options: TARGET_OPTIONS });
      } catch (error) {
        throw usageError((error as Error).message);
      }
      const { values, positionals } = parsed;
      if (values.help) {
        io.out(RECONCILE_USAGE);
        return 0;
      }
      if (positionals.length > 0)
        throw usageError(`reconcile: unexpected argument "${positionals[0]}"`);
      const config = connector();
      if (!config.enabled) {
        throw new CliError(
          "the Partner Center connector is not configured: set PARTNER_CENTER_PARTNER_ID, PARTNER_CENTER_CLIENT_ID and PARTNER_CENTER_CLIENT_SECRET",
        );
      }
      return await withTarget(values, async (target) => {
        where = target.description;
        const deps = connectorDeps(
          config.api,
          { db: target.dynamo, events: target.events },
          { tableName: target.tableName, busName: target.busName },
          (level, message, fields) => {
            if (level === "warn")
              io.err(`${message}: ${fields.customerTenantId}: ${fields.reason}`);
          },
        );
        const result = await reconcile(deps, {
          onProgress: (done, total) => {
            if (!values.json && total >= 20 && (done % 20 === 0 || done === total)) {
              io.err(`reconciled ${done}/${total} transfers`);
            }
          },
        });
        await drain(target);
        io.out(
          values.json
            ? JSON.stringify(result, null, 2)
            : `transfers in progress: ${result.transfers}, events emitted: ${result.emitted} (${deps.client.requests} Partner Center request(s)); tenants read: ${result.tenantsRead}, unreadable: ${result.tenantsUnreadable}`,
        );
        return 0;
      });
    } catch (error) {
      return report(io, error, where);
    }
  },
};
