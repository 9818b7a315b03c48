/**
 * The one guard of every HTTP endpoint the product serves locally (SPEC section 6): the events
 * endpoint, the local SES and the web app answer only requests whose `Host` names the loopback
 * interface (`127.0.0.1`, `localhost` or `[::1]`, any port), so a web page that rebinds its own
 * name to 127.0.0.1 (DNS rebinding) reaches nothing; and a request that carries an `Origin` must
 * come from the server's own loopback origin, so another page's cross-site form post (which needs
 * no preflight) changes nothing. Anything else gets 403 and nothing more: the request is not
 * read, routed or forwarded.
 *
 * The CLI, the demo, the tests and the AWS SDK clients send `Host: 127.0.0.1:<port>` and no
 * `Origin`. The signed Partner Center webhook is the exception (`exceptPaths`): its signature is
 * its authentication, and a tunnel that brings Partner Center's test events to a laptop carries
 * its own `Host`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export const LOOPBACK_HOSTNAMES: readonly string[] = ["127.0.0.1", "localhost", "[::1]"];

export type LoopbackGuardOptions = {
  /** The port the server listens on: its own origins are http://<loopback name>:<port>. */
  port: number;
  /** Paths (without the query) that are served whatever their Host and Origin. */
  exceptPaths?: readonly string[];
};

/** `name[:port]` of a Host header, or null when it is not one. */
function hostnameOf(host: string): string | null {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(host.trim());
  return match?.[1] ? match[1].toLowerCase() : null;
}

export function isLoopbackHost(host: string | undefined): boolean {
  const name = host === undefined ? null : hostnameOf(host);
  return name !== null && LOOPBACK_HOSTNAMES.includes(name);
}

/** True for no Origin at all, or for exactly this server's own loopback origin. */
export function isOwnOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // "null" (a sandboxed frame, a file) and anything else that is not an origin
  }
  const ownPort = url.port === "" ? (url.protocol === "http:" ? 80 : 443) : Number(url.port);
  return (
    url.protocol === "http:" &&
    LOOPBACK_HOSTNAMES.includes(url.hostname.toLowerCase()) &&
    ownPort === port &&
    origin === url.origin
  );
}

/** Why the request is refused, or null when it may be served. */
export function loopbackRefusal(
  request: Pick<IncomingMessage, "headers" | "url">,
  options: LoopbackGuardOptions,
): string | null {
  const path = (request.url ?? "/").split("?")[0] ?? "/";
  if (options.exceptPaths?.includes(path)) return null;
  const { host, origin } = request.headers;
  if (!isLoopbackHost(host)) return "this endpoint answers only Host 127.0.0.1, localhost or [::1]";
  if (!isOwnOrigin(origin, options.port)) return "cross-origin requests are refused";
  return null;
}

/**
 * Answers 403 and returns true when the request is refused; the body is left unread and the
 * connection closed, so nothing of the request reaches the server's own code.
 */
export function refuseForeign(
  request: IncomingMessage,
  response: ServerResponse,
  options: LoopbackGuardOptions,
): boolean {
  const reason = loopbackRefusal(request, options);
  if (reason === null) return false;
  const body = JSON.stringify({ message: `forbidden: ${reason}` });
  response.writeHead(403, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    connection: "close",
  });
  response.end(body);
  return true;
}
