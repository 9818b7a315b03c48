/**
 * One small, framework-free contract for the product's HTTP doors (the partner web app, its JSON
 * API and calendar feed, the Partner Center webhook). A route is a pure async function from a
 * request to a response, so the same route table is served locally by `local/web-server.ts` and
 * deployed by a Lambda adapter (Function URL / API Gateway event to WebRequest and back).
 */

export type HttpMethod = "GET" | "POST";
/** What a 405's Allow header names: every GET route answers HEAD too. */
export type AllowedMethod = HttpMethod | "HEAD";

export type WebRequest = {
  method: HttpMethod;
  /** Path and query, parsed; `url.pathname` is still percent-encoded. */
  url: URL;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The raw body bytes, exactly as received (signatures are checked over them). */
  body: Buffer;
  /** Path parameters of the matched pattern, percent-decoded. */
  params: Record<string, string>;
};

export type WebResponse = {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
};

export type WebRoute = {
  method: HttpMethod;
  /** A path pattern: literal segments and `:name` parameters, e.g. `/api/transfers/:p/:c`. */
  pattern: string;
  /** Largest body accepted; a larger one is answered 413 before `handle` runs. Default 64 KiB. */
  maxBodyBytes?: number;
  handle: (request: WebRequest) => Promise<WebResponse>;
};

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export type RouteMatch =
  | { kind: "found"; route: WebRoute; params: Record<string, string> }
  | { kind: "bad-path" }
  | { kind: "wrong-method"; allow: AllowedMethod[] }
  | { kind: "not-found" };

/**
 * Matches a percent-encoded path against the table. A parameter segment matches one non-empty
 * segment; a segment that does not percent-decode is a bad path (400), not a crash.
 */
export function matchRoute(routes: readonly WebRoute[], method: string, path: string): RouteMatch {
  const segments = path.split("/").slice(1);
  // HEAD is answered by the GET route (without the body: see serveRoutes).
  const wanted = method === "HEAD" ? "GET" : method;
  const allow: AllowedMethod[] = [];
  for (const route of routes) {
    const params = matchPattern(route.pattern, segments);
    if (params === "bad-path") return { kind: "bad-path" };
    if (!params) continue;
    if (route.method === wanted) return { kind: "found", route, params };
    allow.push(route.method);
    if (route.method === "GET") allow.push("HEAD");
  }
  return allow.length > 0 ? { kind: "wrong-method", allow } : { kind: "not-found" };
}

function matchPattern(
  pattern: string,
  segments: string[],
): Record<string, string> | null | "bad-path" {
  const parts = pattern.split("/").slice(1);
  if (parts.length !== segments.length) return null;
  const params: Record<string, string> = Object.create(null);
  for (const [index, part] of parts.entries()) {
    const segment = segments[index] ?? "";
    if (part.startsWith(":")) {
      if (segment === "") return null;
      try {
        params[part.slice(1)] = decodeURIComponent(segment);
      } catch {
        return "bad-path";
      }
    } else if (part !== segment) {
      return null;
    }
  }
  return params;
}

/** A JSON answer, the shape every API error and result uses. */
export function json(status: number, value: unknown, headers: Record<string, string> = {}) {
  return {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    body: JSON.stringify(value),
  } satisfies WebResponse;
}

export const jsonError = (status: number, error: string, headers: Record<string, string> = {}) =>
  json(status, { error }, headers);
