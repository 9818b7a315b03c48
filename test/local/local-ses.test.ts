/**
 * The local SES behind its guard: hostile requests are answered and never end the process, and
 * sent mail kept in a data folder survives a restart. Real aws-ses-v2-local, real SES client.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SESClient, SendEmailCommand } from "@aws-sdk/client-ses";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../local/free-port.js";
import { startLocalSes } from "../../local/local-ses.js";

const dir = mkdtempSync(join(tmpdir(), "local-ses-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function send(endpoint: string, subject: string) {
  const client = new SESClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  await client.send(
    new SendEmailCommand({
      Source: "reminders@csp-transfers.example",
      Destination: { ToAddresses: ["partner@example.com"] },
      Message: { Subject: { Data: subject }, Body: { Text: { Data: "body" } } },
    }),
  );
  client.destroy();
}

async function subjects(endpoint: string): Promise<string[]> {
  const response = await fetch(`${endpoint}/store`);
  const { emails } = (await response.json()) as { emails: { subject: string }[] };
  return emails.map((e) => e.subject);
}

describe("the local SES", () => {
  it("answers an unknown messageId with 404 instead of failing twice", async () => {
    const logged: string[] = [];
    const ses = await startLocalSes({
      port: await freePort(),
      dataDir: null,
      log: (l) => logged.push(l),
    });
    try {
      const response = await fetch(`${ses.endpoint}/get-emlContent?messageId=nope`);
      expect(response.status).toBe(404);
      expect(await subjects(ses.endpoint)).toBeInstanceOf(Array);
    } finally {
      await ses.stop();
    }
  });

  it("contains the library's own unhandled failure (its port reached directly)", async () => {
    const logged: string[] = [];
    const ses = await startLocalSes({
      port: await freePort(),
      dataDir: null,
      log: (l) => logged.push(l),
    });
    try {
      await fetch(`http://127.0.0.1:${ses.internalPort}/get-emlContent?messageId=nope`);
      await new Promise((r) => setTimeout(r, 200));
      expect(logged.join("\n")).toContain("contained an internal error");
      expect((await fetch(`${ses.endpoint}/store`)).status).toBe(200);
    } finally {
      await ses.stop();
    }
  });

  it("answers every hostile request and keeps serving", async () => {
    const ses = await startLocalSes({ port: await freePort(), dataDir: null });
    const requests = fc.sample(
      fc.record({
        method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH"),
        path: fc.constantFrom(
          "/",
          "/store",
          "/clear-store",
          "/get-emlContent",
          "/health-check",
          "/v2/email/outbound-emails",
          "/v2/email/outbound-bulk-emails",
          "/v2/email/templates",
          "/v2/email/templates/x",
          "/v2/email/templates/x/render",
          "/v2/email/account",
          "/nope",
        ),
        query: fc.constantFrom(
          "",
          "?messageId=nope",
          "?messageId=",
          "?messageId=a&messageId=b",
          "?since=abc",
          "?since=1&since=2",
          "?since=0",
        ),
        body: fc.oneof(
          fc.constant(""),
          fc.json({ maxDepth: 3 }),
          fc.constant("Action=Nope"),
          fc.constant("Action=SendEmail"),
          fc.constant('{"Content":{"Raw":{"Data":"!!!"}}}'),
          fc.string({ maxLength: 200 }),
        ),
        auth: fc.boolean(),
      }),
      { numRuns: 150, seed: 3 },
    );
    try {
      for (const r of requests) {
        const response = await fetch(`${ses.endpoint}${r.path}${r.query}`, {
          method: r.method,
          headers: {
            "content-type": r.body.startsWith("{")
              ? "application/json"
              : "application/x-www-form-urlencoded",
            ...(r.auth ? { authorization: "AWS4-HMAC-SHA256 Credential=local" } : {}),
          },
          ...(r.method === "GET" ? {} : { body: r.body }),
          signal: AbortSignal.timeout(20_000),
        });
        await response.arrayBuffer();
        expect(response.status).toBeGreaterThanOrEqual(200);
      }
      await new Promise((r) => setTimeout(r, 200));
      expect((await fetch(`${ses.endpoint}/store`)).status).toBe(200);
    } finally {
      await ses.stop();
    }
  });

  it("keeps sent mail in the data folder across a restart", async () => {
    const port = await freePort();
    const first = await startLocalSes({ port, dataDir: dir });
    await send(first.endpoint, "kept across restarts");
    await first.stop();

    const second = await startLocalSes({ port, dataDir: dir });
    try {
      expect(await subjects(second.endpoint)).toEqual(["kept across restarts"]);
    } finally {
      await second.stop();
    }
  });
});
