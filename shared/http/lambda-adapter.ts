/**
 * Serves a route table (shared/http/routes.ts) from Lambda: a Function URL (or HTTP API v2)
 * event becomes a WebRequest, the WebResponse becomes the Lambda result. The same 400/404/405/413
 * answers as the local server; a route that throws is a 500 with a generic message.
 */
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import {
  DEFAULT_MAX_BODY_BYTES,
  type HttpMethod,
  jsonError,
  matchRoute,
  type WebResponse,
  type WebRoute,
} from "./routes.js";

function result(response: WebResponse): LambdaFunctionURLResult {
  const body = response.body ?? "";
  const binary = Buffer.isBuffer(body);
  return {
    statusCode: response.status,
    headers: response.headers ?? {},
    body: binary ? body.toString("base64") : body,
    isBase64Encoded: binary,
  };
}

export function lambdaRoutesHandler(
  routes: readonly WebRoute[],
  log: (message: string, error?: unknown) => void = () => {},
) {
  return async (event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> => {
    let url: URL;
    try {
      const query = event.rawQueryString ? `?${event.rawQueryString}` : "";
      url = new URL(`${event.rawPath}${query}`, "https://lambda.invalid");
    } catch {
      return result(jsonError(400, "the request path is not a valid URL"));
    }
    const method = event.requestContext.http.method;
    const match = matchRoute(routes, method, url.pathname);
    if (match.kind === "bad-path") return result(jsonError(400, "the path does not decode"));
    if (match.kind === "not-found") return result(jsonError(404, "not found"));
    if (match.kind === "wrong-method") {
      const answer = jsonError(405, `method not allowed; use ${match.allow.join(" or ")}`);
      return result({ ...answer, headers: { ...answer.headers, allow: match.allow.join(", ") } });
    }
    const body = event.body
      ? Buffer.from(event.body, event.isBase64Encoded ? "base64" : "utf8")
      : Buffer.alloc(0);
    if (body.length > (match.route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)) {
      return result(jsonError(413, "request body too large"));
    }
    const headers: Record<string, string> = Object.create(null);
    for (const [name, value] of Object.entries(event.headers ?? {})) {
      if (value !== undefined) headers[name.toLowerCase()] = value;
    }
    try {
      return result(
        await match.route.handle({
          method: method as HttpMethod,
          url,
          headers,
          body,
          params: match.params,
        }),
      );
    } catch (error) {
      log(`${method} ${url.pathname} failed`, error);
      return result(jsonError(500, "internal error"));
    }
  };
}
