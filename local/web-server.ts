/**
 * The local HTTP server on WEB_PORT (default 4020) that serves every route of the product's HTTP
 * doors (shared/http/routes.ts): the web app, its API and calendar feed, the Partner Center
 * webhook. Loopback only, behind the loopback guard (local/loopback-guard.ts; the webhook path is
 * open to any Host, its signature is its authentication). `serveRoutes` answers each request exactly as the deployed Function URL
 * adapter does; this file only turns Node's request into that shape and guards the socket, so a
 * hostile request gets an answer, never a crash.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { jsonError, type WebResponse, type WebRoute } from "../shared/http/routes.js";
import { serveRoutes, TOO_LARGE } from "../shared/http/serve.js";
import { WEBHOOK_PATH } from "../shared/partner-center/webhook-route.js";
import { refuseForeign } from "./loopback-guard.js";

export type WebServerOptions = {
  port: number;
  routes: readonly WebRoute[];
  log?: (line: string) => void;
  /**
   * Paths served whatever the request's Host and Origin (default: the signed Partner Center
   * webhook); every other path answers loopback Hosts and its own origin only.
   */
  openPaths?: readonly string[];
};

/** Reads the body up to `limit` bytes; past it, stops reading and answers TOO_LARGE. */
function bodyReader(request: IncomingMessage) {
  return (limit: number): Promise<Buffer | typeof TOO_LARGE> => {
    const declared = Number(request.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) return Promise.resolve(TOO_LARGE);
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      request.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          request.removeAllListeners("data");
          request.resume();
          resolve(TOO_LARGE);
          return;
        }
        chunks.push(chunk);
      });
      request.on("end", () => resolve(Buffer.concat(chunks)));
      request.on("error", reject);
    });
  };
}

function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function send(response: ServerResponse, answer: WebResponse): void {
  if (response.headersSent) return;
  const headers: Record<string, string> = { ...answer.headers };
  // A 413 may leave an unread body on the socket: close it rather than parse that as a request.
  if (answer.status === 413) headers.connection = "close";
  response.writeHead(answer.status, headers);
  response.end(answer.body ?? "");
}

export function startWebServer(options: WebServerOptions): Promise<Server> {
  const log = options.log ?? (() => {});
  const logError = (message: string, error?: unknown) =>
    log(`web: ${message}${error === undefined ? "" : `: ${String(error)}`}`);
  const openPaths = options.openPaths ?? [WEBHOOK_PATH];
  const server = createServer((request, response) => {
    const port = (server.address() as AddressInfo | null)?.port ?? options.port;
    if (refuseForeign(request, response, { port, exceptPaths: openPaths })) return;
    serveRoutes(
      options.routes,
      {
        method: request.method ?? "",
        target: request.url ?? "/",
        headers: headersOf(request),
        readBody: bodyReader(request),
      },
      logError,
    ).then(
      (answer) => send(response, answer),
      (error: unknown) => {
        logError("request failed", error);
        send(response, jsonError(500, "internal error"));
      },
    );
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
