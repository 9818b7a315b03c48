/** The connector's PARTNER_CENTER_* settings: off unless configured, partial setups refused. */
import { describe, expect, it } from "vitest";
import { readConnectorConfig } from "../../shared/partner-center/config.js";

describe("readConnectorConfig", () => {
  it("is off with no client credentials, with the documented defaults for the receiver", () => {
    const config = readConnectorConfig({});
    expect(config.enabled).toBe(false);
    expect(config.receiver).toEqual({
      certificateHosts: ["3psostorageacct.blob.core.windows.net"],
      caIssuerHosts: ["www.microsoft.com", "cacerts.digicert.com"],
      trustedCaFile: null,
      extraRootsPem: "",
    });
  });

  it("PARTNER_CENTER_CA_ISSUER_HOSTS replaces the CA-issuer hosts", () => {
    const config = readConnectorConfig({
      PARTNER_CENTER_CA_ISSUER_HOSTS: "127.0.0.1:9000, PKI.Example.com",
    });
    expect(config.receiver.caIssuerHosts).toEqual(["127.0.0.1:9000", "pki.example.com"]);
  });

  it("is on with partner id, client id and secret; API and token URL default to Microsoft's", () => {
    const config = readConnectorConfig({
      PARTNER_CENTER_PARTNER_ID: "tenant-1",
      PARTNER_CENTER_PARTNER_COUNTRY: "gb",
      PARTNER_CENTER_CLIENT_ID: "app",
      PARTNER_CENTER_CLIENT_SECRET: "secret",
      PARTNER_CENTER_CERT_HOSTS: "127.0.0.1:4567, Example.COM",
    });
    expect(config).toMatchObject({
      enabled: true,
      partnerId: "tenant-1",
      partnerCountry: "GB",
      receiver: { certificateHosts: ["127.0.0.1:4567", "example.com"] },
      api: {
        apiUrl: "https://api.partnercenter.microsoft.com",
        tokenUrl: "https://login.microsoftonline.com/tenant-1/oauth2/v2.0/token",
      },
    });
  });

  it.each([
    [
      { PARTNER_CENTER_CLIENT_ID: "app" },
      /partly configured: set PARTNER_CENTER_PARTNER_ID, PARTNER_CENTER_CLIENT_SECRET/,
    ],
    [{ PARTNER_CENTER_CERT_HOSTS: "https://x/" }, /PARTNER_CENTER_CERT_HOSTS/],
    [
      { PARTNER_CENTER_CA_ISSUER_HOSTS: "http://www.microsoft.com" },
      /PARTNER_CENTER_CA_ISSUER_HOSTS/,
    ],
    [{ PARTNER_CENTER_PARTNER_COUNTRY: "XX" }, /PARTNER_CENTER_PARTNER_COUNTRY/],
    [
      {
        PARTNER_CENTER_PARTNER_ID: "t",
        PARTNER_CENTER_CLIENT_ID: "a",
        PARTNER_CENTER_CLIENT_SECRET: "s",
        PARTNER_CENTER_API_URL: "ftp://x",
      },
      /PARTNER_CENTER_API_URL/,
    ],
  ])("refuses %j with one line", (env, message) => {
    expect(() => readConnectorConfig(env)).toThrow(message);
  });
});
