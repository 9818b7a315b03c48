/**
 * A fake of the Partner Center pieces the connector talks to, for the tests and the demo, built
 * from Partner Center's documented shapes:
 * - Entra token endpoint: `POST /{tenant}/oauth2/v2.0/token` (client credentials, form-encoded)
 *   → `{token_type, expires_in, access_token}`; wrong client id or secret → 401 invalid_client.
 * - API: `GET /v1/customers/{c}` → Customer `{id, companyProfile{tenantId, companyName},
 *   billingProfile{defaultAddress{country}}}`; `GET /v1/customers/{c}/subscriptions` →
 *   `{totalCount, items, links}`, paged like Partner Center's seek-based collections when
 *   `pageSize` is set: `links.next {uri: "/customers/{c}/subscriptions?seekOperation=Next",
 *   method, headers: [{key: "MS-ContinuationToken", value}]}`, and the next page answers only
 *   with that token in the MS-ContinuationToken header (400 without it); `GET /v1/customers/{c}/subscriptions/{s}` → Subscription `{id, offerId,
 *   offerName, quantity, status, creationDate, commitmentEndDate, autoRenewEnabled, termDuration,
 *   links{self{uri}}}`; `GET /v1/customers/relationshiprequests` → `{url}`. 404 when unknown, 401
 *   without a valid bearer token.
 * - Certificate host: `GET /certs/{name}` serves the documents put there (DER or PEM); like
 *   Microsoft's, the signing certificate is served alone (microsoftShapedCertificate), and its
 *   issuing CA by a CA-issuer host of its own (ca-issuer.ts, another port: another host), named by
 *   the certificate's AIA "CA Issuers" URL.
 * Faults can be queued per path (status, garbage, a hang) to exercise retries and dead letters.
 * Every request is counted, so the tests and the benchmark can see how many the connector made.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { FaultQueue } from "../fault-queue.js";
import { LoopbackServer, readAll, sendJson } from "../loopback-server.js";
import { FakeCaIssuer } from "./ca-issuer.js";
import type { TestAuthority } from "./certificates.js";
import { type MicrosoftShapedChain, microsoftShapedChain, SIGNER_NAME } from "./microsoft-chain.js";

export type FakeSubscription = {
  id: string;
  offerId: string;
  offerName: string;
  quantity: number;
  status: string;
  creationDate: string;
  commitmentEndDate: string;
  autoRenewEnabled: boolean;
  termDuration: string;
};

export type FakeCustomer = { id: string; companyName: string; country: string };

export type Fault =
  | { kind: "status"; status: number; retryAfter?: number }
  | { kind: "body"; body: string }
  /** 200 and a body that never ends (no Content-Length), until the client hangs up. */
  | { kind: "endless" }
  | { kind: "hang" };

export type FakeOptions = {
  clientId?: string;
  clientSecret?: string;
  partnerId?: string;
  tokenLifetimeSeconds?: number;
  port?: number;
  /** Subscriptions per page of a list (default: all on one page). */
  pageSize?: number;
};

export class FakePartnerCenter {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly partnerId: string;
  readonly customers = new Map<
    string,
    { customer: FakeCustomer; subscriptions: FakeSubscription[] }
  >();
  readonly certificates = new Map<string, Buffer>();
  /** Requests by kind: token, api (every /v1 request), cert. */
  readonly counts = { token: 0, api: 0, cert: 0 };
  /** Every API request path, in order. */
  readonly apiLog: string[] = [];
  /** Bytes written by endless-body faults, so a test sees how much it was offered. */
  endlessBytes = 0;
  private readonly tokens = new Set<string>();
  private readonly faults = new FaultQueue<Fault>();
  private readonly http = new LoopbackServer((req, res) => this.answer(req, res));
  /** The CA-issuer host that serves the issuing CA of the signing certificate. */
  readonly caIssuer = new FakeCaIssuer();

  constructor(private readonly options: FakeOptions = {}) {
    this.clientId = options.clientId ?? "fake-client-id";
    this.clientSecret = options.clientSecret ?? "fake-client-secret";
    this.partnerId = options.partnerId ?? "partner-tenant-0001";
  }

  get url(): string {
    return this.http.url;
  }

