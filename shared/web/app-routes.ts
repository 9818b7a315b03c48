/**
 * The web app's HTTP doors as one route table (shared/http/routes.ts): the JSON API and the
 * calendar feed (served locally and, deployed, by the API Lambda) and the server-rendered pages
 * (served locally). Every door calls the one read side in shared/queries.
 */
import {
  json,
  jsonError,
  type WebRequest,
  type WebResponse,
  type WebRoute,
} from "../http/routes.js";
import {
  dueOriginals,
  IndexNotReadyError,
  listTransfers,
  parseNow,
  parsePartner,
  parseStatus,
  parseWithin,
  partnersOf,
  QueryInputError,
  type ReadSource,
  showTransfer,
  transferJson,
} from "../queries/index.js";
import { partnerCalendar, tokenMatches } from "./calendar-feed.js";
import { page } from "./layout.js";
import {
  duePage,
  errorPage,
  listPage,
  notFoundPage,
  type PageContent,
  transferPage,
} from "./pages.js";
import { RISK_WINDOW_DAYS } from "./risk-chart.js";

export type WebAppDeps = {
  source: ReadSource;
  /** The calendar feed's HMAC key (at least 32 bytes). */
  calendarSecret: () => Promise<Buffer>;
  /** Reminder thresholds in days, drawn on the timeline. */
  thresholds: readonly number[];
  clock?: () => Date;
};

/** Security headers of every page: no inline script or style, no framing, no referrer. */
export const PAGE_SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
} as const;

const API_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
} as const;

/** Refuses parameters the door does not know: a typo must not silently widen a query. */
function params(request: WebRequest, allowed: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of request.url.searchParams) {
    if (!allowed.includes(name)) {
      throw new QueryInputError(
        name,
        `is not a parameter here; use ${allowed.length ? allowed.join(", ") : "none"}`,
      );
    }
    if (name in values) throw new QueryInputError(name, "is given more than once");
    values[name] = value;
  }
  return values;
}

/** Retry-After of a read refused mid-migration: building an index takes minutes. */
const MIGRATION_RETRY = { "retry-after": "300" } as const;

async function api(work: () => Promise<WebResponse>): Promise<WebResponse> {
  let response: WebResponse;
  try {
    response = await work();
  } catch (error) {
    if (error instanceof QueryInputError) response = jsonError(400, error.message);
    else if (error instanceof IndexNotReadyError) {
      response = jsonError(503, error.message, MIGRATION_RETRY);
    } else throw error;
  }
  return { ...response, headers: { ...response.headers, ...API_HEADERS } };
}

/** `/api/*`: the same answers as the CLI's `--json` (list, show, due). */
export function jsonApiRoutes(deps: WebAppDeps): WebRoute[] {
  const clock = deps.clock ?? (() => new Date());
  return [
    {
      method: "GET",
      pattern: "/api/transfers",
      handle: (request) =>
        api(async () => {
          const p = params(request, ["status", "partner"]);
          const rows = await listTransfers(deps.source, {
            status: parseStatus(p.status),
            partnerId: parsePartner(p.partner),
          });
          return json(200, rows);
        }),
    },
    {
      method: "GET",
      pattern: "/api/transfers/:partnerId/:customerTenantId",
      handle: (request) =>
        api(async () => {
          params(request, []);
          const { partnerId = "", customerTenantId = "" } = request.params;
          const view = await showTransfer(deps.source, { partnerId, customerTenantId });
          if (!view) {
            return jsonError(
              404,
              `no transfer for partner "${partnerId}" and customer "${customerTenantId}"`,
            );
          }
          return json(200, transferJson(view));
        }),
    },
    {
      method: "GET",
      pattern: "/api/due",
      handle: (request) =>
        api(async () => {
          const p = params(request, ["within", "now"]);
          const rows = await dueOriginals(deps.source, {
            withinDays: parseWithin(p.within),
            now: parseNow(p.now, clock),
          });
          return json(200, rows);
        }),
    },
  ];
}

