/**
 * Answers one HTTP request from a route table, the same way for every door (the local web server
 * and the Lambda Function URL adapter): 400 for a path that does not parse or decode, 404 for an
 * unknown path, 405 for a wrong method, 413 above the route's body limit (checked before the
 * route runs), and 500 with a generic message when a route throws (the reason goes to the log).
 * HEAD on a GET route answers exactly as GET, without the body (calendar clients send it).
 */
import {
  DEFAULT_MAX_BODY_BYTES,
  type HttpMethod,
  jsonError,
  matchRoute,
  type WebResponse,
  type WebRoute,
} from "./routes.js";

/** Returned by a body reader whose body is over the limit it was given. */
export const TOO_LARGE = Symbol("body too large");

export type IncomingHttp = {
  method: string;
  /** The request target as received: path and query, percent-encoded. */
  target: string;
  headers: Record<string, string>;
  /** Reads the body, or answers TOO_LARGE once it passes `limit` bytes. */
  readBody: (limit: number) => Promise<Buffer | typeof TOO_LARGE>;
};

export async function serveRoutes(
  routes: readonly WebRoute[],
  incoming: IncomingHttp,
  log: (message: string, error?: unknown) => void,
): Promise<WebResponse> {
  const answer = await answerRequest(routes, incoming, log);
  return incoming.method === "HEAD" ? withoutBody(answer) : answer;
}

async function answerRequest(
  routes: readonly WebRoute[],
  incoming: IncomingHttp,
  log: (message: string, error?: unknown) => void,
): Promise<WebResponse> {
  let url: URL;
  try {
    // Only origin-form targets; prefixing keeps "//host/path" a path, not another host.
    if (!incoming.target.startsWith("/")) throw new TypeError("not origin-form");
    url = new URL(`http://127.0.0.1${incoming.target}`);
  } catch {
    return jsonError(400, "the request path is not a valid URL");
  }
  const match = matchRoute(routes, incoming.method, url.pathname);
  if (match.kind === "bad-path") return jsonError(400, "the path does not decode");
  if (match.kind === "not-found") return jsonError(404, "not found");
  if (match.kind === "wrong-method") {
    const answer = jsonError(405, `method not allowed; use ${match.allow.join(" or ")}`);
    return { ...answer, headers: { ...answer.headers, allow: match.allow.join(", ") } };
  }
  const body = await incoming.readBody(match.route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  if (body === TOO_LARGE) return jsonError(413, "request body too large");
  try {
    return await match.route.handle({
      method: match.route.method as HttpMethod,
      url,
      headers: incoming.headers,
      body,
      params: match.params,
    });
  } catch (error) {
    log(`${incoming.method} ${url.pathname} failed`, error);
    return jsonError(500, "internal error");
  }
}

/** The GET answer's status and headers, its length in content-length, and no body. */
function withoutBody(answer: WebResponse): WebResponse {
  const length = Buffer.byteLength(answer.body ?? "");
  return {
    status: answer.status,
    headers: { ...answer.headers, "content-length": String(length) },
  };
}
