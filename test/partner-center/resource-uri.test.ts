/** ResourceUri: the customer and subscription ids, or a refusal for any other host or path trick. */
import { describe, expect, it } from "vitest";
import { parseResourceUri } from "../../shared/partner-center/resource-uri.js";

const API = "https://api.partnercenter.microsoft.com";
const C = "4b3e2d1c-0a9b-4c8d-8e7f-6a5b4c3d2e1f";
const S = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";

describe("parseResourceUri", () => {
  it.each([
    [`${API}/v1/customers/${C}`, { kind: "customer", customerId: C }],
    [
      `http://api.partnercenter.microsoft.com/v1/customers/${C}`,
      { kind: "customer", customerId: C },
    ],
    [
      `${API}/v1/customers/${C}/subscriptions/${S}`,
      { kind: "subscription", customerId: C, subscriptionId: S },
    ],
  ])("reads %s", (uri, expected) => {
    expect(parseResourceUri(uri, API)).toEqual(expected);
  });

  it.each([
    ["another host", `https://evil.example/v1/customers/${C}`],
    ["a look-alike host", `https://api.partnercenter.microsoft.com.evil.example/v1/customers/${C}`],
    ["credentials", `https://x@api.partnercenter.microsoft.com/v1/customers/${C}`],
    ["another port", `https://api.partnercenter.microsoft.com:8443/v1/customers/${C}`],
    ["dot segments", `${API}/v1/customers/other/../${C}`],
    ["encoded dot segments", `${API}/v1/customers/%2e%2e/${C}`],
    ["an encoded slash", `${API}/v1/customers/${C}%2Fsubscriptions%2F${S}`],
    ["a backslash", `${API}/v1/customers\\${C}`],
    ["a query", `${API}/v1/customers/${C}?filter=x`],
    ["a fragment", `${API}/v1/customers/${C}#x`],
    ["a trailing slash", `${API}/v1/customers/${C}/`],
    ["another resource", `${API}/v1/customers/${C}/orders/1`],
    ["another scheme", `ftp://api.partnercenter.microsoft.com/v1/customers/${C}`],
    ["no URL", "customers/x"],
  ])("refuses %s", (_label, uri) => {
    expect(() => parseResourceUri(uri, API)).toThrow(/ResourceUri/);
  });
});
