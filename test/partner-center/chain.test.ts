/**
 * Completing the signing certificate's chain from its AIA "CA Issuers" URL, as Microsoft's chain
 * needs (a lone DER leaf under an issuing CA), and every bad case of the issue: each is a 401
 * through the webhook route with the reason logged, nothing forwarded, and nothing fetched from
 * a host that is not an allowed CA-issuer host (a canary host counts any request it gets).
 * Chains are made here with openssl: root → issuing CA → leaf with an AIA extension.
 */
import type { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeCaIssuer } from "../../local/fakes/partner-center/ca-issuer.js";
import { type KeyPair, TestAuthority } from "../../local/fakes/partner-center/certificates.js";
import { FakePartnerCenter } from "../../local/fakes/partner-center/server.js";
import { signNotification } from "../../local/fakes/partner-center/sign.js";
import { CaIssuerSource, refuseCaIssuerUrl } from "../../shared/partner-center/ca-issuers.js";
import { CertificateSource } from "../../shared/partner-center/certificate-source.js";
import { loadTrustAnchors } from "../../shared/partner-center/certificates.js";
import { partnerCenterWebhookRoute } from "../../shared/partner-center/webhook-route.js";
import { WebhookVerifier } from "../../shared/partner-center/webhook-verifier.js";

let authority: TestAuthority;
let fake: FakePartnerCenter;
/** The allowed CA-issuer host. */
let issuers: FakeCaIssuer;
/** A host that is not allowed: any request it gets is a failure. */
let canary: FakeCaIssuer;
let anchors: X509Certificate[];

beforeAll(async () => {
  authority = TestAuthority.create();
  fake = await new FakePartnerCenter().start();
  issuers = fake.caIssuer;
  canary = await new FakeCaIssuer().start();
  anchors = loadTrustAnchors(authority.writeRoot());
}, 120_000);

afterAll(async () => {
  await fake?.stop();
  await canary?.stop();
  authority?.dispose();
});

const BODY = JSON.stringify({
  EventName: "test-created",
  ResourceUri:
    "https://api.partnercenter.microsoft.com/webhooks/v1/registration/validationEvents/1",
  ResourceName: "test",
  AuditUri: null,
  ResourceChangeUtcDate: "2026-11-16T16:19:06.3520276+00:00",
});

let serial = 0;
const unique = (label: string) => `${label}-${++serial}`;

/** Serves `leaf` alone (DER) at a certificate URL and posts a notification it signed. */
async function post(leaf: KeyPair) {
  const caIssuers = new CaIssuerSource({ allowedHosts: [issuers.host] });
  const source = new CertificateSource({ anchors, caIssuers });
  const forwarded: unknown[] = [];
  const logged: Record<string, unknown>[] = [];
  const route = partnerCenterWebhookRoute({
    verifier: new WebhookVerifier({
      urlPolicy: { allowedHosts: [fake.host], allowHttpLoopback: true },
      certificates: source,
    }),
    forward: async (n) => {
      forwarded.push(n);
    },
    log: (_level, _message, fields) => {
      logged.push(fields);
    },
  });
  const url = fake.putCertificate(`${unique("leaf")}.cer`, leaf.certDer);
  const request = signNotification(BODY, leaf, url);
  const answer = await route.handle({
    method: "POST",
    url: new URL("http://127.0.0.1/partner-center/webhook"),
    headers: request.headers,
    body: request.body,
    params: {},
  });
  return { status: answer.status, forwarded, logged, caIssuers, source, url };
}

/** An issuing CA under the root, served at its own URL on `host`; a leaf naming that URL. */
function issuingCa(options: Parameters<TestAuthority["issue"]>[0] = {}, host = issuers) {
  const ca = authority.issue({ ca: true, commonName: unique("Issuing CA"), ...options });
  const url = host.put(`${unique("ca")}.crt`, ca.certDer);
  return { ca, url };
}

