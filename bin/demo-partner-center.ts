/**
 * `npm run demo -- --partner-center`: the Partner Center connector on its own, with nothing to set
 * up. Starts the project's fake Partner Center (API, token endpoint, certificate host, CA-issuer
 * host), makes with openssl a root CA, an issuing CA and a "Microsoft Corporation" signing
 * certificate served the way Microsoft serves it (the DER leaf alone; its issuing CA fetched from
 * the leaf's AIA "CA Issuers" URL on the CA-issuer host), starts a local runtime
 * in memory on free ports with the connector pointed at the fake, then: invites a customer from a
 * CSV, posts a signed acceptance webhook (→ ACCEPTED), provisions the same offers in the fake and
 * posts signed subscription-updated webhooks (→ PROVISIONED), shows a tampered webhook refused,
 * and runs the reconciliation, which also reads the customer's tenant from the project's fake
 * Graph: a coverage warning appears (more users than licenses left once an original ends) and
 * disappears once users are moved off that license.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeGraph } from "../local/fakes/graph/server.js";
import { TestAuthority } from "../local/fakes/partner-center/certificates.js";
import { FakePartnerCenter } from "../local/fakes/partner-center/server.js";
import { postWebhook, signNotification } from "../local/fakes/partner-center/sign.js";
import { freePort } from "../local/free-port.js";
import { startLocalRuntime } from "../local/runtime.js";
import { runCli } from "./cli/main.js";

const PARTNER = "5b6f1c2a-0d3e-4f5a-8b9c-1d2e3f4a5b6c";
const CUSTOMER = "8d3c2b1a-4f5e-4a6b-9c7d-0e1f2a3b4c5d";
const ORIGINALS = [
  ["3f2a9c1e-7b4d-4e8f-9a0b-1c2d3e4f5a6b", "CFQ7TTC0LH18", "Microsoft 365 Business Standard", 25],
  ["7c6b5a4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d", "CFQ7TTC0LH0R", "Exchange Online (Plan 1)", 10],
] as const;

const line = (label: string, text: string) => console.log(`${label.padEnd(22)} ${text}`);

async function cli(args: string[]): Promise<unknown> {
  let out = "";
  let err = "";
  const code = await runCli([...args, "--json"], {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  });
  if (code !== 0) throw new Error(`${args[0]}: ${err.trim()}`);
  return JSON.parse(out);
}

const status = async () =>
  ((await cli(["show", "--partner", PARTNER, "--customer", CUSTOMER])) as { status: string })
    .status;

export async function runPartnerCenterDemo(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "pc-demo-"));
  const authority = TestAuthority.create("Demo Root CA");
  const fake = await new FakePartnerCenter({ partnerId: PARTNER }).start();
  const { signer, certificateUrl, issuerUrl } = fake.microsoftShapedCertificate(authority);
  const graph = await new FakeGraph({
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
  }).start();
  const ports = {
    EVENTS_PORT: await freePort(),
    DYNAMODB_PORT: await freePort(),
    SES_PORT: await freePort(),
    WEB_PORT: await freePort(),
  };
  Object.assign(process.env, {
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    LOCAL_TABLE_NAME: "csp-transfers-demo",
    PARTNER_CENTER_PARTNER_ID: PARTNER,
    PARTNER_CENTER_PARTNER_COUNTRY: "GB",
    PARTNER_CENTER_API_URL: fake.url,
    PARTNER_CENTER_TOKEN_URL: fake.tokenUrl,
    PARTNER_CENTER_CLIENT_ID: fake.clientId,
    PARTNER_CENTER_CLIENT_SECRET: fake.clientSecret,
    PARTNER_CENTER_CERT_HOSTS: fake.host,
    PARTNER_CENTER_CA_ISSUER_HOSTS: fake.caIssuer.host,
    PARTNER_CENTER_TRUSTED_CA: authority.writeRoot(join(work, "demo-root.pem")),
    GRAPH_TOKEN_URL: graph.tokenUrl,
    GRAPH_API_URL: graph.url,
  });
  const runtime = await startLocalRuntime({
    eventsPort: ports.EVENTS_PORT,
    dynamoPort: ports.DYNAMODB_PORT,
    sesPort: ports.SES_PORT,
    webPort: ports.WEB_PORT,
    tableName: "csp-transfers-demo",
    busName: "csp-transfers",
    senderEmail: "reminders@csp-transfers.example",
    dataDir: null,
    scanIntervalMs: null,
  });
  const webhook = `${runtime.endpoints.web}/partner-center/webhook`;
  const drain = () => fetch(`${runtime.endpoints.events}/_local/drain`, { method: "POST" });
  const send = async (eventName: string, resourceUri: string, tamper = false) => {
    const body = JSON.stringify({
      EventName: eventName,
      ResourceUri: resourceUri,
      ResourceName: eventName.startsWith("subscription") ? "subscription" : "customer",
      AuditUri: null,
      ResourceChangeUtcDate: new Date().toISOString(),
    });
    const signed = signNotification(body, signer, certificateUrl);
    if (tamper) signed.body = Buffer.from(body.replace("customer", "Customer"));
    const answer = await postWebhook(webhook, signed);
    await drain();
    return answer.status;
  };
  try {
    console.log(
      `Partner Center demo: fake Partner Center at ${fake.url}, local runtime on free ports\n`,
    );
    line(
      "certificates",
      "root CA -> issuing CA -> Microsoft Corporation signing certificate, made with openssl",
    );
    line("", `signing certificate served alone (DER) at ${certificateUrl}`);
    line("", `its issuer named by its AIA URL ${issuerUrl}`);
    const csv = join(work, "originals.csv");
    writeFileSync(
      csv,
      [
        "subscriptionId,offerId,offerName,quantity,commitmentEndDate,autoRenewEnabled,offerDiscontinued,termDuration",
        ...ORIGINALS.map(
          ([id, offer, name, seats]) => `${id},${offer},"${name}",${seats},2027-03-31,false,,P1Y`,
        ),
      ].join("\n"),
    );
    const invited = (await cli([
      "invite",
      "--customer",
      CUSTOMER,
      "--name",
      "Fabrikam Ltd",
      "--country",
      "GB",
      "--email",
      "licensing@northwind.example",
      "--originals",
      csv,
    ])) as { eventId: string; relationshipUrl: string };
    await drain();
    line("invite --originals", `Invitation Sent (2 originals) -> status ${await status()}`);
    line("", `relationship link: ${invited.relationshipUrl}`);

    fake.addCustomer({ id: CUSTOMER, companyName: "Fabrikam Ltd", country: "GB" });
    const accepted = await send(
      "reseller-relationship-accepted-by-customer",
      fake.resourceUri(CUSTOMER),
    );
    line(
      "signed webhook",
      `reseller-relationship-accepted-by-customer -> HTTP ${accepted} -> status ${await status()}`,
    );

    for (const [, offer, name, seats] of ORIGINALS) {
      const sub = fake.addSubscription(CUSTOMER, {
        offerId: offer,
        offerName: name,
        quantity: seats,
      });
      const answer = await send("subscription-updated", fake.resourceUri(CUSTOMER, sub.id));
      line(
        "signed webhook",
        `subscription-updated (${name}) -> HTTP ${answer} -> status ${await status()}`,
      );
    }
    const tampered = await send(
      "reseller-relationship-accepted-by-customer",
      fake.resourceUri(CUSTOMER),
      true,
    );
    line("tampered webhook", `body changed after signing -> HTTP ${tampered}, nothing emitted`);
    // The customer's tenant as Graph shows it: the originals (bought from another channel), the
    // replacements the partner provisioned, 30 users on Business Standard, and a subscription
    // of another channel that the invitation missed.
    graph.addTenant(CUSTOMER);
    const skus = [
      ["f245ecc8-75af-4f8e-b61f-27d8114de5f3", "O365_BUSINESS_PREMIUM"],
      ["4b9405b0-7788-4568-add1-99614e613b69", "EXCHANGESTANDARD"],
    ] as const;
    ORIGINALS.forEach(([id, , , seats], i) => {
      const [skuId, skuPartNumber] = skus[i] ?? skus[0];
      const common = { skuId, skuPartNumber, totalLicenses: seats };
      graph.addSubscription(CUSTOMER, {
        ...common,
        commerceSubscriptionId: id,
        nextLifecycleDateTime: "2027-03-31T00:00:00Z",
        ownerTenantId: "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
      });
      graph.addSubscription(CUSTOMER, { ...common, ownerTenantId: PARTNER });
    });
    graph.addSubscription(CUSTOMER, {
      skuId: "6fd2c87f-b296-42f0-b197-1e91e994b900",
      skuPartNumber: "ENTERPRISEPACK",
      totalLicenses: 5,
      nextLifecycleDateTime: "2027-02-28T00:00:00Z",
      ownerTenantId: "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
    });
    graph.assignUsers(CUSTOMER, skus[0][0], 30);
    graph.assignUsers(CUSTOMER, skus[1][0], 10);
    type Reconciled = { transfers: number; emitted: number; tenantsRead: number };
    const tenantWarnings = async () => {
      const view = (await cli(["show", "--partner", PARTNER, "--customer", CUSTOMER])) as {
        warnings: { code: string; message: string }[];
      };
      return view.warnings.filter(
        (w) => w.code === "LICENSES_NOT_COVERED" || w.code === "UNTRACKED_ORIGINAL",
      );
    };
    const reconciled = (await cli(["reconcile"])) as Reconciled;
    await drain();
    line(
      "reconcile",
      `${reconciled.transfers} transfer(s) in progress, ${reconciled.tenantsRead} tenant read, ${reconciled.emitted} event(s) emitted (the webhooks missed nothing; one Tenant Observed)`,
    );
    for (const w of await tenantWarnings()) line(`  ${w.code}`, w.message);
    graph.assignUsers(CUSTOMER, skus[0][0], 25);
    const again = (await cli(["reconcile"])) as Reconciled;
    await drain();
    const left = await tenantWarnings();
    line(
      "5 users moved",
      `off O365_BUSINESS_PREMIUM -> reconcile emitted ${again.emitted}; ${left.some((w) => w.code === "LICENSES_NOT_COVERED") ? "the coverage warning is still there" : "the coverage warning is gone"}`,
    );
    for (const w of left) line(`  ${w.code}`, w.message);
    line(
      "Partner Center calls",
      `${fake.counts.api} API, ${fake.counts.token} token, ${fake.counts.cert} certificate and ${fake.caIssuer.totalHits} CA-issuer fetch(es) (cached)`,
    );
    line(
      "Graph calls",
      `${graph.counts.graph} list pages, ${graph.counts.token} token (one per reconcile run: each CLI run starts afresh)`,
    );
  } finally {
    await runtime.stop();
    await fake.stop();
    await graph.stop();
    authority.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}
