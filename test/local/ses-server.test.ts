/**
 * The local SES survives the requests its package answers twice (ERR_HTTP_HEADERS_SENT): the
 * first answer stands and no error escapes, so the runtime hosting it keeps running.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../local/free-port.js";
import { startSesServer } from "../../local/ses-server.js";

let base: string;
let close: () => Promise<void>;
const escaped: unknown[] = [];
const onEscape = (error: unknown) => escaped.push(error);

beforeAll(async () => {
  process.on("unhandledRejection", onEscape);
  process.on("uncaughtException", onEscape);
  const port = await freePort();
  const server = await startSesServer(port);
  base = `http://127.0.0.1:${port}`;
  close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
});

afterAll(async () => {
  await close?.();
  process.off("unhandledRejection", onEscape);
  process.off("uncaughtException", onEscape);
});

describe("local SES", () => {
  it.each([
    "/get-emlContent?messageId=no-such-message",
    "/get-emlContent",
    "/get-emlContent?messageId=a&messageId=b",
    "/store?since=yesterday",
  ])("answers GET %s with 400, once, and keeps serving", async (path) => {
    const response = await fetch(`${base}${path}`);
    // Let a rejection from the package's promise chain surface, if there is one.
    await new Promise((r) => setTimeout(r, 100));

    expect(response.status).toBe(400);
    expect(escaped.map(String)).toEqual([]);
    expect((await fetch(`${base}/health-check`)).status).toBe(200);
  });

  it("still stores and serves sent mail", async () => {
    const response = await fetch(`${base}/store`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ emails: expect.any(Array) });
  });
});
