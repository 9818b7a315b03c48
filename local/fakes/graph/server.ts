/**
 * A fake of the Microsoft Graph pieces the tenant reader talks to, for the tests and the demo,
 * built from Microsoft's documented shapes only (see shared/tenant/shapes.ts for the sources):
 * - identity platform token endpoint, `POST /{tenant}/oauth2/v2.0/token` (client credentials,
 *   form-encoded, scope `https://graph.microsoft.com/.default`) → `{token_type, expires_in,
 *   access_token}`; a tenant that has not consented the app → `400 unauthorized_client` with
 *   `AADSTS700016` (the app is not in that directory); a wrong secret → `401 invalid_client`
 *   with `AADSTS7000215`; the error body has `error_codes`, `timestamp`, `trace_id`,
 *   `correlation_id`, `error_uri` like the real one.
 * - `GET /v1.0/directory/subscriptions` → companySubscription items; `GET /v1.0/subscribedSkus`
 *   → subscribedSku items (`consumedUnits` = users the test assigned, `prepaidUnits` summed from
 *   the subscriptions by status); both in pages of `pageSize` with `@odata.nextLink`.
 *   Without a valid token → `401 InvalidAuthenticationToken`; a tenant whose consent lacks the
 *   permission → `403 Authorization_RequestDenied`. Errors are `{error: {code, message,
 *   innerError}}`.
 * Faults can be queued per path (a status with `Retry-After`, a raw body, a hang). Every request
 * is counted, so the tests and the benchmark can see how many the reader made.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { FaultQueue } from "../fault-queue.js";
import { LoopbackServer, readAll, sendJson } from "../loopback-server.js";

export type FakeCompanySubscription = {
  id: string;
  commerceSubscriptionId: string | null;
  skuId: string;
  skuPartNumber: string;
  status: "Enabled" | "Warning" | "Suspended" | "LockedOut" | "Deleted";
  totalLicenses: number;
  nextLifecycleDateTime: string | null;
  ownerTenantId: string | null;
  ownerType: string | null;
  isTrial: boolean;
  createdDateTime: string;
};

export type GraphFault =
  | { kind: "status"; status: number; retryAfter?: number | string }
  | { kind: "body"; body: string }
  | { kind: "hang" };

type FakeTenant = {
  consented: boolean;
  /** Consented, but without a permission that reads subscriptions: Graph answers 403. */
  canRead: boolean;
  subscriptions: FakeCompanySubscription[];
  /** Users holding a license, per skuId. */
  consumed: Map<string, number>;
};

export type FakeGraphOptions = {
  clientId?: string;
  clientSecret?: string;
  tokenLifetimeSeconds?: number;
  pageSize?: number;
  port?: number;
};

export class FakeGraph {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly counts = { token: 0, graph: 0 };
  /** Every Graph request path with its query, in order. */
  readonly log: string[] = [];
  pageSize: number;
  private readonly tenants = new Map<string, FakeTenant>();
  private readonly tokens = new Map<string, string>();
  private readonly faults = new FaultQueue<GraphFault>();
  private readonly http = new LoopbackServer((req, res) => this.answer(req, res));

  constructor(private readonly options: FakeGraphOptions = {}) {
    this.clientId = options.clientId ?? "fake-client-id";
    this.clientSecret = options.clientSecret ?? "fake-client-secret";
    this.pageSize = options.pageSize ?? 100;
  }

  get url(): string {
    return this.http.url;
  }

  async start(): Promise<this> {
    await this.http.start(this.options.port);
    return this;
  }

  stop(): Promise<void> {
    return this.http.stop();
  }

  /** GRAPH_TOKEN_URL for this fake (with the `{tenantId}` placeholder). */
  get tokenUrl(): string {
    return `${this.url}/{tenantId}/oauth2/v2.0/token`;
  }

