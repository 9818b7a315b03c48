/**
 * Closed to other sites (SPEC section 6): every local endpoint (events, local SES, web app)
 * answers a foreign Host (DNS rebinding) or a foreign Origin (a cross-site form post) with 403 and
 * nothing else — nothing served, nothing accepted, no kept mail emptied — while the CLI's and the
 * SDK's requests (Host 127.0.0.1:port, no Origin) keep working, and the signed webhook path stays
 * reachable through a tunnel's own Host. Real runtime: real events endpoint, SES guard, web server.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SESClient, SendEmailCommand } from "@aws-sdk/client-ses";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../../local/free-port.js";
import { isLoopbackHost, isOwnOrigin } from "../../local/loopback-guard.js";
import { startWebServer } from "../../local/web-server.js";
import { json } from "../../shared/http/routes.js";
import { WEBHOOK_PATH } from "../../shared/partner-center/webhook-route.js";
import { cliJson } from "../e2e/helpers.js";
import { invitationSent, newTransferKey } from "../support/events.js";
import { startWebRuntime, type WebRuntime } from "../web/runtime.js";

type Answer = { status: number; body: string };

/** The whole of a refusal: a reason, nothing of what the endpoint serves. */
const FORBIDDEN = { message: expect.stringMatching(/^forbidden: /) };

/** A raw request, so the Host and Origin headers are exactly what a browser page could send. */
function send(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: options.method ?? "GET",
        path: options.path,
        headers: options.headers ?? {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
      },
    );
    req.on("error", reject);
    req.end(options.body ?? "");
  });
}

const FOREIGN_HOSTS = [
  "attacker.example",
  "attacker.example:4020",
  "127.0.0.1.attacker.example",
  "localhost.attacker.example:80",
  "localhost.",
  "0.0.0.0",
  "[::ffff:127.0.0.1]",
];

describe("what counts as loopback", () => {
  it.each(["127.0.0.1", "127.0.0.1:4020", "localhost", "LOCALHOST:8005", "[::1]", "[::1]:4010"])(
    "Host %s is served",
    (host) => {
      expect(isLoopbackHost(host)).toBe(true);
    },
  );

  it.each([...FOREIGN_HOSTS, "", "127.0.0.1:4020:1", "[::1"])("Host %j is refused", (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });

  it("accepts no Origin or the server's own loopback origin, nothing else", () => {
    expect(isOwnOrigin(undefined, 8005)).toBe(true);
    expect(isOwnOrigin("http://127.0.0.1:8005", 8005)).toBe(true);
    expect(isOwnOrigin("http://localhost:8005", 8005)).toBe(true);
    expect(isOwnOrigin("http://[::1]:8005", 8005)).toBe(true);
    for (const origin of [
      "https://attacker.example",
      "http://127.0.0.1:3000",
      "http://127.0.0.1",
      "https://127.0.0.1:8005",
      "null",
      "http://127.0.0.1:8005/path",
      "",
    ]) {
      expect(isOwnOrigin(origin, 8005), origin).toBe(false);
    }
  });
});

