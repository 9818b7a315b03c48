/**
 * Partner Center connector figures:
 * - `webhookVerifyMs`: time to verify one signed notification once its certificate is cached
 *   (headers, signature format, the verified certificate from the cache — its chain was completed
 *   from the AIA URL and checked once, at the fetch — validity, RSA-SHA256), p50/p99 over
 *   2,000 distinct notifications, through the route's verifier;
 * - `reconcileRequestsPerTransfer`: Partner Center API requests the reconciliation makes per
 *   transfer in progress (goal ≤ 2), over 200 transfers against the fake Partner Center (three in
 *   four accepted with a new subscription, one in four not yet accepted), with the store's real
 *   read side on DynamoDB Local. Emitted events go to a counting sink: the figure is the requests.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { TestAuthority } from "../local/fakes/partner-center/certificates.js";
import { FakePartnerCenter } from "../local/fakes/partner-center/server.js";
import { signNotification } from "../local/fakes/partner-center/sign.js";
import { parseUpstreamEvent } from "../shared/events/envelope.js";
import { PartnerCenterClient } from "../shared/partner-center/api-client.js";
import { CaIssuerSource } from "../shared/partner-center/ca-issuers.js";
import { CertificateSource } from "../shared/partner-center/certificate-source.js";
import { loadTrustAnchors } from "../shared/partner-center/certificates.js";
import { reconcile } from "../shared/partner-center/reconcile.js";
import { TokenProvider } from "../shared/partner-center/token-provider.js";
import { storeLookup } from "../shared/partner-center/transfer-facts.js";
import { WebhookVerifier } from "../shared/partner-center/webhook-verifier.js";
import { TransferStore } from "../shared/store/transfer-store.js";
import { type BenchDynamo, countingClient } from "./harness.js";

const PARTNER = "bench-partner";
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const round = (n: number) => Math.round(n * 1000) / 1000;

export async function benchPartnerCenter(bench: BenchDynamo) {
  const authority = TestAuthority.create();
  const fake = await new FakePartnerCenter({ partnerId: PARTNER }).start();
  try {
    return { ...(await verifyFigures(authority, fake)), ...(await reconcileFigures(bench, fake)) };
  } finally {
    await fake.stop();
    authority.dispose();
  }
}

async function verifyFigures(authority: TestAuthority, fake: FakePartnerCenter) {
  // Microsoft-shaped: the leaf alone, its issuing CA fetched once from its AIA URL.
  const { signer, certificateUrl: url } = fake.microsoftShapedCertificate(authority);
  const source = new CertificateSource({
    anchors: loadTrustAnchors(authority.writeRoot()),
    caIssuers: new CaIssuerSource({ allowedHosts: [fake.caIssuer.host] }),
  });
  const verifier = new WebhookVerifier({
    urlPolicy: { allowedHosts: [fake.host], allowHttpLoopback: true },
    certificates: source,
  });
  const requests = Array.from({ length: 2_000 }, (_, i) =>
    signNotification(
      JSON.stringify({
        EventName: "subscription-updated",
        ResourceUri: `https://api.partnercenter.microsoft.com/v1/customers/${i}/subscriptions/${randomUUID()}`,
        ResourceName: "subscription",
        AuditUri: null,
        ResourceChangeUtcDate: new Date().toISOString(),
      }),
      signer,
      url,
    ),
  );
  const first = requests[0];
  if (!first || !(await verifier.verify(first.headers, first.body)).ok) {
    throw new Error("the benchmark's notification does not verify");
  }
  // Warm up (JIT, the cache entry) before measuring.
  for (const request of requests.slice(0, 200))
    await verifier.verify(request.headers, request.body);
  const times: number[] = [];
  for (const request of requests) {
    const started = performance.now();
    const verdict = await verifier.verify(request.headers, request.body);
    times.push(performance.now() - started);
    if (!verdict.ok) throw new Error(`refused: ${verdict.reason}`);
  }
  times.sort((a, b) => a - b);
  return {
    webhookVerifyMs: { p50: round(percentile(times, 50)), p99: round(percentile(times, 99)) },
    webhookCertificateFetches: source.fetches,
  };
}

async function reconcileFigures(bench: BenchDynamo, fake: FakePartnerCenter) {
  const tableName = await bench.newTable(`pc-bench-${randomUUID().slice(0, 8)}`);
  const counting = countingClient(bench.clientConfig);
  const store = new TransferStore(counting.db, tableName, []);
  const transfers = 200;
  const invitedAt = new Date(Date.now() - 86_400_000).toISOString();
  for (let i = 0; i < transfers; i++) {
    const customer = randomUUID();
    await store.apply(
      parseUpstreamEvent({
        id: randomUUID(),
        "detail-type": "Invitation Sent",
        source: "csp.transfers",
        time: invitedAt,
        detail: {
          partnerId: PARTNER,
          customerTenantId: customer,
          partnerCountry: "GB",
          partnerEmail: "ops@partner.example",
          customerName: `Customer ${i}`,
          customerCountry: "GB",
          sentAt: invitedAt,
          subscriptions: [
            {
              subscriptionId: randomUUID(),
              offerId: "CFQ7TTC0LH18",
              offerName: "Microsoft 365 Business Standard",
              quantity: 10,
              commitmentEndDate: "2027-03-31",
              autoRenewEnabled: false,
            },
          ],
        },
      }),
    );
    if (i % 4 !== 3) {
      fake.addCustomer({ id: customer, companyName: `Customer ${i}`, country: "GB" });
      fake.addSubscription(customer, { offerId: "CFQ7TTC0LH18", quantity: 10 });
    }
  }
  const tokens = new TokenProvider({
    tokenUrl: fake.tokenUrl,
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
  });
  const client = new PartnerCenterClient({ apiUrl: fake.url }, tokens);
  let emitted = 0;
  const started = performance.now();
  const result = await reconcile({
    partnerId: PARTNER,
    apiUrl: fake.url,
    client,
    transfers: storeLookup(counting.db, tableName),
    publish: async (events) => {
      emitted += events.length;
    },
  });
  const ms = performance.now() - started;
  if (result.transfers !== transfers || emitted !== 300) {
    throw new Error(`reconcile saw ${result.transfers} transfers and emitted ${emitted}`);
  }
  return {
    reconcileRequestsPerTransfer: round(client.requests / result.transfers),
    reconcileTokenRequests: tokens.requests,
    reconcile200TransfersMs: Math.round(ms),
  };
}