  /** A customer tenant; `consented: false` refuses tokens, `canRead: false` answers 403. */
  addTenant(tenantId: string, options: { consented?: boolean; canRead?: boolean } = {}): void {
    this.tenants.set(tenantId.toLowerCase(), {
      consented: options.consented ?? true,
      canRead: options.canRead ?? true,
      subscriptions: [],
      consumed: new Map(),
    });
  }

  setConsent(tenantId: string, consented: boolean): void {
    this.tenant(tenantId).consented = consented;
  }

  addSubscription(
    tenantId: string,
    subscription: Partial<FakeCompanySubscription> & { skuId: string; skuPartNumber: string },
  ): FakeCompanySubscription {
    const full: FakeCompanySubscription = {
      id: randomUUID(),
      commerceSubscriptionId: randomUUID(),
      status: "Enabled",
      totalLicenses: 1,
      nextLifecycleDateTime: new Date(Date.now() + 365 * 86_400_000).toISOString(),
      ownerTenantId: null,
      ownerType: null,
      isTrial: false,
      createdDateTime: new Date().toISOString(),
      ...subscription,
    };
    this.tenant(tenantId).subscriptions.push(full);
    return full;
  }

  /** Changes a subscription (found by `id` or `commerceSubscriptionId`). */
  updateSubscription(tenantId: string, id: string, change: Partial<FakeCompanySubscription>): void {
    const found = this.tenant(tenantId).subscriptions.find(
      (s) => s.id === id || s.commerceSubscriptionId === id,
    );
    if (!found) throw new Error(`no subscription ${id} in tenant ${tenantId}`);
    Object.assign(found, change);
  }

  /** How many users hold a license of the SKU (subscribedSku.consumedUnits). */
  assignUsers(tenantId: string, skuId: string, users: number): void {
    this.tenant(tenantId).consumed.set(skuId, users);
  }

  /** Queues a fault for the next `times` requests whose path matches. */
  fail(path: RegExp, fault: GraphFault, times = 1): void {
    this.faults.add(path, fault, times);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  private tenant(tenantId: string): FakeTenant {
    const found = this.tenants.get(tenantId.toLowerCase());
    if (!found) throw new Error(`no tenant ${tenantId} in the fake Graph`);
    return found;
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    const path = url.pathname;
    const body = await readAll(req);
    const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
    if (req.method === "POST" && token?.[1]) {
      this.counts.token++;
      if (this.applyFault(path, res)) return;
      return this.issueToken(
        decodeURIComponent(token[1]),
        new URLSearchParams(body.toString()),
        res,
      );
    }
    if (req.method === "GET" && path.startsWith("/v1.0/")) {
      this.counts.graph++;
      this.log.push(`${path}${url.search}`);
      if (this.applyFault(path, res)) return;
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      const tenantId = bearer ? this.tokens.get(bearer) : undefined;
      if (!tenantId) {
        return graphError(
          res,
          401,
          "InvalidAuthenticationToken",
          "Access token is empty or invalid.",
        );
      }
      const tenant = this.tenant(tenantId);
      if (!tenant.canRead) {
        return graphError(
          res,
          403,
          "Authorization_RequestDenied",
          "Insufficient privileges to complete the operation.",
        );
      }
      const skip = Number(url.searchParams.get("$skiptoken") ?? "0");
      if (path === "/v1.0/directory/subscriptions") {
        return this.page(res, path, tenant.subscriptions.map(companySubscription), skip);
      }
      if (path === "/v1.0/subscribedSkus")
        return this.page(res, path, subscribedSkus(tenant), skip);
    }
    graphError(res, 404, "Request_ResourceNotFound", "Resource not found for the segment.");
  }

  private issueToken(tenantId: string, form: URLSearchParams, res: ServerResponse) {
    const tenant = this.tenants.get(tenantId.toLowerCase());
    const valid =
      form.get("grant_type") === "client_credentials" &&
      form.get("scope") === "https://graph.microsoft.com/.default";
    if (!valid) {
      return oauthError(
        res,
        400,
        "invalid_request",
        900144,
        "The request body must contain the parameter: 'grant_type' and a valid 'scope'.",
      );
    }
    if (form.get("client_id") !== this.clientId || !tenant?.consented) {
      return oauthError(
        res,
        400,
        "unauthorized_client",
        700016,
        `Application with identifier '${form.get("client_id")}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
      );
    }
    if (form.get("client_secret") !== this.clientSecret) {
      return oauthError(res, 401, "invalid_client", 7000215, "Invalid client secret provided.");
    }
    const accessToken = `graph-${randomUUID()}`;
    this.tokens.set(accessToken, tenantId);
    sendJson(res, 200, {
      token_type: "Bearer",
      expires_in: this.options.tokenLifetimeSeconds ?? 3599,
      ext_expires_in: this.options.tokenLifetimeSeconds ?? 3599,
      access_token: accessToken,
    });
  }

  private page(res: ServerResponse, path: string, items: unknown[], skip: number) {
    const slice = items.slice(skip, skip + this.pageSize);
    const more = skip + this.pageSize < items.length;
    sendJson(res, 200, {
      "@odata.context": `${this.url}/v1.0/$metadata#${path.endsWith("subscribedSkus") ? "subscribedSkus" : "directory/subscriptions"}`,
      value: slice,
      ...(more
        ? { "@odata.nextLink": `${this.url}${path}?$skiptoken=${skip + this.pageSize}` }
        : {}),
    });
  }

  private applyFault(path: string, res: ServerResponse): boolean {
    const fault = this.faults.take(path);
    if (!fault) return false;
    if (fault.kind === "hang") return true; // never answers: the client's timeout must fire
    if (fault.kind === "body") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(fault.body);
      return true;
    }
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (fault.retryAfter !== undefined) headers["retry-after"] = String(fault.retryAfter);
    res.writeHead(fault.status, headers);
    res.end(
      JSON.stringify({
        error: {
          code: fault.status === 429 ? "TooManyRequests" : "serviceNotAvailable",
          message: "injected fault",
          innerError: { date: new Date().toISOString(), "request-id": randomUUID() },
        },
      }),
    );
    return true;
  }
}