  async start(): Promise<this> {
    await this.http.start(this.options.port);
    await this.caIssuer.start();
    return this;
  }

  async stop(): Promise<void> {
    await this.caIssuer.stop();
    await this.http.stop();
  }

  get tokenUrl(): string {
    return `${this.url}/${this.partnerId}/oauth2/v2.0/token`;
  }

  /** The `host:port` to allow for certificates (PARTNER_CENTER_CERT_HOSTS). */
  get host(): string {
    return this.http.host;
  }

  certificateUrl(name: string): string {
    return `${this.url}/certs/${name}`;
  }

  putCertificate(name: string, document: Buffer | string): string {
    this.certificates.set(name, Buffer.from(document));
    return this.certificateUrl(name);
  }

  /**
   * Makes a Microsoft-shaped signing certificate under `authority` and serves it the way Partner
   * Center does: the DER leaf alone at the certificate URL, its issuing CA on the CA-issuer host.
   */
  microsoftShapedCertificate(
    authority: TestAuthority,
  ): MicrosoftShapedChain & { certificateUrl: string } {
    const chain = microsoftShapedChain(authority, this.caIssuer);
    return {
      ...chain,
      certificateUrl: this.putCertificate(`${SIGNER_NAME}.cer`, chain.signer.certDer),
    };
  }

  addCustomer(customer: FakeCustomer): void {
    this.customers.set(customer.id, { customer, subscriptions: [] });
  }

  addSubscription(
    customerId: string,
    subscription: Partial<FakeSubscription> & { offerId: string },
  ): FakeSubscription {
    const entry = this.customers.get(customerId);
    if (!entry) throw new Error(`no customer ${customerId} in the fake`);
    const full: FakeSubscription = {
      id: randomUUID(),
      offerName: subscription.offerId,
      quantity: 1,
      status: "active",
      creationDate: new Date().toISOString(),
      commitmentEndDate: new Date(Date.now() + 365 * 86_400_000).toISOString(),
      autoRenewEnabled: true,
      termDuration: "P1Y",
      ...subscription,
    };
    entry.subscriptions.push(full);
    return full;
  }

  /** The ResourceUri Partner Center would send for a resource of this fake. */
  resourceUri(customerId: string, subscriptionId?: string): string {
    return `${this.url}/v1/customers/${customerId}${subscriptionId ? `/subscriptions/${subscriptionId}` : ""}`;
  }

  /** Queues a fault for the next `times` requests whose path matches. */
  fail(path: RegExp, fault: Fault, times = 1): void {
    this.faults.add(path, fault, times);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    const path = url.pathname;
    const body = await readAll(req);
    if (req.method === "GET" && path.startsWith("/certs/")) {
      this.counts.cert++;
      if (this.applyFault(path, res)) return;
      const doc = this.certificates.get(decodeURIComponent(path.slice("/certs/".length)));
      if (!doc) return sendJson(res, 404, { error: "no such certificate" });
      res.writeHead(200, { "content-type": "application/pkix-cert", "content-length": doc.length });
      res.end(doc);
      return;
    }
    if (req.method === "POST" && path.endsWith("/oauth2/v2.0/token")) {
      this.counts.token++;
      if (this.applyFault(path, res)) return;
      const form = new URLSearchParams(body.toString("utf8"));
      if (
        form.get("grant_type") !== "client_credentials" ||
        form.get("client_id") !== this.clientId ||
        form.get("client_secret") !== this.clientSecret ||
        form.get("scope") !== "https://api.partnercenter.microsoft.com/.default"
      ) {
        return sendJson(res, 401, {
          error: "invalid_client",
          error_description: "bad client credentials",
        });
      }
      const token = `fake-${randomUUID()}`;
      this.tokens.add(token);
      return sendJson(res, 200, {
        token_type: "Bearer",
        expires_in: this.options.tokenLifetimeSeconds ?? 3599,
        access_token: token,
      });
    }
    if (req.method === "GET" && path.startsWith("/v1/")) {
      this.counts.api++;
      this.apiLog.push(path);
      if (this.applyFault(path, res)) return;
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      if (!bearer || !this.tokens.has(bearer))
        return sendJson(res, 401, { code: 401, description: "unauthorized" });
      return this.api(path, res, url, req.headers["ms-continuationtoken"]);
    }
    sendJson(res, 404, { code: 404, description: "not found" });
  }

