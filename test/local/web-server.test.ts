import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../local/free-port.js";
import { startWebServer } from "../../local/web-server.js";
import { json, type WebRoute } from "../../shared/http/routes.js";

const routes: WebRoute[] = [
  {
    method: "GET",
    pattern: "/things/:a/:b",
    handle: async (request) => json(200, { params: request.params }),
  },
  {
    method: "POST",
    pattern: "/echo",
    maxBodyBytes: 16,
    handle: async (request) => json(200, { bytes: request.body.length }),
  },
  {
    method: "GET",
    pattern: "/boom",
    handle: async () => {
      throw new Error("secret detail");
    },
  },
];

let server: Server;
let base: string;
const logged: string[] = [];

beforeAll(async () => {
  const port = await freePort();
  server = await startWebServer({ port, routes, log: (line) => logged.push(line) });
  base = `http://127.0.0.1:${port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("the local web server", () => {
  it("decodes path parameters", async () => {
    const response = await fetch(`${base}/things/a%23b/c%20d`);
    expect(await response.json()).toEqual({ params: { a: "a#b", b: "c d" } });
  });

  it.each([
    ["a path that does not decode", "/things/%E0%A4%A/x", 400],
    ["an unknown path", "/nothing", 404],
    ["a wrong method", "/echo", 405],
    ["a path that looks like another host", "//evil.example/things/a/b", 404],
  ])("answers %s with its status and a JSON error", async (_name, path, status) => {
    const response = await fetch(`${base}${path}`);
    expect(response.status).toBe(status);
    expect(typeof ((await response.json()) as { error: unknown }).error).toBe("string");
  });

  it("answers 413 to a body over the route's limit and takes one within it", async () => {
    const big = await fetch(`${base}/echo`, { method: "POST", body: "x".repeat(17) });
    expect(big.status).toBe(413);
    const small = await fetch(`${base}/echo`, { method: "POST", body: "x".repeat(16) });
    expect(await small.json()).toEqual({ bytes: 16 });
  });

  it("answers 500 without the reason when a route throws, and logs it", async () => {
    const response = await fetch(`${base}/boom`);
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain("secret detail");
    expect(logged.join("\n")).toContain("secret detail");
  });

  it("answers HEAD on a GET route like GET, without the body", async () => {
    const get = await fetch(`${base}/things/a/b`);
    const getBody = await get.text();
    const head = await fetch(`${base}/things/a/b`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe(get.headers.get("content-type"));
    expect(head.headers.get("content-length")).toBe(String(Buffer.byteLength(getBody)));
    expect(await head.text()).toBe("");
    const unknown = await fetch(`${base}/nothing`, { method: "HEAD" });
    expect(unknown.status).toBe(404);
  });

  it("names HEAD beside GET in a 405's Allow, and answers HEAD on a POST-only route 405", async () => {
    const post = await fetch(`${base}/things/a/b`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    const head = await fetch(`${base}/echo`, { method: "HEAD" });
    expect(head.status).toBe(405);
    expect(head.headers.get("allow")).toBe("POST");
  });
});
