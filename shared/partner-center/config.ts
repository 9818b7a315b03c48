/**
 * The connector's configuration (SPEC section 9), read from the `PARTNER_CENTER_*` variables by
 * the local runtime, the CLI and the deployed functions alike. The connector is off unless it is
 * configured: with none of the identifying variables set it is off; with some but not all of
 * them set it is a configuration error naming what is missing, so a typo never silently turns
 * it off.
 */
import * as z from "zod";
import { CountryCode } from "../events/primitives.js";

/** Where Partner Center keeps the certificate it signs webhooks with. */
export const DEFAULT_CERTIFICATE_HOSTS = ["3psostorageacct.blob.core.windows.net"];
/**
 * Where the issuers of Microsoft's certificates are published (their AIA "CA Issuers" URLs):
 * Microsoft's PKI repository (`http://www.microsoft.com/pkiops/certs/...`) and DigiCert's.
 */
export const DEFAULT_CA_ISSUER_HOSTS = ["www.microsoft.com", "cacerts.digicert.com"];
export const DEFAULT_API_URL = "https://api.partnercenter.microsoft.com";
/** App-only token for the Partner Center API (client credentials). */
export const PARTNER_CENTER_SCOPE = "https://api.partnercenter.microsoft.com/.default";

export const entraTokenUrl = (tenantId: string) =>
  `https://login.microsoftonline.com/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;

/** `host[:port]` entries; a host without a port means the scheme's default port. */
const HostList = z
  .string()
  .transform((text) =>
    text
      .split(",")
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h !== ""),
  )
  .pipe(
    z
      .array(
        z
          .string()
          .regex(
            /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/,
            "must be host or host:port, comma-separated",
          ),
      )
      .min(1, "must name at least one host"),
  );

const HttpUrl = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
  .transform((u) => u.replace(/\/+$/, ""));

const Raw = z.object({
  PARTNER_CENTER_PARTNER_ID: z.string().trim().optional(),
  PARTNER_CENTER_PARTNER_COUNTRY: z.string().trim().optional(),
  PARTNER_CENTER_API_URL: z.string().trim().optional(),
  PARTNER_CENTER_TOKEN_URL: z.string().trim().optional(),
  PARTNER_CENTER_CLIENT_ID: z.string().trim().optional(),
  PARTNER_CENTER_CLIENT_SECRET: z.string().optional(),
  PARTNER_CENTER_CERT_HOSTS: z.string().optional(),
  PARTNER_CENTER_TRUSTED_CA: z.string().trim().optional(),
  PARTNER_CENTER_CA_ISSUER_HOSTS: z.string().optional(),
  PARTNER_CENTER_EXTRA_ROOTS: z.string().optional(),
});

export type ReceiverSettings = {
  /** Allowed certificate hosts, `host` or `host:port`, lower case. */
  certificateHosts: string[];
  /** Hosts that issuers may be fetched from (AIA "CA Issuers"), `host` or `host:port`. */
  caIssuerHosts: string[];
  /** A PEM file whose certificates replace the runtime's root store; null: the root store. */
  trustedCaFile: string | null;
  /** PEM text of roots trusted besides the runtime's root store (deployed setting). */
  extraRootsPem: string;
};

export type ApiSettings = {
  partnerId: string;
  apiUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
};

export type ConnectorConfig =
  | {
      enabled: false;
      receiver: ReceiverSettings;
      partnerId: string | null;
      partnerCountry: string | null;
    }
  | {
      enabled: true;
      receiver: ReceiverSettings;
      partnerId: string;
      partnerCountry: string | null;
      api: ApiSettings;
    };

export class ConnectorConfigError extends Error {
  override readonly name = "ConnectorConfigError";
}

const blank = (value: string | undefined) =>
  value === undefined || value === "" ? undefined : value;

function parseWith<T>(schema: z.ZodType<T>, name: string, value: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ConnectorConfigError(
      `${name}: ${result.error.issues[0]?.message ?? "invalid"} (got "${value}")`,
    );
  }
  return result.data;
}

/** Reads the connector's settings; throws ConnectorConfigError with one line on a bad setting. */
export function readConnectorConfig(env: NodeJS.ProcessEnv = process.env): ConnectorConfig {
  const raw = Raw.parse(env);
  const certHosts = blank(raw.PARTNER_CENTER_CERT_HOSTS);
  const caIssuerHosts = blank(raw.PARTNER_CENTER_CA_ISSUER_HOSTS);
  const receiver: ReceiverSettings = {
    certificateHosts: certHosts
      ? parseWith(HostList, "PARTNER_CENTER_CERT_HOSTS", certHosts)
      : DEFAULT_CERTIFICATE_HOSTS,
    caIssuerHosts: caIssuerHosts
      ? parseWith(HostList, "PARTNER_CENTER_CA_ISSUER_HOSTS", caIssuerHosts)
      : DEFAULT_CA_ISSUER_HOSTS,
    trustedCaFile: blank(raw.PARTNER_CENTER_TRUSTED_CA) ?? null,
    extraRootsPem: raw.PARTNER_CENTER_EXTRA_ROOTS ?? "",
  };
  const partnerId = blank(raw.PARTNER_CENTER_PARTNER_ID) ?? null;
  const country = blank(raw.PARTNER_CENTER_PARTNER_COUNTRY);
  const partnerCountry = country
    ? parseWith(CountryCode, "PARTNER_CENTER_PARTNER_COUNTRY", country)
    : null;
  const identifying = {
    PARTNER_CENTER_PARTNER_ID: partnerId ?? undefined,
    PARTNER_CENTER_CLIENT_ID: blank(raw.PARTNER_CENTER_CLIENT_ID),
    PARTNER_CENTER_CLIENT_SECRET: blank(raw.PARTNER_CENTER_CLIENT_SECRET),
  };
  const apiNamed = [identifying.PARTNER_CENTER_CLIENT_ID, identifying.PARTNER_CENTER_CLIENT_SECRET];
  if (apiNamed.every((v) => v === undefined)) {
    return { enabled: false, receiver, partnerId, partnerCountry };
  }
  const missing = Object.entries(identifying)
    .filter(([, value]) => value === undefined)
    .map(([name]) => name);
  if (missing.length > 0) {
    throw new ConnectorConfigError(
      `the Partner Center connector is partly configured: set ${missing.join(", ")} too (or unset PARTNER_CENTER_CLIENT_ID and PARTNER_CENTER_CLIENT_SECRET to turn it off)`,
    );
  }
  const id = partnerId as string;
  const apiUrl = parseWith(
    HttpUrl,
    "PARTNER_CENTER_API_URL",
    blank(raw.PARTNER_CENTER_API_URL) ?? DEFAULT_API_URL,
  );
  const tokenUrl = parseWith(
    HttpUrl,
    "PARTNER_CENTER_TOKEN_URL",
    blank(raw.PARTNER_CENTER_TOKEN_URL) ?? entraTokenUrl(id),
  );
  return {
    enabled: true,
    receiver,
    partnerId: id,
    partnerCountry,
    api: {
      partnerId: id,
      apiUrl,
      tokenUrl,
      clientId: identifying.PARTNER_CENTER_CLIENT_ID as string,
      clientSecret: identifying.PARTNER_CENTER_CLIENT_SECRET as string,
    },
  };
}

/** One line saying whether the connector is on, for `npm start` and the logs (no secrets). */
export function describeConnector(config: ConnectorConfig): string {
  if (!config.enabled) {
    return "off (set PARTNER_CENTER_PARTNER_ID, PARTNER_CENTER_CLIENT_ID and PARTNER_CENTER_CLIENT_SECRET to turn it on)";
  }
  return `on for partner ${config.partnerId} (API ${config.api.apiUrl}, certificates from ${config.receiver.certificateHosts.join(", ")}, issuers from ${config.receiver.caIssuerHosts.join(", ")})`;
}