// The mail one step keeps is what later steps check stays: in order even when the run shuffles tests.
describe("every local endpoint of a running runtime", { shuffle: false }, () => {
  let web: WebRuntime;
  const dataDir = mkdtempSync(join(tmpdir(), "loopback-guard-"));
  const mailFile = join(dataDir, "sent-mail.json");
  let calendarPath: string;

  beforeAll(async () => {
    web = await startWebRuntime(inject("dynamoEndpoint"), { dataDir });
    const ses = new SESClient({
      endpoint: `http://127.0.0.1:${web.ports.ses}`,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    await ses.send(
      new SendEmailCommand({
        Source: "reminders@csp-transfers.example",
        Destination: { ToAddresses: ["partner@example.com"] },
        Message: { Subject: { Data: "kept" }, Body: { Text: { Data: "body" } } },
      }),
    );
    ses.destroy();
    const { url } = await cliJson<{ url: string }>(["calendar-url", "--partner", "p-1"], web.env);
    calendarPath = url.slice(web.web.length);
  });

  afterAll(async () => {
    await web?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const kept = async () => {
    const answer = await send(web.ports.ses, { path: "/store" });
    return (JSON.parse(answer.body) as { emails: { subject: string }[] }).emails.length;
  };
  const stats = async () =>
    JSON.parse((await send(web.ports.events, { path: "/_local/stats" })).body) as {
      delivered: number;
      deadLettered: number;
      pending: number;
    };

  it.each(FOREIGN_HOSTS)("refuses Host %s on the events port and accepts nothing", async (host) => {
    const before = await stats();
    const put = await send(web.ports.events, {
      method: "POST",
      path: "/",
      headers: {
        host,
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AWSEvents.PutEvents",
      },
      body: JSON.stringify({
        Entries: [
          {
            Source: "csp.transfers",
            DetailType: "Invitation Sent",
            Detail: JSON.stringify(invitationSent(newTransferKey("guard")).detail),
          },
        ],
      }),
    });
    expect(put.status).toBe(403);
    expect(JSON.parse(put.body)).toEqual(FORBIDDEN);
    const drain = await send(web.ports.events, {
      method: "POST",
      path: "/_local/drain",
      headers: { host },
    });
    expect(drain.status).toBe(403);
    expect(await stats()).toEqual(before);
  });

  it.each(FOREIGN_HOSTS)("refuses Host %s on the local SES and shows no mail", async (host) => {
    const store = await send(web.ports.ses, { path: "/store", headers: { host } });
    expect(store.status).toBe(403);
    expect(JSON.parse(store.body)).toEqual(FORBIDDEN);
    const page = await send(web.ports.ses, { path: "/", headers: { host } });
    expect(page.status).toBe(403);
    const clear = await send(web.ports.ses, {
      method: "POST",
      path: "/clear-store",
      headers: { host },
    });
    expect(clear.status).toBe(403);
    expect(await kept()).toBe(1);
  });

  it.each(FOREIGN_HOSTS)(
    "refuses Host %s on the web app: no page, API or calendar",
    async (host) => {
      for (const path of [
        "/",
        "/api/transfers",
        "/due",
        calendarPath,
        "/assets/app.js",
        "/_local/calendar-url?partner=p-1",
      ]) {
        const answer = await send(web.ports.web, { path, headers: { host } });
        expect(answer.status, path).toBe(403);
        expect(JSON.parse(answer.body), path).toEqual(FORBIDDEN);
      }
    },
  );

  it("refuses a cross-site form post to /clear-store: the kept mail and its file stay", async () => {
    const fileBefore = readFileSync(mailFile, "utf8");
    for (const origin of ["https://attacker.example", "null", "http://127.0.0.1:1"]) {
      const clear = await send(web.ports.ses, {
        method: "POST",
        path: "/clear-store",
        headers: {
          origin,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: "x=1",
      });
      expect(clear.status).toBe(403);
    }
    expect(await kept()).toBe(1);
    expect(readFileSync(mailFile, "utf8")).toBe(fileBefore);
  });

  it("refuses a foreign Origin on the events and web ports too", async () => {
    const origin = "https://attacker.example";
    const drain = await send(web.ports.events, {
      method: "POST",
      path: "/_local/drain",
      headers: { origin },
    });
    expect(drain.status).toBe(403);
    const api = await send(web.ports.web, { path: "/api/transfers", headers: { origin } });
    expect(api.status).toBe(403);
    expect(JSON.parse(api.body)).toEqual(FORBIDDEN);
  });

  it("serves the product's own requests: loopback Host, own Origin, the SDK and the CLI", async () => {
    for (const host of ["127.0.0.1", "localhost", "[::1]"]) {
      const port = web.ports.web;
      const api = await send(port, {
        path: "/api/transfers",
        headers: { host: `${host}:${port}` },
      });
      expect(api.status, host).toBe(200);
    }
    expect(await cliJson<unknown[]>(["list"], web.env)).toBeInstanceOf(Array);
    const ownOrigin = `http://localhost:${web.ports.ses}`;
    const clear = await send(web.ports.ses, {
      method: "POST",
      path: "/clear-store",
      headers: { origin: ownOrigin, host: `localhost:${web.ports.ses}` },
    });
    expect(clear.status).toBe(200);
    expect(await kept()).toBe(0);
    expect(existsSync(mailFile)).toBe(true);
  });
});

describe("the signed webhook path", () => {
  let server: Server;
  let port: number;
  const reached: string[] = [];

  beforeAll(async () => {
    port = await freePort();
    server = await startWebServer({
      port,
      routes: [
        {
          method: "POST",
          pattern: WEBHOOK_PATH,
          handle: async (request) => {
            reached.push(request.headers.host ?? "");
            return json(401, { error: "signature checked by the route" });
          },
        },
        { method: "GET", pattern: "/api/transfers", handle: async () => json(200, []) },
      ],
    });
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("is reached through a tunnel's own Host (its signature is its authentication)", async () => {
    const tunnel = "abc123.tunnel.example";
    const answer = await send(port, {
      method: "POST",
      path: WEBHOOK_PATH,
      headers: { host: tunnel, "content-type": "application/json" },
      body: "{}",
    });
    expect(answer.status).toBe(401);
    expect(reached).toEqual([tunnel]);
    const other = await send(port, { path: "/api/transfers", headers: { host: tunnel } });
    expect(other.status).toBe(403);
  });
});
