/**
 * The HTTP server each fake runs on: 127.0.0.1 only, a free port unless one is given, a 500 for
 * a request whose handler throws, and a stop that also drops kept-alive connections (so a test's
 * clients cannot hold it open).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export class LoopbackServer {
  private server: Server | null = null;
  /** `http://127.0.0.1:<port>` once started, "" before. */
  url = "";

  constructor(private readonly handle: Handler) {}

  async start(port = 0): Promise<void> {
    const server = createServer((req, res) => {
      Promise.resolve()
        .then(() => this.handle(req, res))
        .catch(() => {
          if (!res.headersSent) res.writeHead(500).end();
        });
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    this.server = null;
  }

  /** `host:port`, as the receiver's allowed-host settings name it. */
  get host(): string {
    return new URL(this.url).host;
  }
}

/** A request's whole body (the fakes read small bodies only: tokens, JSON requests). */
export function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** A JSON answer. */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(value));
}
