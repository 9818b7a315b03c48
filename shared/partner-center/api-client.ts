/**
 * The Partner Center REST calls the connector makes, with an app-only bearer token. Failures are
 * sorted for the runtime (api-errors.ts): 404 is "not there" (null), 401/403 are refusals that
 * retrying cannot fix (after one retry with a fresh token for 401), 429/5xx/timeouts are retried
 * here with exponential backoff (honouring Retry-After up to a cap) and then reported retryable,
 * and an answer that is not the documented shape is refused, never half-used. Every answer is read
 * through the bounded reader (1 MiB for a resource, 8 MiB for a page of a list): a larger one is
 * an error for that request, retried like a 5xx. A paged list is followed to its end through
 * `links.next` and its continuation token, on the API's own origin only, at most 50 pages.
 */
import { randomUUID } from "node:crypto";
import type * as z from "zod";
import {
  MAX_PAGE_BYTES,
  MAX_RESOURCE_BYTES,
  ResponseTooLargeError,
  readBoundedText,
} from "../http/bounded-body.js";
import { PartnerCenterError } from "./api-errors.js";
import type { ApiSettings } from "./config.js";
import {
  PcCustomer,
  type PcNextLink,
  PcRelationshipRequest,
  PcSubscription,
  PcSubscriptionList,
} from "./shapes.js";
import type { TokenProvider } from "./token-provider.js";

export type ApiClientOptions = {
  timeoutMs?: number;
  attempts?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  sleep?: (ms: number) => Promise<void>;
};

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Pages of one list followed at most (Partner Center pages subscriptions by the hundreds). */
export const MAX_LIST_PAGES = 50;

type GetOptions = { maxBytes: number; headers?: Record<string, string> };

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

  /** Every subscription of the customer, all pages; null when Partner Center does not know it. */
  async listSubscriptions(customerId: string): Promise<PcSubscription[] | null> {
    const path = `/v1/customers/${seg(customerId)}/subscriptions`;
    let page = await this.get(path, PcSubscriptionList, { maxBytes: MAX_PAGE_BYTES });
    if (!page) return null;
    const items = [...page.items];
    for (let pages = 1; page.links?.next; pages++) {
      if (pages >= MAX_LIST_PAGES) {
        throw new PartnerCenterError(
          `GET ${path} has more than ${MAX_LIST_PAGES} pages; refusing to follow further`,
          false,
        );
      }
      const next = this.nextPage(page.links.next);
      page = await this.get(next.path, PcSubscriptionList, {
        maxBytes: MAX_PAGE_BYTES,
        headers: next.headers,
      });
      if (!page) {
        throw new PartnerCenterError(`GET ${path}: a next page answered 404`, true, 404);
      }
      items.push(...page.items);
    }
    return items;
  }

  /**
   * The request for a `links.next`: its `uri` is relative to the API's version root
   * (`/customers/...`), or a path under `/v1`, or an absolute URL on the API's own origin — never
   * anywhere else; its headers carry the continuation token.
   */
  private nextPage(link: PcNextLink): { path: string; headers: Record<string, string> } {
    const headers: Record<string, string> = {};
    for (const { key, value } of link.headers ?? []) {
      if (/^ms-continuationtoken$/i.test(key)) headers["MS-ContinuationToken"] = value;
    }
    if (link.uri.startsWith("/") && !link.uri.startsWith("//")) {
      return { path: link.uri.startsWith("/v1/") ? link.uri : `/v1${link.uri}`, headers };
    }
    const api = new URL(this.settings.apiUrl);
    let url: URL;
    try {
      url = new URL(link.uri, api.origin);
    } catch {
      throw new PartnerCenterError(
        `a next-page link is not a URL: ${link.uri.slice(0, 80)}`,
        false,
      );
    }
    const base = api.pathname.replace(/\/+$/, "");
    if (url.origin !== api.origin || !url.pathname.startsWith(`${base}/`)) {
      throw new PartnerCenterError(`a next-page link leaves the API (${url.origin})`, false);
    }
    return { path: `${url.pathname.slice(base.length)}${url.search}`, headers };
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

  private async get<S extends z.ZodType>(
    path: string,
    shape: S,
    options: GetOptions = { maxBytes: MAX_RESOURCE_BYTES },
  ): Promise<z.infer<S> | null> {
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
            ...options.headers,
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
      if (status === 200) {
        let text: string;
        try {
          text = await readBoundedText(response, options.maxBytes, `GET ${path}`);
        } catch (error) {
          if (!(error instanceof ResponseTooLargeError) && !isAbort(error)) throw error;
          // Too large, or cut off mid-body: an error for this request, retried like a 5xx.
          lastProblem = (error as Error).message;
          await this.backoff(attempt, attempts, null);
          continue;
        }
        return parseAnswer(path, text, shape);
      }
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

const isAbort = (error: unknown) =>
  error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");

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
