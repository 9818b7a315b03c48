/**
 * The local HTTP server on WEB_PORT (default 4020) that serves every route of the product's HTTP
 * doors (shared/http/routes.ts): the web app, its API and calendar feed, the Partner Center
 * webhook. Loopback only. Hostile requests get an answer, never a crash: an oversize body is 413,
 * an unknown path 404, a wrong method 405, a path that does not decode 400, and a route that
 * throws 500 with a generic message (the reason goes to the log, not to the client).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import {
  DEFAULT_MAX_BODY_BYTES,
  type HttpMethod,
  jsonError,
  matchRoute,
  type WebResponse,
  type WebRoute,
} from "../shared/http/routes.js";

export type WebServerOptions = {
  port: number;
  routes: readonly WebRoute[];
  log?: (line: string) => void;
};

class BodyTooLarge extends Error {}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners("data");
        request.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function send(response: ServerResponse, answer: WebResponse, closeAfter = false): void {
  if (response.headersSent) return;
  const headers: Record<string, string> = { ...answer.headers };
  if (closeAfter) headers.connection = "close";
  response.writeHead(answer.status, headers);
  response.end(answer.body ?? "");
}

async function answer(
  routes: readonly WebRoute[],
  request: IncomingMessage,
  response: ServerResponse,
  log: (line: string) => void,
): Promise<void> {
  let url: URL;
  try {
    url = new URL(request.url ?? "/", "http://127.0.0.1");
  } catch {
    return send(response, jsonError(400, "the request path is not a valid URL"));
  }
  const match = matchRoute(routes, request.method ?? "", url.pathname);
  if (match.kind === "bad-path") return send(response, jsonError(400, "the path does not decode"));
  if (match.kind === "not-found") return send(response, jsonError(404, "not found"));
  if (match.kind === "wrong-method") {
    return send(response, {
      ...jsonError(405, `method not allowed; use ${match.allow.join(" or ")}`),
      headers: { "content-type": "application/json; charset=utf-8", allow: match.allow.join(", ") },
    });
  }
  let body: Buffer;
  try {
    body = await readBody(request, match.route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLarge) {
      return send(response, jsonError(413, "request body too large"), true);
    }
    throw error;
  }
  try {
    const result = await match.route.handle({
      method: match.route.method as HttpMethod,
      url,
      headers: headersOf(request),
      body,
      params: match.params,
    });
    send(response, result);
  } catch (error) {
    log(`web: ${request.method} ${url.pathname} failed: ${String(error)}`);
    send(response, jsonError(500, "internal error"));
  }
}

export function startWebServer(options: WebServerOptions): Promise<Server> {
  const log = options.log ?? (() => {});
  const server = createServer((request, response) => {
    answer(options.routes, request, response, log).catch((error: unknown) => {
      log(`web: ${String(error)}`);
      send(response, jsonError(500, "internal error"));
    });
  });
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
    else socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}