describe("a Microsoft-shaped chain: the leaf alone, its issuer at its AIA URL", () => {
  it("verifies, fetching the issuing CA once for any number of notifications", async () => {
    const { signer, issuerUrl } = fake.microsoftShapedCertificate(authority);
    const before = issuers.hitsOf(issuerUrl);
    const caIssuers = new CaIssuerSource({ allowedHosts: [issuers.host] });
    const source = new CertificateSource({ anchors, caIssuers });
    const verifier = new WebhookVerifier({
      urlPolicy: { allowedHosts: [fake.host], allowHttpLoopback: true },
      certificates: source,
    });
    const url = fake.putCertificate(`${unique("ms")}.cer`, signer.certDer);
    for (let i = 0; i < 5; i++) {
      const r = signNotification(BODY.replace("test-created", `test-created-${i}`), signer, url);
      expect((await verifier.verify(r.headers, r.body)).ok).toBe(true);
    }
    expect(caIssuers.fetches).toBe(1);
    expect(source.fetches).toBe(1);
    expect(issuers.hitsOf(issuerUrl) - before).toBe(1);
  });

  it("without an allowed CA-issuer host the same chain is refused, nothing fetched", async () => {
    const { signer } = fake.microsoftShapedCertificate(authority);
    const before = issuers.totalHits;
    const source = new CertificateSource({
      anchors,
      caIssuers: new CaIssuerSource({ allowedHosts: ["www.microsoft.com"] }),
    });
    const verifier = new WebhookVerifier({
      urlPolicy: { allowedHosts: [fake.host], allowHttpLoopback: true },
      certificates: source,
    });
    const url = fake.putCertificate(`${unique("ms")}.cer`, signer.certDer);
    const r = signNotification(BODY, signer, url);
    expect(await verifier.verify(r.headers, r.body)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not an allowed CA-issuer host/),
    });
    expect(issuers.totalHits - before).toBe(0);
  });
});

