/**
 * The receiver's checks in SPEC order, case by case (the bad-input list of the connector), with
 * certificates made here and served by the fake Partner Center's certificate host over loopback
 * HTTP, plus a fuzz of the route: hostile requests get 400/401/413, never a crash, never a
 * forwarded notification unless properly signed.
 */
import type { X509Certificate } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MICROSOFT } from "../../local/fakes/partner-center/certificates.js";
import { signNotification } from "../../local/fakes/partner-center/sign.js";
import type { PartnerCenterNotification } from "../../shared/events/partner-center.js";
import { CaIssuerSource } from "../../shared/partner-center/ca-issuers.js";
import { CertificateSource } from "../../shared/partner-center/certificate-source.js";
import { loadTrustAnchors } from "../../shared/partner-center/certificates.js";
import { partnerCenterWebhookRoute } from "../../shared/partner-center/webhook-route.js";
import { WebhookVerifier } from "../../shared/partner-center/webhook-verifier.js";
import { type PartnerCenterWorld, startPartnerCenterWorld } from "./support.js";

let world: PartnerCenterWorld;
let anchors: X509Certificate[];

beforeAll(async () => {
  world = await startPartnerCenterWorld();
  anchors = loadTrustAnchors(world.trustedCaFile);
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

const BODY = JSON.stringify({
  EventName: "test-created",
  ResourceUri:
    "https://api.partnercenter.microsoft.com/webhooks/v1/registration/validationEvents/1",
  ResourceName: "test",
  AuditUri: null,
  ResourceChangeUtcDate: "2017-11-16T16:19:06.3520276+00:00",
});

/** A certificate source trusting the test root, fetching issuers from the fake CA-issuer host. */
const newSource = (options: { anchors?: X509Certificate[]; timeoutMs?: number } = {}) =>
  new CertificateSource({
    anchors: options.anchors ?? anchors,
    caIssuers: new CaIssuerSource({ allowedHosts: [world.fake.caIssuer.host] }),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });

function verifier(
  options: {
    hosts?: string[];
    allowHttpLoopback?: boolean;
    anchors?: X509Certificate[];
    source?: CertificateSource;
  } = {},
) {
  return new WebhookVerifier({
    urlPolicy: {
      allowedHosts: options.hosts ?? [world.fake.host],
      allowHttpLoopback: options.allowHttpLoopback ?? true,
    },
    certificates: options.source ?? newSource(options.anchors ? { anchors: options.anchors } : {}),
  });
}

const signed = (body = BODY, signer = world.signer, url = world.certificateUrl) =>
  signNotification(body, signer, url);

describe("a properly signed notification", () => {
  it("verifies with Authorization: Signature and with x-ms-signature", async () => {
    const a = await verifier().verify(signed().headers, signed().body);
    expect(a).toEqual({ ok: true, notification: JSON.parse(BODY) });
    const b = signNotification(BODY, world.signer, world.certificateUrl, {
      header: "x-ms-signature",
    });
    expect((await verifier().verify(b.headers, b.body)).ok).toBe(true);
  });

  it("verifies with the certificate served as PEM with its intermediate", async () => {
    const intermediate = world.authority.issue({
      ca: true,
      organisation: "Fake Issuing",
      commonName: "Fake Issuing CA",
    });
    const leaf = world.authority.issue({}, intermediate);
    const url = world.fake.putCertificate("chain.pem", leaf.certPem + intermediate.certPem);
    const request = signed(BODY, leaf, url);
    expect((await verifier().verify(request.headers, request.body)).ok).toBe(true);
    // Without the intermediate the chain is broken.
    const alone = world.fake.putCertificate("leaf-only.pem", leaf.certPem);
    const broken = signed(BODY, leaf, alone);
    expect(await verifier().verify(broken.headers, broken.body)).toMatchObject({
      ok: false,
      status: 401,
      reason: expect.stringMatching(/chain/),
    });
  });

  it("fetches the certificate once per URL (cache)", async () => {
    const source = newSource();
    const v = verifier({ source });
    for (let i = 0; i < 5; i++) {
      const request = signed(BODY.replace("test-created", `test-created-${i}`));
      expect((await v.verify(request.headers, request.body)).ok).toBe(true);
    }
    expect(source.fetches).toBe(1);
  });

  it("hands the notification on and answers 200 through the route", async () => {
    const forwarded: PartnerCenterNotification[] = [];
    const route = partnerCenterWebhookRoute({
      verifier: verifier(),
      forward: async (n) => {
        forwarded.push(n);
      },
      log: () => {},
    });
    const request = signed();
    const answer = await route.handle({
      method: "POST",
      url: new URL("http://127.0.0.1/partner-center/webhook"),
      headers: request.headers,
      body: request.body,
      params: {},
    });
    expect(answer.status).toBe(200);
    expect(forwarded).toEqual([JSON.parse(BODY)]);
  });
});

describe("refusals, in SPEC order", () => {
  type Case = {
    name: string;
    request: () => { headers: Record<string, string>; body: Buffer };
    status: number;
    reason: RegExp;
    fetchesCertificate?: boolean;
  };
  const without = (name: string) => () => {
    const r = signed();
    delete r.headers[name];
    return r;
  };
  const withHeader = (name: string, value: string) => () => {
    const r = signed();
    r.headers[name] = value;
    return r;
  };
  const cases: Case[] = [
    {
      name: "a body over 64 KiB (before anything else)",
      request: () => {
        const r = signed();
        return { headers: {}, body: Buffer.concat([r.body, Buffer.alloc(64 * 1024)]) };
      },
      status: 413,
      reason: /over 65536/,
    },
    { name: "unsigned", request: without("authorization"), status: 401, reason: /no signature/ },
    {
      name: "another authorization scheme",
      request: withHeader("authorization", "Bearer abc"),
      status: 401,
      reason: /no signature/,
    },
    {
      name: "no certificate URL",
      request: without("x-ms-certificate-url"),
      status: 401,
      reason: /x-ms-certificate-url/,
    },
    {
      name: "no algorithm",
      request: without("x-ms-signature-algorithm"),
      status: 401,
      reason: /x-ms-signature-algorithm/,
    },
    {
      name: "another algorithm",
      request: withHeader("x-ms-signature-algorithm", "rsa-sha1"),
      status: 401,
      reason: /not rsa-sha256/,
    },
    {
      name: "a certificate on another host",
      request: withHeader("x-ms-certificate-url", "https://evil.example/cert.cer"),
      status: 401,
      reason: /not an allowed host/,
    },
    {
      name: "an allowed host name used as a subdomain of another",
      request: withHeader(
        "x-ms-certificate-url",
        "https://3psostorageacct.blob.core.windows.net.evil.example/cert.cer",
      ),
      status: 401,
      reason: /not an allowed host/,
    },
    {
      name: "credentials smuggled into the certificate URL",
      request: () => {
        const r = signed();
        r.headers["x-ms-certificate-url"] = world.certificateUrl.replace("http://", "http://a@");
        return r;
      },
      status: 401,
      reason: /credentials/,
    },
    {
      name: "a tampered body",
      request: () => {
        const r = signed();
        return { headers: r.headers, body: Buffer.from(r.body.toString().replace("test", "tesT")) };
      },
      status: 401,
      reason: /does not verify/,
      fetchesCertificate: true,
    },
    {
      name: "a signature replayed with another body",
      request: () => {
        const other = signed(BODY.replace("test-created", "subscription-updated"));
        return { headers: signed().headers, body: other.body };
      },
      status: 401,
      reason: /does not verify/,
      fetchesCertificate: true,
    },
    {
      name: "a signature that is not base64 (refused before any fetch)",
      request: withHeader("authorization", "Signature ***"),
      status: 401,
      reason: /not base64/,
    },
    {
      name: "a signature too short to be RSA (refused before any fetch)",
      request: withHeader("authorization", `Signature ${Buffer.alloc(64, 7).toString("base64")}`),
      status: 401,
      reason: /64 bytes, not an RSA signature/,
    },
    {
      name: "a signature too long to be RSA (refused before any fetch)",
      request: withHeader("authorization", `Signature ${Buffer.alloc(2048, 7).toString("base64")}`),
      status: 401,
      reason: /2048 bytes/,
    },
    {
      name: "a signed body that is not JSON",
      request: () => signed("not json at all"),
      status: 400,
      reason: /not JSON/,
      fetchesCertificate: true,
    },
    {
      name: "signed JSON that is not a notification",
      request: () => signed('{"hello":"world"}'),
      status: 400,
      reason: /not a Partner Center notification/,
      fetchesCertificate: true,
    },
  ];

  it.each(cases)("$name → $status", async ({ request, status, reason, fetchesCertificate }) => {
    const source = newSource();
    const r = request();
    const verdict = await verifier({ source }).verify(r.headers, r.body);
    expect(verdict).toMatchObject({ ok: false, status, reason: expect.stringMatching(reason) });
    expect(source.fetches).toBe(fetchesCertificate ? 1 : 0);
  });

  it("http certificate URLs only for loopback hosts, and only when allowed", async () => {
    const r = signed();
    const deployed = await verifier({ allowHttpLoopback: false }).verify(r.headers, r.body);
    expect(deployed).toMatchObject({ ok: false, status: 401, reason: /not https/ });
    const h = signed(BODY, world.signer, "http://3psostorageacct.blob.core.windows.net/cert.cer");
    const plain = await verifier({
      hosts: ["3psostorageacct.blob.core.windows.net"],
    }).verify(h.headers, h.body);
    expect(plain).toMatchObject({ ok: false, status: 401, reason: /not https/ });
  });

  it.each([
    [
      "expired",
      () =>
        world.authority.issue({
          notBefore: new Date("2020-01-01"),
          notAfter: new Date("2021-01-01"),
        }),
      /validity window/,
    ],
    [
      "not yet valid",
      () =>
        world.authority.issue({
          notBefore: new Date(Date.now() + 86_400_000),
          notAfter: new Date(Date.now() + 2 * 86_400_000),
        }),
      /validity window/,
    ],
    ["self-signed outside the trusted roots", () => world.authority.selfSigned(), /chain/],
    [
      "of another organisation",
      () => world.authority.issue({ organisation: "Contoso" }),
      /organisation/,
    ],
    [
      "of an organisation merely containing the name",
      () => world.authority.issue({ organisation: `${MICROSOFT} Ltd` }),
      /organisation/,
    ],
  ])("a certificate %s → 401", async (_label, make, reason) => {
    const cert = make();
    const url = world.fake.putCertificate(`${Math.random()}.cer`, cert.certDer);
    const r = signed(BODY, cert, url);
    const verdict = await verifier().verify(r.headers, r.body);
    expect(verdict).toMatchObject({
      ok: false,
      status: 401,
      reason: expect.stringMatching(reason),
    });
  });

  it("by default trusts only the runtime's root store, where the test root is not", async () => {
    const r = signed();
    const verdict = await verifier({ anchors: loadTrustAnchors(null) }).verify(r.headers, r.body);
    expect(verdict).toMatchObject({ ok: false, status: 401, reason: /chain/ });
    expect(loadTrustAnchors(null).length).toBeGreaterThan(50);
  });

  it.each([
    ["answers 404", () => world.fake.certificateUrl("missing.cer"), /answered 404/],
    [
      "is larger than 16 KiB",
      () => world.fake.putCertificate("huge.pem", Buffer.alloc(17 * 1024, 65)),
      /larger than 16384/,
    ],
    ["is not a certificate", () => world.fake.putCertificate("junk.cer", "junk"), /does not parse/],
  ])("a certificate URL that %s → 401", async (_label, url, reason) => {
    const r = signed(BODY, world.signer, url());
    const verdict = await verifier().verify(r.headers, r.body);
    expect(verdict).toMatchObject({
      ok: false,
      status: 401,
      reason: expect.stringMatching(reason),
    });
  });

  it("a certificate host that hangs is given up after the timeout → 401", async () => {
    world.fake.fail(/\/certs\/slow/, { kind: "hang" });
    const url = world.fake.putCertificate("slow.cer", world.signer.certDer);
    const r = signed(BODY, world.signer, url);
    const started = Date.now();
    const verdict = await verifier({ source: newSource({ timeoutMs: 300 }) }).verify(
      r.headers,
      r.body,
    );
    expect(verdict).toMatchObject({ ok: false, status: 401, reason: /longer than 300 ms/ });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe("fuzz", () => {
  it("hostile requests are answered 400/401/413 and never forwarded", async () => {
    const forwarded: unknown[] = [];
    let genuineCount = 0;
    const route = partnerCenterWebhookRoute({
      verifier: verifier(),
      forward: async (n) => {
        forwarded.push(n);
      },
      log: () => {},
    });
    const good = signed();
    const header = fc.oneof(
      fc.constant(undefined),
      fc.string({ maxLength: 300 }),
      fc.constantFrom(
        good.headers.authorization as string,
        "Signature ",
        "Signature ====",
        world.certificateUrl,
        "https://evil.example/x",
        "rsa-sha256",
        "RSA-SHA256",
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          authorization: header,
          "x-ms-signature": header,
          "x-ms-certificate-url": header,
          "x-ms-signature-algorithm": header,
        }),
        fc.oneof(fc.uint8Array({ maxLength: 2048 }), fc.constant(new Uint8Array(good.body))),
        async (raw, bytes) => {
          const headers = Object.fromEntries(
            Object.entries(raw).filter((e): e is [string, string] => e[1] !== undefined),
          );
          const body = Buffer.from(bytes);
          const answer = await route.handle({
            method: "POST",
            url: new URL("http://127.0.0.1/partner-center/webhook"),
            headers,
            body,
            params: {},
          });
          const genuine =
            body.equals(good.body) &&
            (headers.authorization === good.headers.authorization ||
              (headers.authorization === undefined &&
                headers["x-ms-signature"] === good.headers.authorization)) &&
            headers["x-ms-certificate-url"] === world.certificateUrl &&
            headers["x-ms-signature-algorithm"]?.toLowerCase() === "rsa-sha256";
          if (genuine) {
            genuineCount++;
            expect(answer.status).toBe(200);
          } else {
            expect([400, 401, 413]).toContain(answer.status);
          }
        },
      ),
      { numRuns: 400 },
    );
    // Only genuine requests were forwarded, each as the signed notification.
    expect(forwarded).toHaveLength(genuineCount);
    for (const n of forwarded) expect(n).toEqual(JSON.parse(BODY));
  });
});
