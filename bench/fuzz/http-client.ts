/**
 * A deliberately naive HTTP/1.1 client over a raw socket: it sends the method, path, headers and
 * body exactly as given (client libraries refuse or normalise most hostile requests), then reads
 * until the server closes the connection.
 */
import { connect } from "node:net";
import type { HttpProbe } from "../../test/support/hostile-http.js";

export type RawAnswer =
  | { kind: "answered"; status: number; body: Buffer }
  /** The server closed the connection without a status line (fine for malformed bytes). */
  | { kind: "closed" }
  | { kind: "timeout" }
  | { kind: "refused"; error: string };

export function requestBytes(probe: HttpProbe, port: number): Buffer {
  const body =
    probe.body === undefined
      ? Buffer.alloc(0)
      : typeof probe.body === "string"
        ? Buffer.from(probe.body)
        : Buffer.from(probe.body);
  const headers = { ...probe.headers, host: `127.0.0.1:${port}`, connection: "close" };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  if (probe.body !== undefined) lines.push(`content-length: ${body.length}`);
  const head = `${probe.method} ${probe.path} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}

export function sendRaw(port: number, bytes: Buffer, timeoutMs: number): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = connect({ host: "127.0.0.1", port });
    const finish = (answer: RawAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish(parsed(chunks) ?? { kind: "timeout" }), timeoutMs);
    socket.on("connect", () => {
      // The server may answer (413, 400) and close before it has read everything.
      socket.write(bytes, () => {});
    });
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED") finish({ kind: "refused", error: error.message });
      else finish(parsed(chunks) ?? { kind: "closed" });
    });
    socket.on("close", () => finish(parsed(chunks) ?? { kind: "closed" }));
  });
}

/** Status and (de-chunked) body of what was received, or null without a status line. */
function parsed(chunks: Buffer[]): RawAnswer | null {
  const raw = Buffer.concat(chunks);
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(raw.subarray(0, 20).toString("latin1"));
  if (!match) return null;
  const split = raw.indexOf("\r\n\r\n");
  const head = raw.subarray(0, split === -1 ? raw.length : split).toString("latin1");
  let body: Buffer = split === -1 ? Buffer.alloc(0) : raw.subarray(split + 4);
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) body = dechunk(body);
  return { kind: "answered", status: Number(match[1]), body };
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    const eol = body.indexOf("\r\n", at);
    if (eol === -1) break;
    const size = Number.parseInt(body.subarray(at, eol).toString("latin1"), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
