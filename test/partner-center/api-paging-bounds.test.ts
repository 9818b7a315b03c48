/**
 * Partner Center's lists are followed to their end through `links.next` and its continuation
 * token, bounded (at most MAX_LIST_PAGES, never off the API's origin), and every answer from
 * outside is read through the bounded reader: a body that never ends is an error for that
 * request, retried like a 5xx, with the process's memory staying flat. Against the fake Partner
 * Center (a loopback server that pages and can stream an endless body).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakePartnerCenter } from "../../local/fakes/partner-center/server.js";
import { MAX_LIST_PAGES, PartnerCenterClient } from "../../shared/partner-center/api-client.js";
import { PartnerCenterError } from "../../shared/partner-center/api-errors.js";
import { TokenProvider } from "../../shared/partner-center/token-provider.js";

let fake: FakePartnerCenter;
const PAGED = "6c5d4e3f-2a1b-4c0d-9e8f-7a6b5c4d3e2f";
const LONG = "7d6e5f4a-3b2c-4d1e-8f9a-0b1c2d3e4f5a";

beforeAll(async () => {
  fake = await new FakePartnerCenter({ pageSize: 2 }).start();
  fake.addCustomer({ id: PAGED, companyName: "Paged Ltd", country: "GB" });
  for (let i = 0; i < 5; i++) fake.addSubscription(PAGED, { offerId: `offer-${i}` });
  fake.addCustomer({ id: LONG, companyName: "Long Ltd", country: "GB" });
  for (let i = 0; i < 2 * MAX_LIST_PAGES + 1; i++) fake.addSubscription(LONG, { offerId: "o" });
});
afterAll(async () => {
  await fake?.stop();
});

const tokens = () =>
  new TokenProvider({
    tokenUrl: fake.tokenUrl,
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
  });
const client = (attempts = 4) =>
  new PartnerCenterClient({ apiUrl: fake.url }, tokens(), { sleep: async () => {}, attempts });

describe("paged subscription lists", () => {
  it("follows links.next with its continuation token to the last page", async () => {
    const before = fake.apiLog.length;
    const items = await client().listSubscriptions(PAGED);
    expect(items?.map((s) => s.offerId)).toEqual([
      "offer-0",
      "offer-1",
      "offer-2",
      "offer-3",
      "offer-4",
    ]);
    expect(fake.apiLog.slice(before)).toEqual(
      Array(3).fill(`/v1/customers/${PAGED}/subscriptions`),
    );
  });

  it(`stops after ${MAX_LIST_PAGES} pages instead of following without end`, async () => {
    const c = client();
    const error = await c.listSubscriptions(LONG).catch((e: unknown) => e);
    expect(error).toMatchObject({
      retryable: false,
      message: expect.stringMatching(/more than 50 pages/),
    });
    expect(c.requests).toBe(MAX_LIST_PAGES);
  });

  it("never follows a next link off the API's origin", async () => {
    const list = (uri: string) =>
      JSON.stringify({
        totalCount: 0,
        items: [],
        links: {
          next: { uri, method: "GET", headers: [{ key: "MS-ContinuationToken", value: "x" }] },
        },
      });
    for (const uri of ["http://169.254.169.254/latest/meta-data", "//evil.example/customers/x"]) {
      fake.fail(new RegExp(`/v1/customers/${PAGED}/subscriptions`), {
        kind: "body",
        body: list(uri),
      });
      const error = await client()
        .listSubscriptions(PAGED)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PartnerCenterError);
      expect(error).toMatchObject({
        retryable: false,
        message: expect.stringMatching(/leaves the API/),
      });
    }
  });
});

describe("bounded bodies", () => {
  it("an endless API answer is an error for that request, retried like a 5xx, memory flat", async () => {
    const c = client(3);
    const offered = fake.endlessBytes;
    const rssBefore = process.memoryUsage().rss;
    fake.fail(/\/v1\/customers\/[^/]+$/, { kind: "endless" }, 3);
    const error = await c.getCustomer(PAGED).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartnerCenterError);
    expect(error).toMatchObject({
      retryable: true,
      message: expect.stringMatching(/larger than 1048576 bytes \(after 3 attempts\)/),
    });
    expect(c.requests).toBe(3);
    // The server offered more than the bound each time; the client kept none of it.
    expect(fake.endlessBytes - offered).toBeGreaterThan(3 * 1024 * 1024);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it("a page of a list may be larger than a resource, up to 8 MiB", async () => {
    const c = client(2);
    fake.fail(new RegExp(`/v1/customers/${PAGED}/subscriptions`), { kind: "endless" }, 2);
    const error = await c.listSubscriptions(PAGED).catch((e: unknown) => e);
    expect(error).toMatchObject({
      retryable: true,
      message: expect.stringMatching(/larger than 8388608 bytes/),
    });
  });

  it("an endless token answer is a retryable error, not a process that grows", async () => {
    const t = tokens();
    fake.fail(/oauth2\/v2\.0\/token/, { kind: "endless" });
    const error = await t.token().catch((e: unknown) => e);
    expect(error).toMatchObject({
      retryable: true,
      message: expect.stringMatching(/larger than 1048576/),
    });
    expect(await t.token()).toMatch(/^fake-/);
  });
});
