/**
 * The two Microsoft Graph lists a tenant read needs (SPEC section 10), each with every
 * `@odata.nextLink` page — followed only on `GRAPH_API_URL`'s own origin, never elsewhere — and
 * bounded: at most MAX_PAGES pages and MAX_ITEMS items per list, each page up to MAX_PAGE_BYTES,
 * the whole read within its time budget. Every item is checked against its documented shape;
 * one that is not makes the tenant unreadable (a partial list would give wrong warnings).
 */
import type * as z from "zod";
import { MAX_PAGE_BYTES } from "../http/bounded-body.js";
import type { GraphSettings } from "./config.js";
import { TenantUnreadableError } from "./errors.js";
import { type HttpOptions, requestWithRetries } from "./http.js";
import { GraphCompanySubscription, GraphError, GraphPage, GraphSubscribedSku } from "./shapes.js";
import type { GraphTokens } from "./token-provider.js";

export const MAX_PAGES = 100;
export const MAX_ITEMS = 20_000;

export class GraphClient {
  /** Graph requests sent (retries included, token requests not), for the benchmark. */
  requests = 0;
  private readonly origin: string;

  constructor(
    private readonly settings: Pick<GraphSettings, "apiUrl">,
    private readonly tokens: GraphTokens,
    private readonly options: HttpOptions = {},
  ) {
    this.origin = new URL(settings.apiUrl).origin;
  }

  subscriptions(tenantId: string, deadline: number) {
    return this.list(
      tenantId,
      "/v1.0/directory/subscriptions",
      GraphCompanySubscription,
      "subscription",
      deadline,
    );
  }

  subscribedSkus(tenantId: string, deadline: number) {
    return this.list(
      tenantId,
      "/v1.0/subscribedSkus",
      GraphSubscribedSku,
      "subscribedSku",
      deadline,
    );
  }

  private async list<S extends z.ZodType>(
    tenantId: string,
    path: string,
    shape: S,
    what: string,
    deadline: number,
  ): Promise<z.infer<S>[]> {
    const items: z.infer<S>[] = [];
    let url: string | null = `${this.settings.apiUrl}${path}`;
    for (let page = 1; url !== null; page++) {
      if (page > MAX_PAGES) {
        throw new TenantUnreadableError(`GET ${path} has more than ${MAX_PAGES} pages`);
      }
      const body = await this.getPage(tenantId, url, path, deadline);
      for (const raw of body.value) {
        const parsed = shape.safeParse(raw);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const id = (raw as { id?: unknown; skuId?: unknown } | null) ?? {};
          const named =
            typeof id.id === "string" ? id.id : typeof id.skuId === "string" ? id.skuId : "?";
          throw new TenantUnreadableError(
            `GET ${path}: ${what} ${items.length + 1} (${named.slice(0, 64)}) is not the documented shape (${issue?.path.join(".") || "item"}: ${issue?.message})`,
          );
        }
        items.push(parsed.data);
        if (items.length > MAX_ITEMS) {
          throw new TenantUnreadableError(`GET ${path} lists more than ${MAX_ITEMS} items`);
        }
      }
      url = this.nextLink(body["@odata.nextLink"] ?? null, path);
    }
    return items;
  }

  /** The next page's URL, only on GRAPH_API_URL's origin. */
  private nextLink(link: string | null, path: string): string | null {
    if (link === null) return null;
    let next: URL;
    try {
      next = new URL(link, this.settings.apiUrl);
    } catch {
      throw new TenantUnreadableError(`GET ${path}: @odata.nextLink is not a URL`);
    }
    if (next.origin !== this.origin) {
      throw new TenantUnreadableError(
        `GET ${path}: @odata.nextLink points to ${next.origin}, not ${this.origin}; not followed`,
      );
    }
    return next.href;
  }

  private async getPage(tenantId: string, url: string, path: string, deadline: number) {
    let refreshed = false;
    for (;;) {
      const token = await this.tokens.token(tenantId, deadline);
      const answer = await requestWithRetries(
        `GET ${path}`,
        (signal) => {
          this.requests++;
          return fetch(url, {
            headers: { authorization: `Bearer ${token}`, accept: "application/json" },
            redirect: "error",
            signal,
          });
        },
        { maxBytes: MAX_PAGE_BYTES, deadline },
        this.options,
      );
      if (answer.status === 401 && !refreshed) {
        // A token revoked since it was cached: one more try with a fresh one.
        refreshed = true;
        this.tokens.invalidate(tenantId);
        continue;
      }
      if (answer.status !== 200) {
        throw new TenantUnreadableError(
          `GET ${path} answered ${answer.status}${graphCode(answer.text)}${
            answer.status === 401 || answer.status === 403
              ? ": check the app's Graph permissions and the customer's consent"
              : ""
          }`,
          answer.status,
        );
      }
      let raw: unknown;
      try {
        raw = JSON.parse(answer.text.replace(/^\uFEFF/, ""));
      } catch {
        throw new TenantUnreadableError(`GET ${path} answered something that is not JSON`);
      }
      const page = GraphPage.safeParse(raw);
      if (!page.success) {
        throw new TenantUnreadableError(`GET ${path} answered a page without a "value" list`);
      }
      return page.data;
    }
  }
}

/** ` (Authorization_RequestDenied)` from a Graph error body. */
function graphCode(text: string): string {
  try {
    const parsed = GraphError.safeParse(JSON.parse(text));
    return parsed.success ? ` (${parsed.data.error.code.slice(0, 64)})` : "";
  } catch {
    return "";
  }
}
