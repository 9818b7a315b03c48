/**
 * Serves a route table from a Lambda Function URL (payload format 2.0): the event becomes the
 * same request the local web server sees and `serveRoutes` answers it, so deployed and local
 * requests run the very same route code with the same 400/404/405/413/500 answers.
 */
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import type { WebResponse, WebRoute } from "./routes.js";
import { serveRoutes, TOO_LARGE } from "./serve.js";

function toResult(answer: WebResponse): LambdaFunctionURLResult {
  const body = answer.body ?? "";
  const binary = Buffer.isBuffer(body);
  return {
    statusCode: answer.status,
    headers: answer.headers ?? {},
    body: binary ? body.toString("base64") : body,
    isBase64Encoded: binary,
  };
}

/** `routes` may be built lazily, on the first request (see shared/partner-center/handlers.ts). */
export function functionUrlHandler(
  routes: readonly WebRoute[] | (() => Promise<readonly WebRoute[]>),
  log: (message: string, error?: unknown) => void = () => {},
) {
  return async (event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> => {
    const headers: Record<string, string> = Object.create(null);
    for (const [name, value] of Object.entries(event.headers ?? {})) {
      if (value !== undefined) headers[name.toLowerCase()] = value;
    }
    const body = Buffer.from(event.body ?? "", event.isBase64Encoded ? "base64" : "utf8");
    const query = event.rawQueryString ? `?${event.rawQueryString}` : "";
    const answer = await serveRoutes(
      typeof routes === "function" ? await routes() : routes,
      {
        method: event.requestContext?.http?.method ?? "",
        target: `${event.rawPath ?? "/"}${query}`,
        headers,
        readBody: async (limit) => (body.length > limit ? TOO_LARGE : body),
      },
      log,
    );
    return toResult(answer);
  };
}