/** `/calendar/{partnerId}.ics?token=T`: protected by its HMAC token, not by sign-in. */
export function calendarRoutes(deps: WebAppDeps): WebRoute[] {
  const clock = deps.clock ?? (() => new Date());
  return [
    {
      method: "GET",
      pattern: "/calendar/:feed",
      handle: async (request) => {
        const feed = request.params.feed ?? "";
        const partnerId = feed.endsWith(".ics") ? feed.slice(0, -4) : "";
        const token = request.url.searchParams.get("token");
        // Wrong, missing or for another partner: the same 404 as an unknown path, nothing more.
        if (partnerId === "" || !tokenMatches(await deps.calendarSecret(), partnerId, token)) {
          return jsonError(404, "not found");
        }
        let body: string;
        try {
          body = await partnerCalendar(deps.source, partnerId, clock());
        } catch (error) {
          // Mid-migration: a calendar client keeps its copy and polls again later.
          if (!(error instanceof IndexNotReadyError)) throw error;
          return jsonError(503, error.message, MIGRATION_RETRY);
        }
        return {
          status: 200,
          headers: {
            "content-type": "text/calendar; charset=utf-8",
            "content-disposition": `inline; filename="expiries.ics"`,
            "cache-control": "private, max-age=300",
            "x-content-type-options": "nosniff",
          },
          body,
        };
      },
    },
  ];
}

function htmlPage(
  status: number,
  content: PageContent,
  headers: Record<string, string> = {},
): WebResponse {
  return {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      ...PAGE_SECURITY_HEADERS,
      ...headers,
    },
    body: page(content).text,
  };
}

async function pageOf(work: () => Promise<WebResponse>): Promise<WebResponse> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof QueryInputError) return htmlPage(400, errorPage(error.message));
    if (error instanceof IndexNotReadyError) {
      return htmlPage(503, errorPage(error.message), MIGRATION_RETRY);
    }
    throw error;
  }
}

export function pageRoutes(deps: WebAppDeps): WebRoute[] {
  const clock = deps.clock ?? (() => new Date());
  return [
    {
      method: "GET",
      pattern: "/",
      handle: (request) =>
        pageOf(async () => {
          const p = params(request, ["status", "q", "now"]);
          const status = parseStatus(p.status === "" ? undefined : p.status);
          const now = parseNow(p.now, clock);
          // One read of the summaries serves the list and names the partners whose entries
          // the risk chart reads (of every status: the chart does not follow the filter).
          const all = await listTransfers(deps.source);
          const transfers = status ? all.filter((t) => t.status === status) : all;
          const due = await dueOriginals(deps.source, {
            withinDays: RISK_WINDOW_DAYS,
            now,
            partners: partnersOf(all),
          });
          return htmlPage(200, listPage({ transfers, due, now, status, q: p.q }));
        }),
    },
    {
      method: "GET",
      pattern: "/transfers/:partnerId/:customerTenantId",
      handle: (request) =>
        pageOf(async () => {
          const p = params(request, ["now"]);
          const { partnerId = "", customerTenantId = "" } = request.params;
          const view = await showTransfer(deps.source, { partnerId, customerTenantId });
          if (!view) {
            return htmlPage(
              404,
              notFoundPage(
                `No transfer for partner "${partnerId}" and customer "${customerTenantId}".`,
              ),
            );
          }
          return htmlPage(
            200,
            transferPage({
              view: transferJson(view),
              now: parseNow(p.now, clock),
              thresholds: deps.thresholds,
            }),
          );
        }),
    },
    {
      method: "GET",
      pattern: "/due",
      handle: (request) =>
        pageOf(async () => {
          const p = params(request, ["within", "now"]);
          const within = parseWithin(p.within === "" ? undefined : p.within);
          const now = parseNow(p.now, clock);
          const due = await dueOriginals(deps.source, { withinDays: within, now });
          return htmlPage(200, duePage({ due, within, now }));
        }),
    },
  ];
}
