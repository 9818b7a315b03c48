/**
 * App-only Microsoft Graph tokens, one per customer tenant (SPEC section 10): OAuth 2.0 client
 * credentials against `GRAPH_TOKEN_URL` with the tenant's id in it, scope
 * `https://graph.microsoft.com/.default`, the connector's own client id and secret; each token
 * reused until a minute before it expires. A refusal (no consent in that tenant:
 * `400 unauthorized_client` with an AADSTS code) makes that tenant unreadable, not the run.
 */
import { MAX_RESOURCE_BYTES } from "../http/bounded-body.js";
import { GRAPH_SCOPE, type GraphSettings, tokenUrlFor } from "./config.js";
import { TenantUnreadableError } from "./errors.js";
import { type HttpOptions, requestWithRetries } from "./http.js";
import { TokenAnswer, TokenError } from "./shapes.js";

const EXPIRY_MARGIN_MS = 60_000;
/** Tenants whose token is kept at once; the oldest is forgotten past it (a bounded cache). */
const MAX_CACHED_TENANTS = 1_000;

export class GraphTokens {
  private readonly cache = new Map<string, { token: string; expiresAt: number }>();
  /** Token requests sent (retries included), for the tests and the benchmark. */
  requests = 0;

  constructor(
    private readonly settings: GraphSettings,
    private readonly options: HttpOptions = {},
  ) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  async token(tenantId: string, deadline: number): Promise<string> {
    const key = tenantId.toLowerCase();
    const cached = this.cache.get(key);
    if (cached && this.now() < cached.expiresAt) return cached.token;
    const answer = await requestWithRetries(
      "the token endpoint",
      (signal) => {
        this.requests++;
        return fetch(tokenUrlFor(this.settings, tenantId), {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            grant_type: "client_credentials",
            client_id: this.settings.clientId,
            client_secret: this.settings.clientSecret,
            scope: GRAPH_SCOPE,
          }),
          redirect: "error",
          signal,
        });
      },
      { maxBytes: MAX_RESOURCE_BYTES, deadline },
      this.options,
    );
    if (answer.status !== 200) {
      throw new TenantUnreadableError(
        `the token endpoint refused a token for this tenant (${answer.status}${oauthError(answer.text)}): has the customer consented the app?`,
        answer.status,
      );
    }
    const parsed = TokenAnswer.safeParse(parseJson(answer.text));
    if (!parsed.success) {
      throw new TenantUnreadableError("the token endpoint answered something that is not a token");
    }
    if (this.cache.size >= MAX_CACHED_TENANTS) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, {
      token: parsed.data.access_token,
      expiresAt: this.now() + Math.max(0, parsed.data.expires_in * 1000 - EXPIRY_MARGIN_MS),
    });
    return parsed.data.access_token;
  }

  /** Forgets a tenant's token (Graph refused it: revoked, or consent withdrawn). */
  invalidate(tenantId: string): void {
    this.cache.delete(tenantId.toLowerCase());
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch {
    return undefined;
  }
}

/** `: unauthorized_client AADSTS700016` from an OAuth error body, without its description. */
function oauthError(text: string): string {
  const parsed = TokenError.safeParse(parseJson(text));
  if (!parsed.success) return "";
  const codes = (parsed.data.error_codes ?? []).map((c) => `AADSTS${c}`).join(", ");
  return `: ${parsed.data.error.slice(0, 64)}${codes ? ` ${codes}` : ""}`;
}
