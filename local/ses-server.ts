/**
 * The local SES (aws-ses-v2-local), contained. Some of its routes answer twice on a bad request
 * (`GET /get-emlContent` with an unknown or missing messageId, `GET /store?since=x`): the second
 * answer throws ERR_HTTP_HEADERS_SENT, on `/get-emlContent` inside a promise, and that unhandled
 * rejection ended the whole runtime; the second `end` then fails with "write after end". Here a
 * header set, or a body written, after the answer has gone is ignored, so the first answer (400)
 * stands and nothing is thrown.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createRequire } from "node:module";

type Factory = (config: { host: string; port: number }) => Promise<Server>;

export async function startSesServer(port: number): Promise<Server> {
  const require = createRequire(import.meta.url);
  const mod = require("aws-ses-v2-local") as { default: Factory & { default?: Factory } };
  const factory = mod.default.default ?? mod.default;
  const server = await factory({ host: "127.0.0.1", port });
  const listeners = server.listeners("request") as ((
    req: IncomingMessage,
    res: ServerResponse,
  ) => void)[];
  server.removeAllListeners("request");
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const setHeader = res.setHeader.bind(res);
    const end = res.end.bind(res);
    const write = res.write.bind(res);
    res.setHeader = ((name: string, value: number | string | readonly string[]) =>
      res.headersSent ? res : setHeader(name, value)) as typeof res.setHeader;
    res.end = ((...args: Parameters<typeof end>) =>
      res.writableEnded ? res : end(...args)) as typeof res.end;
    res.write = ((...args: Parameters<typeof write>) =>
      res.writableEnded ? false : write(...args)) as typeof res.write;
    for (const listener of listeners) listener(req, res);
  });
  return server;
}