  private api(path: string, res: ServerResponse, url: URL, token: string | string[] | undefined) {
    if (path === "/v1/customers/relationshiprequests") {
      return sendJson(res, 200, {
        url: `https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship&partnerId=${this.partnerId}&msppId=0&DAP=true#/BillingAccounts/partner-invitation`,
        attributes: { objectType: "RelationshipRequest" },
      });
    }
    const match = /^\/v1\/customers\/([^/]+)(?:\/subscriptions(?:\/([^/]+))?)?$/.exec(path);
    const entry = match?.[1] ? this.customers.get(match[1]) : undefined;
    if (!match || !entry)
      return sendJson(res, 404, { code: 404, description: "customer not found" });
    const { customer, subscriptions } = entry;
    if (path.endsWith("/subscriptions"))
      return this.subscriptionPage(customer.id, subscriptions, res, url, token);
    if (match[2]) {
      const sub = subscriptions.find((s) => s.id === match[2]);
      if (!sub) return sendJson(res, 404, { code: 404, description: "subscription not found" });
      return sendJson(res, 200, this.subscriptionResource(customer.id, sub));
    }
    sendJson(res, 200, {
      id: customer.id,
      companyProfile: { tenantId: customer.id, companyName: customer.companyName },
      billingProfile: { defaultAddress: { country: customer.country } },
      relationshipToPartner: "reseller",
      attributes: { objectType: "Customer" },
    });
  }

  private subscriptionPage(
    customerId: string,
    subscriptions: FakeSubscription[],
    res: ServerResponse,
    url: URL,
    token: string | string[] | undefined,
  ) {
    let offset = 0;
    if (url.searchParams.get("seekOperation") === "Next") {
      const decoded = typeof token === "string" ? Buffer.from(token, "base64").toString() : "";
      const [forCustomer, at] = decoded.split("|");
      if (forCustomer !== customerId || !/^\d+$/.test(at ?? "")) {
        return sendJson(res, 400, { code: 400, description: "invalid continuation token" });
      }
      offset = Number(at);
    }
    const size = this.options.pageSize ?? subscriptions.length;
    const page = subscriptions.slice(offset, offset + size);
    const nextAt = offset + page.length;
    const links: Record<string, unknown> = {
      self: { uri: `/customers/${customerId}/subscriptions`, method: "GET", headers: [] },
    };
    if (nextAt < subscriptions.length) {
      links.next = {
        uri: `/customers/${customerId}/subscriptions?seekOperation=Next`,
        method: "GET",
        headers: [
          {
            key: "MS-ContinuationToken",
            value: Buffer.from(`${customerId}|${nextAt}`).toString("base64"),
          },
        ],
      };
    }
    return sendJson(res, 200, {
      totalCount: page.length,
      items: page.map((s) => this.subscriptionResource(customerId, s)),
      links,
      attributes: { objectType: "Collection" },
    });
  }

  private subscriptionResource(customerId: string, s: FakeSubscription) {
    return {
      ...s,
      links: {
        self: { uri: `/customers/${customerId}/subscriptions/${s.id}`, method: "GET", headers: [] },
      },
      attributes: { objectType: "Subscription" },
    };
  }

  private applyFault(path: string, res: ServerResponse): boolean {
    const fault = this.faults.take(path);
    if (!fault) return false;
    if (fault.kind === "hang") return true; // never answers; the client's timeout must fire
    if (fault.kind === "endless") {
      res.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.from(`[${'"x",'.repeat(16 * 1024)}`);
      const pump = () => {
        while (!res.destroyed) {
          const more = res.write(chunk);
          this.endlessBytes += chunk.length;
          if (!more) break;
        }
        if (!res.destroyed) res.once("drain", pump);
      };
      pump();
      return true;
    }
    if (fault.kind === "body") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(fault.body);
      return true;
    }
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (fault.retryAfter !== undefined) headers["retry-after"] = String(fault.retryAfter);
    res.writeHead(fault.status, headers);
    res.end(JSON.stringify({ code: fault.status, description: "injected fault" }));
    return true;
  }
}