describe("bad chains: 401, reason logged, nothing forwarded, nothing fetched off the allowed hosts", () => {
  /** `noFetch`: refused before any request to any host. */
  type Case = { name: string; leaf: () => KeyPair; reason: RegExp; noFetch?: boolean };
  const cases: Case[] = [
    {
      name: "an AIA URL on a host that is not allowed",
      leaf: () => {
        const { ca, url } = issuingCa({}, canary);
        return authority.issue({ caIssuersUrl: url.replace("127.0.0.1", "localhost") }, ca);
      },
      reason: /host localhost:\d+ is not an allowed CA-issuer host/,
      noFetch: true,
    },
    {
      name: "an AIA URL naming the allowed port under another host name",
      leaf: () => {
        const { ca, url } = issuingCa();
        return authority.issue({ caIssuersUrl: url.replace("127.0.0.1", "localhost") }, ca);
      },
      reason: /host localhost:\d+ is not an allowed CA-issuer host/,
      noFetch: true,
    },
    {
      name: "an AIA URL with userinfo",
      leaf: () => {
        const { ca, url } = issuingCa();
        return authority.issue({ caIssuersUrl: url.replace("http://", "http://user:pw@") }, ca);
      },
      reason: /credentials/,
      noFetch: true,
    },
    {
      name: "an AIA URL on the allowed host name with a port that is not allowed",
      leaf: () => {
        const { ca } = issuingCa();
        const url = canary.put(`${unique("port")}.crt`, ca.certDer);
        return authority.issue({ caIssuersUrl: url }, ca);
      },
      reason: /host 127\.0\.0\.1:\d+ is not an allowed CA-issuer host/,
      noFetch: true,
    },
    {
      name: "an AIA URL that redirects (to the canary)",
      leaf: () => {
        const { ca } = issuingCa();
        const target = canary.put(`${unique("target")}.crt`, ca.certDer);
        const url = issuers.redirect(`${unique("redirect")}.crt`, target);
        return authority.issue({ caIssuersUrl: url }, ca);
      },
      reason: /answered 302 \(a redirect, not followed\)/,
    },
    {
      name: "an AIA URL that serves an endless body (20 MB and more)",
      leaf: () => {
        const { ca } = issuingCa();
        return authority.issue({ caIssuersUrl: issuers.endless(`${unique("big")}.crt`) }, ca);
      },
      reason: /larger than 16384 bytes/,
    },
    {
      name: "a loop: A issued by B issued by A",
      leaf: () => {
        const nameA = unique("Loop A");
        const nameB = unique("Loop B");
        const urlA = issuers.urlFor(`${nameA}.crt`);
        const urlB = issuers.urlFor(`${nameB}.crt`);
        const b0 = authority.issue({ ca: true, commonName: nameB });
        const a = authority.issue({ ca: true, commonName: nameA, caIssuersUrl: urlB }, b0);
        const b = authority.issue(
          { ca: true, commonName: nameB, keyPem: b0.keyPem, caIssuersUrl: urlA },
          a,
        );
        issuers.put(`${nameA}.crt`, a.certDer);
        issuers.put(`${nameB}.crt`, b.certDer);
        return authority.issue({ caIssuersUrl: urlA }, a);
      },
      reason: /the chain loops/,
    },
    {
      name: "a non-CA intermediate",
      leaf: () => {
        const notCa = authority.issue({ commonName: unique("Not a CA") });
        const url = issuers.put(`${unique("notca")}.crt`, notCa.certDer);
        return authority.issue({ caIssuersUrl: url }, notCa);
      },
      reason: /is not a CA/,
    },
    {
      name: "an intermediate without keyCertSign",
      leaf: () => {
        const { ca, url } = issuingCa({ caKeyUsage: "cRLSign" });
        return authority.issue({ caIssuersUrl: url }, ca);
      },
      reason: /no keyCertSign/,
    },
    {
      name: "an intermediate past its validity window",
      leaf: () => {
        const { ca, url } = issuingCa({
          notBefore: new Date("2020-01-01"),
          notAfter: new Date("2021-01-01"),
        });
        return authority.issue({ caIssuersUrl: url }, ca);
      },
      reason: /intermediate .* is outside its validity window/,
    },
    {
      name: "an intermediate not yet valid",
      leaf: () => {
        const { ca, url } = issuingCa({
          notBefore: new Date(Date.now() + 86_400_000),
          notAfter: new Date(Date.now() + 2 * 86_400_000),
        });
        return authority.issue({ caIssuersUrl: url }, ca);
      },
      reason: /outside its validity window/,
    },
    {
      name: "an intermediate whose path length forbids the leaf's issuer below it",
      leaf: () => {
        const upper = issuingCa({ pathLength: 0 });
        const lower = authority.issue(
          { ca: true, commonName: unique("Lower CA"), caIssuersUrl: upper.url },
          upper.ca,
        );
        const url = issuers.put(`${unique("lower")}.crt`, lower.certDer);
        return authority.issue({ caIssuersUrl: url }, lower);
      },
      reason: /path length 0, which forbids the 1 intermediate/,
    },
    {
      name: "a chain needing more than 3 fetched issuers",
      leaf: () => {
        let issuer = issuingCa();
        for (let i = 0; i < 3; i++) {
          const next = authority.issue(
            { ca: true, commonName: unique("Deep CA"), caIssuersUrl: issuer.url },
            issuer.ca,
          );
          issuer = { ca: next, url: issuers.put(`${unique("deep")}.crt`, next.certDer) };
        }
        return authority.issue({ caIssuersUrl: issuer.url }, issuer.ca);
      },
      reason: /more than 3 issuers/,
    },
    {
      name: "an AIA URL serving a certificate that did not issue the leaf",
      leaf: () => {
        const { ca } = issuingCa();
        const stranger = issuingCa();
        return authority.issue({ caIssuersUrl: stranger.url }, ca);
      },
      reason: /did not issue it/,
    },
  ];

  it.each(cases)("$name → 401", async ({ leaf, reason, noFetch }) => {
    const made = leaf();
    const canaryBefore = canary.totalHits;
    const issuersBefore = issuers.totalHits;
    const { status, forwarded, logged } = await post(made);
    expect(status).toBe(401);
    expect(forwarded).toEqual([]);
    expect(logged).toEqual([
      expect.objectContaining({ status: 401, reason: expect.stringMatching(reason) }),
    ]);
    expect(canary.totalHits - canaryBefore).toBe(0);
    if (noFetch) expect(issuers.totalHits - issuersBefore).toBe(0);
  });
});

describe("CA-issuer URL policy", () => {
  const policy = { allowedHosts: ["www.microsoft.com", "cacerts.digicert.com", "127.0.0.1:8443"] };
  it.each([
    [
      "http://www.microsoft.com/pkiops/certs/Microsoft%20Azure%20RSA%20TLS%20Issuing%20CA%2004%20-%20xsign.crt",
      null,
    ],
    ["https://cacerts.digicert.com/DigiCertGlobalRootG2.crt", null],
    ["http://127.0.0.1:8443/ca.crt", null],
    ["http://www.microsoft.com:8080/ca.crt", /not an allowed/],
    ["http://127.0.0.1/ca.crt", /not an allowed/],
    ["http://www.microsoft.com.evil.example/ca.crt", /not an allowed/],
    ["http://u@www.microsoft.com/ca.crt", /credentials/],
    ["ldap://www.microsoft.com/ca.crt", /not http or https/],
    ["file:///etc/passwd", /not http or https/],
    ["not a url", /not a URL/],
  ])("%s", (url, refusal) => {
    const why = refuseCaIssuerUrl(url, policy);
    if (refusal === null) expect(why).toBeNull();
    else expect(why).toMatch(refusal);
  });
});
