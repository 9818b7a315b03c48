/**
 * Forged webhook work (SPEC section 9; issue 23 item 5): a certificate URL that failed is not
 * fetched again for a minute, a flood of forged URLs costs one fetch per URL per minute, and it
 * never pushes the verified certificate out of the cache. Against the fake Partner Center's
 * certificate host, with a clock the test moves.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestAuthority } from "../../local/fakes/partner-center/certificates.js";
import { FakePartnerCenter } from "../../local/fakes/partner-center/server.js";
import { signNotification } from "../../local/fakes/partner-center/sign.js";
import { CaIssuerSource } from "../../shared/partner-center/ca-issuers.js";
import { CertificateSource } from "../../shared/partner-center/certificate-source.js";
import { loadTrustAnchors } from "../../shared/partner-center/certificates.js";
import { WebhookVerifier } from "../../shared/partner-center/webhook-verifier.js";

let authority: TestAuthority;
let fake: FakePartnerCenter;
let genuine: { signer: { keyPem: string }; certificateUrl: string };

beforeAll(async () => {
  authority = TestAuthority.create();
  fake = await new FakePartnerCenter().start();
  genuine = fake.microsoftShapedCertificate(authority);
}, 120_000);

afterAll(async () => {
  await fake?.stop();
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

function world() {
  let now = Date.now();
  const source = new CertificateSource({
    anchors: loadTrustAnchors(authority.writeRoot()),
    caIssuers: new CaIssuerSource({ allowedHosts: [fake.caIssuer.host] }),
    now: () => now,
  });
  const verifier = new WebhookVerifier({
    urlPolicy: { allowedHosts: [fake.host], allowHttpLoopback: true },
    certificates: source,
  });
  const certRequests = () => fake.counts.cert;
  return {
    source,
    certRequests,
    advance: (ms: number) => {
      now += ms;
    },
    verify: (url: string, signer = genuine.signer) => {
      const r = signNotification(BODY, signer, url);
      return verifier.verify(r.headers, r.body);
    },
  };
}

describe("a certificate URL that failed", () => {
  it("is not fetched again for a minute, then is", async () => {
    const w = world();
    const url = fake.certificateUrl("missing-for-now.cer");
    const before = w.certRequests();
    for (let i = 0; i < 5; i++) {
      expect(await w.verify(url)).toMatchObject({ ok: false, status: 401, reason: /404/ });
    }
    expect(w.certRequests() - before).toBe(1);
    w.advance(59_000);
    await w.verify(url);
    expect(w.certRequests() - before).toBe(1);
    // A minute on, the certificate is there now: fetched again and accepted.
    fake.putCertificate(
      "missing-for-now.cer",
      fake.certificates.get(nameOf(genuine.certificateUrl)) as Buffer,
    );
    w.advance(2_000);
    expect((await w.verify(url)).ok).toBe(true);
    expect(w.certRequests() - before).toBe(2);
  });

  it("includes one whose chain failed (not only a failed fetch)", async () => {
    const w = world();
    const stranger = authority.selfSigned();
    const url = fake.putCertificate("self-signed.cer", stranger.certDer);
    const before = w.certRequests();
    for (let i = 0; i < 3; i++) {
      expect(await w.verify(url, stranger)).toMatchObject({ ok: false, reason: /chain/ });
    }
    expect(w.certRequests() - before).toBe(1);
  });

  it("concurrent notifications for one URL share one fetch", async () => {
    const w = world();
    const before = w.certRequests();
    const verdicts = await Promise.all(
      Array.from({ length: 20 }, () => w.verify(genuine.certificateUrl)),
    );
    expect(verdicts.every((v) => v.ok)).toBe(true);
    expect(w.certRequests() - before).toBe(1);
  });
});

describe("a flood of forged certificate URLs", () => {
  it("costs one fetch per URL per minute and never evicts the verified certificate", async () => {
    const w = world();
    expect((await w.verify(genuine.certificateUrl)).ok).toBe(true);
    const before = w.certRequests();
    const forged = Array.from({ length: 70 }, (_, i) => fake.certificateUrl(`forged-${i}.cer`));
    for (let round = 0; round < 3; round++) {
      for (const url of forged) {
        expect(await w.verify(url)).toMatchObject({ ok: false, status: 401 });
      }
    }
    expect(w.certRequests() - before).toBe(70);
    // The genuine certificate is still cached: verified without a fetch.
    expect(w.source.holdsVerified(genuine.certificateUrl)).toBe(true);
    expect((await w.verify(genuine.certificateUrl)).ok).toBe(true);
    expect(w.certRequests() - before).toBe(70);
    // A minute on, each forged URL may cost one more fetch, no more.
    w.advance(61_000);
    for (const url of forged) await w.verify(url);
    for (const url of forged) await w.verify(url);
    expect(w.certRequests() - before).toBe(140);
  });
});

const nameOf = (url: string) => decodeURIComponent(new URL(url).pathname.slice("/certs/".length));
