/**
 * App-only Entra token for the Partner Center API: OAuth 2.0 client credentials against the
 * configured token URL, scope `https://api.partnercenter.microsoft.com/.default`, reused until a
 * minute before it expires (one token request per hour per warm function, not one per call). The
 * answer is read through the bounded reader (1 MiB).
 */
import * as z from "zod";
import { MAX_RESOURCE_BYTES, readBoundedText } from "../http/bounded-body.js";
import { PartnerCenterError } from "./api-errors.js";
import { type ApiSettings, PARTNER_CENTER_SCOPE } from "./config.js";

const TokenAnswer = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().int().positive(),
  token_type: z.string().optional(),
});

const EXPIRY_MARGIN_MS = 60_000;

export class TokenProvider {
  private cached: { token: string; expiresAt: number } | null = null;
  private pending: Promise<string> | null = null;
  /** Token requests made, for the tests and the benchmark. */
  requests = 0;

  constructor(
    private readonly settings: Pick<ApiSettings, "tokenUrl" | "clientId" | "clientSecret">,
    private readonly options: { timeoutMs?: number; now?: () => number } = {},
  ) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  async token(): Promise<string> {
    if (this.cached && this.now() < this.cached.expiresAt) return this.cached.token;
    this.pending ??= this.request().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  /** Forgets the cached token (the API refused it: revoked or rotated). */
  invalidate(): void {
    this.cached = null;
  }

  private async request(): Promise<string> {
    this.requests++;
    const body = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: this.settings.clientId,
      client_secret: this.settings.clientSecret,
      scope: PARTNER_CENTER_SCOPE,
    });
    let response: Response;
    try {
      response = await fetch(this.settings.tokenUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body,
        redirect: "error",
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new PartnerCenterError(`token request failed: ${(error as Error).message}`, true);
    }
    let text: string;
    try {
      text = await readBoundedText(response, MAX_RESOURCE_BYTES, "the token answer");
    } catch (error) {
      // Too large or cut off: an error for this request, retried like a 5xx.
      throw new PartnerCenterError(`token request failed: ${(error as Error).message}`, true);
    }
    if (response.status === 429 || response.status >= 500) {
      throw new PartnerCenterError(
        `token endpoint answered ${response.status}`,
        true,
        response.status,
      );
    }
    if (response.status !== 200) {
      // invalid_client, unauthorized_client...: the credentials are wrong; retrying cannot help.
      throw new PartnerCenterError(
        `token endpoint refused the client credentials (${response.status}${errorCode(text)})`,
        false,
        response.status,
      );
    }
    let answer: z.infer<typeof TokenAnswer>;
    try {
      answer = TokenAnswer.parse(JSON.parse(text));
    } catch {
      throw new PartnerCenterError("token endpoint answered something that is not a token", false);
    }
    const issuedAt = this.now();
    this.cached = {
      token: answer.access_token,
      expiresAt: issuedAt + Math.max(0, answer.expires_in * 1000 - EXPIRY_MARGIN_MS),
    };
    return answer.access_token;
  }
}

/** `: invalid_client` from an OAuth error body, without its description (it may quote input). */
function errorCode(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    return typeof parsed.error === "string" ? `: ${parsed.error.slice(0, 64)}` : "";
  } catch {
    return "";
  }
}
