/**
 * The API client and its token against the fake Partner Center: the app-only token is reused until
 * it nearly expires, refused credentials are not retried, a 401 from the API gets one fresh token,
 * and failures are sorted into retryable and not.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakePartnerCenter } from "../../local/fakes/partner-center/server.js";
import { PartnerCenterClient } from "../../shared/partner-center/api-client.js";
import { PartnerCenterError } from "../../shared/partner-center/api-errors.js";
import { TokenProvider } from "../../shared/partner-center/token-provider.js";

let fake: FakePartnerCenter;
const CUSTOMER = "4b3e2d1c-0a9b-4c8d-8e7f-6a5b4c3d2e1f";

beforeAll(async () => {
  fake = await new FakePartnerCenter().start();
  fake.addCustomer({ id: CUSTOMER, companyName: "Fabrikam", country: "GB" });
});
afterAll(async () => {
  await fake?.stop();
});

const settings = () => ({
  tokenUrl: fake.tokenUrl,
  clientId: fake.clientId,
  clientSecret: fake.clientSecret,
});
const noSleep = { sleep: async () => {} };

describe("TokenProvider", () => {
  it("reuses the token until a minute before it expires", async () => {
    let now = 1_000_000;
    const tokens = new TokenProvider(settings(), { now: () => now });
    const first = await tokens.token();
    now += 3_500_000; // 58 min 20 s later: still valid (3599 s minus the minute's margin)
    expect(await tokens.token()).toBe(first);
    now += 60_000;
    expect(await tokens.token()).not.toBe(first);
    expect(tokens.requests).toBe(2);
  });

  it("asks once for concurrent callers", async () => {
    const tokens = new TokenProvider(settings());
    const all = await Promise.all([tokens.token(), tokens.token(), tokens.token()]);
    expect(new Set(all).size).toBe(1);
    expect(tokens.requests).toBe(1);
  });

  it("refused client credentials are not retryable; a 503 is", async () => {
    const wrong = new TokenProvider({ ...settings(), clientSecret: "wrong" });
    await expect(wrong.token()).rejects.toMatchObject({
      retryable: false,
      message: expect.stringMatching(/refused the client credentials \(401: invalid_client\)/),
    });
    fake.fail(/oauth2/, { kind: "status", status: 503 });
    await expect(new TokenProvider(settings()).token()).rejects.toMatchObject({ retryable: true });
  });
});

describe("PartnerCenterClient", () => {
  it("reads a customer, and null for an unknown one (404)", async () => {
    const client = new PartnerCenterClient({ apiUrl: fake.url }, new TokenProvider(settings()));
    expect(await client.getCustomer(CUSTOMER)).toMatchObject({
      id: CUSTOMER,
      companyProfile: { companyName: "Fabrikam" },
    });
    expect(await client.getCustomer("5b3e2d1c-0a9b-4c8d-8e7f-6a5b4c3d2e1f")).toBeNull();
  });

  it("gets a fresh token once when the API refuses the cached one", async () => {
    const tokens = new TokenProvider(settings());
    const client = new PartnerCenterClient({ apiUrl: fake.url }, tokens, noSleep);
    await client.getCustomer(CUSTOMER);
    fake.fail(/\/v1\/customers\//, { kind: "status", status: 401 });
    expect(await client.getCustomer(CUSTOMER)).not.toBeNull();
    expect(tokens.requests).toBe(2);
    fake.fail(/\/v1\/customers\//, { kind: "status", status: 401 }, 2);
    await expect(client.getCustomer(CUSTOMER)).rejects.toMatchObject({
      retryable: false,
      status: 401,
    });
  });

  it("retries 429/5xx/timeouts, then reports a retryable failure", async () => {
    const client = new PartnerCenterClient({ apiUrl: fake.url }, new TokenProvider(settings()), {
      ...noSleep,
      timeoutMs: 200,
    });
    fake.fail(/\/v1\/customers\//, { kind: "hang" });
    fake.fail(/\/v1\/customers\//, { kind: "status", status: 429, retryAfter: 1 });
    expect(await client.getCustomer(CUSTOMER)).not.toBeNull();
    fake.fail(/\/v1\/customers\//, { kind: "status", status: 502 }, 4);
    const error = await client.getCustomer(CUSTOMER).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartnerCenterError);
    expect(error).toMatchObject({
      retryable: true,
      message: expect.stringMatching(/502 \(after 4 attempts\)/),
    });
  });

  it("asks for the relationship request link", async () => {
    const client = new PartnerCenterClient({ apiUrl: fake.url }, new TokenProvider(settings()));
    expect(await client.relationshipRequestUrl()).toMatch(/^https:\/\/admin\.microsoft\.com\//);
  });
});
