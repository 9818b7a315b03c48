/**
 * Where the tenant reader signs in and reads (SPEC section 10): `GRAPH_TOKEN_URL` with
 * `{tenantId}` in it (the customer's tenant id is put there per read) and `GRAPH_API_URL`. The
 * client id and secret are the connector's own (`PARTNER_CENTER_CLIENT_ID`/`_SECRET`): one app
 * registration for Partner Center and Graph.
 */
import * as z from "zod";

export const DEFAULT_GRAPH_TOKEN_URL =
  "https://login.microsoftonline.com/{tenantId}/oauth2/v2.0/token";
export const DEFAULT_GRAPH_API_URL = "https://graph.microsoft.com";
/** App-only token for Microsoft Graph (client credentials): the app's consented permissions. */
export const GRAPH_SCOPE = "https://graph.microsoft.com/.default";

export type GraphSettings = {
  tokenUrl: string;
  apiUrl: string;
  clientId: string;
  clientSecret: string;
};

export class GraphConfigError extends Error {
  override readonly name = "GraphConfigError";
}

const HttpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

function url(name: string, value: string | undefined, fallback: string): string {
  const text = value?.trim() || fallback;
  // `{tenantId}` is not a valid host or path character for the URL parser: check a stand-in.
  const parsed = HttpUrl.safeParse(text.replaceAll("{tenantId}", "tenant"));
  if (!parsed.success)
    throw new GraphConfigError(`${name}: must be an http(s) URL (got "${text}")`);
  return text.replace(/\/+$/, "");
}

/** The Graph settings from the environment and the connector's credentials. */
export function readGraphSettings(
  env: NodeJS.ProcessEnv,
  credentials: { clientId: string; clientSecret: string },
): GraphSettings {
  const tokenUrl = url("GRAPH_TOKEN_URL", env.GRAPH_TOKEN_URL, DEFAULT_GRAPH_TOKEN_URL);
  if (!tokenUrl.includes("{tenantId}")) {
    throw new GraphConfigError(
      `GRAPH_TOKEN_URL: must contain {tenantId}, where the customer's tenant id goes (got "${tokenUrl}")`,
    );
  }
  return {
    tokenUrl,
    apiUrl: url("GRAPH_API_URL", env.GRAPH_API_URL, DEFAULT_GRAPH_API_URL),
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
  };
}

/** The token URL of one customer tenant. */
export const tokenUrlFor = (settings: Pick<GraphSettings, "tokenUrl">, tenantId: string) =>
  settings.tokenUrl.replaceAll("{tenantId}", encodeURIComponent(tenantId));
