/**
 * The Partner Center REST calls the connector makes, with an app-only bearer token. Failures are
 * sorted for the runtime (api-errors.ts): 404 is "not there" (null), 401/403 are refusals that
 * retrying cannot fix (after one retry with a fresh token for 401), 429/5xx/timeouts are retried
 * here with exponential backoff (honouring Retry-After up to a cap) and then reported retryable,
 * and an answer that is not the documented shape is refused, never half-used.
 */
import { randomUUID } from "node:crypto";
import type * as z from "zod";
import { PartnerCenterError } from "./api-errors.js";
import type { ApiSettings } from "./config.js";
import { PcCustomer, PcRelationshipRequest, PcSubscription, PcSubscriptionList } from "./shapes.js";
import type { TokenProvider } from "./token-provider.js";

export type ApiClientOptions = {
  timeoutMs?: number;
  attempts?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  sleep?: (ms: number) => Promise<void>;
};

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class PartnerCenterClient {
  /** API requests sent (retries included, token requests not), for the benchmark. */
  requests = 0;

  constructor(
    private readonly settings: Pick<ApiSettings, "apiUrl">,
    private readonly tokens: TokenProvider,
    private readonly options: ApiClientOptions = {},
  ) {}

  getCustomer(customerId: string): Promise<PcCustomer | null> {
    return this.get(`/v1/customers/${seg(customerId)}`, PcCustomer);
  }

  getSubscription(customerId: string, subscriptionId: string) {
    return this.get(
      `/v1/customers/${seg(customerId)}/subscriptions/${seg(subscriptionId)}`,
      PcSubscription,
    );
  }

  listSubscriptions(customerId: string) {
    return this.get(`/v1/customers/${seg(customerId)}/subscriptions`, PcSubscriptionList);
  }

  /** The link a customer opens to accept the partner as its reseller. */
  async relationshipRequestUrl(): Promise<string> {
    const answer = await this.get("/v1/customers/relationshiprequests", PcRelationshipRequest);
    if (!answer)
      throw new PartnerCenterError(
        "Partner Center has no relationship request link (404)",
        false,
        404,
      );
    return answer.url;
  }

  private async get<S extends z.ZodType>(path: string, shape: S): Promise<z.infer<S> | null> {
    const attempts = this.options.attempts ?? 4;
    let refreshedToken = false;
    let lastProblem = "";
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const token = await this.tokens.token();
      let response: Response;
      this.requests++;
      try {
        response = await fetch(`${this.settings.apiUrl}${path}`, {
          headers: {
            authorization: `Bearer ${token}`,
            accept: "application/json",
            "ms-correlationid": randomUUID(),
            "ms-requestid": randomUUID(),
          },
          redirect: "error",
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        });
      } catch (error) {
        lastProblem = `GET ${path} failed: ${(error as Error).message}`;
        await this.backoff(attempt, attempts, null);
        continue;
      }
      const status = response.status;
      if (status === 200) return parseAnswer(path, await response.text(), shape);
      await response.body?.cancel();
      if (status === 404) return null;
      if (status === 401 && !refreshedToken) {
        refreshedToken = true;
        this.tokens.invalidate();
        attempt--;
        continue;
      }
      if (status === 401 || status === 403) {
        throw new PartnerCenterError(
          `Partner Center refused GET ${path} with ${status}: check the app's API permissions and consent`,
          false,
          status,
        );
      }
      if (status === 429 || status >= 500) {
        lastProblem = `GET ${path} answered ${status}`;
        await this.backoff(attempt, attempts, response.headers.get("retry-after"));
        continue;
      }
      throw new PartnerCenterError(`GET ${path} answered ${status}`, false, status);
    }
    throw new PartnerCenterError(`${lastProblem} (after ${attempts} attempts)`, true);
  }

  private async backoff(attempt: number, attempts: number, retryAfter: string | null) {
    if (attempt >= attempts) return;
    const cap = this.options.backoffCapMs ?? 5_000;
    const exponential = (this.options.backoffBaseMs ?? 250) * 2 ** (attempt - 1);
    const hinted = retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : 0;
    const delay = Math.min(cap, Math.max(hinted, exponential * (0.5 + Math.random() / 2)));
    await (this.options.sleep ?? defaultSleep)(delay);
  }
}

/** One path segment; ids were checked already, this only keeps a stray character harmless. */
const seg = (value: string) => encodeURIComponent(value);

function parseAnswer<S extends z.ZodType>(path: string, text: string, shape: S): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch {
    throw new PartnerCenterError(`GET ${path} answered something that is not JSON`, false);
  }
  const parsed = shape.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PartnerCenterError(
      `GET ${path} answered an unexpected shape (${issue?.path.join(".") || "body"}: ${issue?.message})`,
      false,
    );
  }
  return parsed.data;
}