function companySubscription(s: FakeCompanySubscription) {
  return { ...s, serviceStatus: [] };
}

function subscribedSkus(tenant: FakeTenant) {
  const bySku = new Map<string, { skuPartNumber: string; units: Record<string, number> }>();
  for (const s of tenant.subscriptions) {
    const entry = bySku.get(s.skuId) ?? {
      skuPartNumber: s.skuPartNumber,
      units: { enabled: 0, warning: 0, suspended: 0, lockedOut: 0 },
    };
    const unit = {
      Enabled: "enabled",
      Warning: "warning",
      Suspended: "suspended",
      LockedOut: "lockedOut",
    }[s.status as string];
    if (unit) entry.units[unit] = (entry.units[unit] ?? 0) + s.totalLicenses;
    bySku.set(s.skuId, entry);
  }
  return [...bySku].map(([skuId, { skuPartNumber, units }]) => ({
    accountId: "f0a1b2c3-0000-4000-8000-000000000000",
    accountName: "Fake account",
    appliesTo: "User",
    capabilityStatus: units.enabled ? "Enabled" : "Suspended",
    consumedUnits: tenant.consumed.get(skuId) ?? 0,
    id: `tenant_${skuId}`,
    prepaidUnits: units,
    servicePlans: [],
    skuId,
    skuPartNumber,
    subscriptionIds: [],
  }));
}

function graphError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, {
    error: {
      code,
      message,
      innerError: {
        date: new Date().toISOString(),
        "request-id": randomUUID(),
        "client-request-id": randomUUID(),
      },
    },
  });
}

function oauthError(
  res: ServerResponse,
  status: number,
  error: string,
  code: number,
  text: string,
): void {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = `${new Date().toISOString().replace("T", " ").slice(0, 19)}Z`;
  sendJson(res, status, {
    error,
    error_description: `AADSTS${code}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  });
}
