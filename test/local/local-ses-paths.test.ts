/**
 * Paths that are not URLs to the guard of the local SES (`//`, `//?x`, found by the fuzz run)
 * are a client's mistake: 400, not a 500 from the guard.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestBytes, sendRaw } from "../../bench/fuzz/http-client.js";
import { freePort } from "../../local/free-port.js";
import { type LocalSes, startLocalSes } from "../../local/local-ses.js";

let ses: LocalSes;
let port: number;

beforeAll(async () => {
  port = await freePort();
  ses = await startLocalSes({ port, dataDir: null });
});

afterAll(async () => {
  await ses?.stop();
});

describe("the local SES guard", () => {
  it.each(["//", "//?", "//?a=b"])("answers %s with 400", async (path) => {
    for (const method of ["GET", "POST"]) {
      const answer = await sendRaw(port, requestBytes({ method, path, headers: {} }, port), 5_000);

      expect(answer).toMatchObject({ kind: "answered", status: 400 });
    }
    expect((await fetch(`${ses.endpoint}/health-check`)).status).toBe(200);
  });
});
