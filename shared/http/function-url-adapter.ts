/**
 * Serves a route table from a Lambda Function URL (payload format 2.0): the event becomes the
 * same WebRequest the local web server builds, so deployed and local requests run the very same
 * route code. Answers like the local server: 404 / 405 / 400 for paths, 413 above the route's
 * body limit, 500 (reason logged, not returned) when a route throws.
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

function toResult(answer: WebResponse): LambdaFunctionURLResult {
  const body = answer.body ?? "";
  return typeof body === "string"
    ? { statusCode: answer.status, headers: answer.headers ?? {}, body }
    : {
        statusCode: answer.status,
        headers: answer.headers ?? {},
        body: body.toString("base64"),
        isBase64Encoded: true,
      };
}

export function functionUrlHandler(
  routes: () => Promise<readonly WebRoute[]>,
  log: (message: string, error: unknown) => void,
) {
  return async (event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> => {
    const method = event.requestContext?.http?.method ?? "";
    const path = event.rawPath ?? "/";
    let url: URL;
    try {
      url = new URL(
        `${path}${event.rawQueryString ? `?${event.rawQueryString}` : ""}`,
        "https://function.url",
      );
    } catch {
      return toResult(jsonError(400, "the request path is not a valid URL"));
    }
    const match = matchRoute(await routes(), method, url.pathname);
    if (match.kind === "bad-path") return toResult(jsonError(400, "the path does not decode"));
    if (match.kind === "not-found") return toResult(jsonError(404, "not found"));
    if (match.kind === "wrong-method") {
      return toResult({
        ...jsonError(405, `method not allowed; use ${match.allow.join(" or ")}`),
        headers: {
          "content-type": "application/json; charset=utf-8",
          allow: match.allow.join(", "),
        },
      });
    }
    const body = Buffer.from(event.body ?? "", event.isBase64Encoded ? "base64" : "utf8");
    if (body.length > (match.route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)) {
      return toResult(jsonError(413, "request body too large"));
    }
    const headers: Record<string, string> = Object.create(null);
    for (const [name, value] of Object.entries(event.headers ?? {})) {
      if (value !== undefined) headers[name.toLowerCase()] = value;
    }
    try {
      return toResult(
        await match.route.handle({
          method: match.route.method as HttpMethod,
          url,
          headers,
          body,
          params: match.params,
        }),
      );
    } catch (error) {
      log(`${method} ${url.pathname} failed`, error);
      return toResult(jsonError(500, "internal error"));
    }
  };
}
