/**
 * SPEC section 10 end to end on the local runtime (real DynamoDB Local, the real local bus and
 * handlers, the CLI) against the project's fake Partner Center and fake Graph: a reconcile reads
 * each accepted transfer's tenant; end dates and seats follow it, an untracked subscription and
 * a coverage gap appear, the gap clears when a replacement on the same SKU arrives, an original
 * the tenant suspends ends, and an unreadable tenant changes nothing but the read log.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from "vitest";
import { runCli } from "../../bin/cli/main.js";
import { FakeGraph } from "../../local/fakes/graph/server.js";
import type { LocalRuntime } from "../../local/runtime.js";
import { documentClient } from "../../shared/store/clients.js";
import { TenantReadLog } from "../../shared/tenant/read-log.js";
import {
  cliEnv,
  cliJson,
  drain,
  freeRuntimePorts,
  type Ports,
  startTestRuntime,
} from "../e2e/helpers.js";
import {
  CSV_HEADER,
  PARTNER_ID,
  type PartnerCenterWorld,
  startPartnerCenterWorld,
  writeCsv,
} from "../partner-center/support.js";
import { LOCAL_CREDENTIALS } from "../support/dynamo.js";

let world: PartnerCenterWorld;
let graph: FakeGraph;
let runtime: LocalRuntime;
let ports: Ports;
let env: Record<string, string>;
let readLog: TenantReadLog;

type Warning = { code: string; subscriptionId: string | null; users?: number; message: string };
type View = {
  status: string;
  warnings: Warning[];
  subscriptions: {
    subscriptionId: string;
    quantity: number;
    commitmentEndDate: string;
    state: string;
  }[];
  history: { detailType: string }[];
  tenant?: { observedAt: string | null; lastAttempt: unknown; coverage: unknown[] };
};
type Reconciled = {
  transfers: number;
  emitted: number;
  tenantsRead: number;
  tenantsUnreadable: number;
};

const customer = randomUUID();
const ORIG_STD = randomUUID();
const ORIG_EXO = randomUUID();
const STANDARDPACK = "18181a46-0d4e-45cd-891e-60aabd171b4e";
const EXCHANGE = "4b9405b0-7788-4568-add1-99614e613b69";

beforeAll(async () => {
  world = await startPartnerCenterWorld();
  graph = await new FakeGraph({
    clientId: world.fake.clientId,
    clientSecret: world.fake.clientSecret,
  }).start();
  const dynamoEndpoint = inject("dynamoEndpoint");
  ports = await freeRuntimePorts(dynamoEndpoint);
  const tableName = `tenant-${randomUUID()}`;
  env = {
    ...cliEnv(ports, tableName),
    ...world.env,
    GRAPH_TOKEN_URL: graph.tokenUrl,
    GRAPH_API_URL: graph.url,
  };
  Object.assign(process.env, env);
  runtime = await startTestRuntime(ports, dynamoEndpoint, tableName, { maxAttempts: 2 });
  readLog = new TenantReadLog(
    documentClient({
      endpoint: dynamoEndpoint,
      region: "us-east-1",
      credentials: LOCAL_CREDENTIALS,
    }),
    tableName,
  );
});

afterAll(async () => {
  await runtime?.stop();
  await graph?.stop();
  await world?.stop();
});

async function inProcess<T>(args: string[]): Promise<T> {
  let out = "";
  let err = "";
  const code = await runCli([...args, "--json"], {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
  });
  if (code !== 0) throw new Error(`cli ${args.join(" ")}: ${err}`);
  return JSON.parse(out) as T;
}

const show = () => inProcess<View>(["show", "--partner", PARTNER_ID, "--customer", customer]);
const reconcile = async () => {
  const result = await inProcess<Reconciled>(["reconcile"]);
  await drain(ports.events);
  return result;
};
const codes = (view: View) => view.warnings.map((w) => w.code);
const sub = (view: View, id: string) => view.subscriptions.find((s) => s.subscriptionId === id);

// One tenant's story, read after read: its steps run in order even when the run shuffles tests.
describe("reconcile reads the customer's tenant", { shuffle: false }, () => {
  it("an invited transfer is not read; once accepted, it is", async () => {
    const csv = writeCsv([
      CSV_HEADER,
      `${ORIG_STD},CFQ7TTC0LH18,"Microsoft 365 Business Standard",10,2031-05-06,false,,P1Y`,
      `${ORIG_EXO},CFQ7TTC0LH0R,"Exchange Online (Plan 1)",10,2031-05-06,false,,P1Y`,
    ]);
    await inProcess([
      "invite",
      "--customer",
      customer,
      "--name",
      "Fabrikam Ltd",
      "--country",
      "GB",
      "--email",
      "licensing@northwind.example",
      "--originals",
      csv,
    ]);
    await drain(ports.events);
    world.fake.addCustomer({ id: customer, companyName: "Fabrikam Ltd", country: "GB" });
    graph.addTenant(customer);
    graph.addSubscription(customer, {
      commerceSubscriptionId: ORIG_STD,
      skuId: STANDARDPACK,
      skuPartNumber: "STANDARDPACK",
      totalLicenses: 10,
      nextLifecycleDateTime: "2031-05-06T00:00:00Z",
      ownerTenantId: randomUUID(),
    });
    graph.addSubscription(customer, {
      commerceSubscriptionId: ORIG_EXO.toUpperCase(),
      skuId: EXCHANGE,
      skuPartNumber: "EXCHANGESTANDARD",
      totalLicenses: 12,
      nextLifecycleDateTime: "2032-05-06T00:00:00Z",
      ownerTenantId: randomUUID(),
    });
    graph.addSubscription(customer, {
      skuId: "6fd2c87f-b296-42f0-b197-1e91e994b900",
      skuPartNumber: "ENTERPRISEPACK",
      totalLicenses: 5,
      nextLifecycleDateTime: "2031-04-06T00:00:00Z",
      ownerTenantId: randomUUID(),
    });
    graph.assignUsers(customer, STANDARDPACK, 7);

    const first = await reconcile();
    expect(first).toEqual({ transfers: 1, emitted: 1, tenantsRead: 0, tenantsUnreadable: 0 });
    expect((await show()).status).toBe("ACCEPTED");

    // The real CLI as a child process: exactly the four keys of SPEC section 9.
    const second = await cliJson<Reconciled>(["reconcile"], env);
    await drain(ports.events);
    expect(second).toEqual({ transfers: 1, emitted: 1, tenantsRead: 1, tenantsUnreadable: 0 });
  });

  it("end dates and seats follow the tenant; the untracked subscription and the coverage gap show", async () => {
    const view = await show();
    expect(sub(view, ORIG_EXO)).toMatchObject({
      quantity: 12,
      commitmentEndDate: "2032-05-06T00:00:00Z",
    });
    expect(sub(view, ORIG_STD)).toMatchObject({ quantity: 10, state: "ACTIVE" });
    expect(codes(view).sort()).toEqual(["LICENSES_NOT_COVERED", "UNTRACKED_ORIGINAL"]);
    const gap = view.warnings.find((w) => w.code === "LICENSES_NOT_COVERED");
    expect(gap).toMatchObject({ subscriptionId: ORIG_STD, users: 7 });
    expect(gap?.message).toContain(
      "7 users hold STANDARDPACK licenses that end with this original on 2031-05-06",
    );
    expect(view.history.filter((h) => h.detailType === "Tenant Observed")).toHaveLength(1);
    const log = await readLog.get({ partnerId: PARTNER_ID, customerTenantId: customer });
    expect(log).toMatchObject({ outcome: "read", reason: null });
    const shown = await inProcess<{ tenant: { lastAttempt: unknown; coverage: unknown[] } }>([
      "show",
      "--partner",
      PARTNER_ID,
      "--customer",
      customer,
    ]);
    expect(shown.tenant.lastAttempt).toMatchObject({ outcome: "read", reason: null });
    expect(shown.tenant.coverage).toContainEqual(
      expect.objectContaining({
        subscriptionId: ORIG_STD,
        skuPartNumber: "STANDARDPACK",
        users: 7,
        remaining: 0,
      }),
    );
  });

  it("an unchanged tenant is read again but emits nothing", async () => {
    const before = await show();
    expect(await reconcile()).toEqual({
      transfers: 1,
      emitted: 0,
      tenantsRead: 1,
      tenantsUnreadable: 0,
    });
    expect((await show()).history).toHaveLength(before.history.length);
  });

  it("the gap clears once a replacement on the same SKU with enough seats is in the tenant", async () => {
    graph.addSubscription(customer, {
      skuId: STANDARDPACK,
      skuPartNumber: "STANDARDPACK",
      totalLicenses: 10,
      ownerTenantId: PARTNER_ID,
    });
    expect(await reconcile()).toMatchObject({ emitted: 1, tenantsRead: 1 });
    expect(codes(await show())).toEqual(["UNTRACKED_ORIGINAL"]);
  });

  it("an unreadable tenant (consent withdrawn) changes nothing; the read log says why", async () => {
    const before = await show();
    graph.setConsent(customer, false);
    onTestFinished(() => graph.setConsent(customer, true));
    expect(await reconcile()).toEqual({
      transfers: 1,
      emitted: 0,
      tenantsRead: 0,
      tenantsUnreadable: 1,
    });
    // The view is the same; only the read log (shown beside it) records the failed attempt.
    const after = await show();
    const withoutLog = (v: View) => ({ ...v, tenant: { ...v.tenant, lastAttempt: null } });
    expect(withoutLog(after)).toEqual(withoutLog(before));
    expect(after.tenant?.observedAt).toBe(before.tenant?.observedAt);
    const log = await readLog.get({ partnerId: PARTNER_ID, customerTenantId: customer });
    expect(log?.outcome).toBe("unreadable");
    expect(log?.reason).toContain("unauthorized_client AADSTS700016");
    expect(log?.lastReadAt).not.toBeNull();
    // The transfer page says when it was last read and why it could not be read now.
    const page = await (
      await fetch(`${runtime.endpoints.web}/transfers/${PARTNER_ID}/${customer}`)
    ).text();
    expect(page).toContain("The customer's tenant</h2>");
    expect(page).toMatch(/Could not be read<\/span> [\d-]+ [\d:]+ UTC: the token endpoint refused/);
    expect(page).toContain("unauthorized_client AADSTS700016");
    expect(page).toMatch(/Last read [\d-]+ [\d:]+ UTC\./);
    expect(page).toContain("STANDARDPACK");
  });

  it("an original the tenant suspends ends, cancelled before its end date", async () => {
    graph.updateSubscription(customer, ORIG_EXO.toUpperCase(), { status: "Suspended" });
    expect(await reconcile()).toMatchObject({ emitted: 1, tenantsRead: 1 });
    const view = await show();
    expect(sub(view, ORIG_EXO)?.state).toBe("CANCELLED");
    expect(codes(view)).toContain("CANCELLED_BEFORE_EXPIRY");
    expect(codes(view)).toContain("ENDED_WITHOUT_REPLACEMENT");
  });
});
