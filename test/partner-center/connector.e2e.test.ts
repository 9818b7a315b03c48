/**
 * The Partner Center connector end to end on the local runtime (real DynamoDB Local, the real
 * local bus, the CLI as a child process) against the project's fake Partner Center with
 * certificates made here: invitation from a CSV, signed webhooks moving the transfer to ACCEPTED
 * and PROVISIONED, reconciliation, and every fault the processor must sort.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../../bin/cli/main.js";
import { postWebhook, signNotification } from "../../local/fakes/partner-center/sign.js";
import type { LocalRuntime } from "../../local/runtime.js";
import {
  cli,
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
} from "./support.js";

let world: PartnerCenterWorld;
let runtime: LocalRuntime;
let ports: Ports;
let env: Record<string, string>;
let webhook: string;

type View = {
  status: string;
  history: { eventId: string; detailType: string }[];
  subscriptions: { subscriptionId: string; replacement: { subscriptionId: string } | null }[];
  unmatched: { subscriptionId: string }[];
};
type DeadLetter = { reason: string; detailType: string };

beforeAll(async () => {
  world = await startPartnerCenterWorld();
  Object.assign(process.env, world.env);
  const dynamoEndpoint = inject("dynamoEndpoint");
  ports = await freeRuntimePorts(dynamoEndpoint);
  const tableName = `pc-${randomUUID()}`;
  env = { ...cliEnv(ports, tableName), ...world.env };
  Object.assign(process.env, env);
  runtime = await startTestRuntime(ports, dynamoEndpoint, tableName, { maxAttempts: 2 });
  webhook = `${runtime.endpoints.web}/partner-center/webhook`;
});

afterAll(async () => {
  await runtime?.stop();
  await world?.stop();
});

function notification(eventName: string, resourceUri: string, at = new Date().toISOString()) {
  return JSON.stringify({
    EventName: eventName,
    ResourceUri: resourceUri,
    ResourceName: eventName.startsWith("subscription") ? "subscription" : "customer",
    AuditUri: null,
    ResourceChangeUtcDate: at,
  });
}

async function send(body: string) {
  const answer = await postWebhook(
    webhook,
    signNotification(body, world.signer, world.certificateUrl),
  );
  await drain(ports.events);
  return answer;
}

/** The CLI in this process (its target reads the ports from process.env), for speed. */
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

const show = (customer: string) =>
  inProcess<View>(["show", "--partner", PARTNER_ID, "--customer", customer]);
const deadLetters = () => inProcess<DeadLetter[]>(["dlq", "list"]);

async function invite(
  customer: string,
  originals: { id: string; offer: string }[],
  run: <T>(args: string[]) => Promise<T> = inProcess,
) {
  const csv = writeCsv([
    CSV_HEADER,
    ...originals.map(
      (o) => `${o.id},${o.offer},"Offer ${o.offer}, annual",10,2027-03-01,false,,P1Y`,
    ),
  ]);
  const result = await run<{ eventId: string; relationshipUrl: string | null }>([
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
  return result;
}

// One transfer's story, step by step: its steps run in order even when the run shuffles tests.
describe("an invitation from a CSV, then Partner Center's webhooks", { shuffle: false }, () => {
  const customer = randomUUID();
  const originals = [
    { id: randomUUID(), offer: "CFQ7TTC0LH18" },
    { id: randomUUID(), offer: "CFQ7TTC0LH0R" },
  ];

  it("invite emits Invitation Sent and prints the reseller relationship link", async () => {
    // The real CLI, as a child process.
    const result = await invite(customer, originals, (args) => cliJson(args, env));
    expect(result.eventId).toMatch(/\S/);
    expect(result.relationshipUrl).toContain(`partnerId=${PARTNER_ID}`);
    expect((await show(customer)).status).toBe("INVITED");
  });

  it("the signed acceptance moves the transfer to ACCEPTED; the same notification again changes nothing", async () => {
    world.fake.addCustomer({ id: customer, companyName: "Fabrikam Ltd", country: "GB" });
    const body = notification(
      "reseller-relationship-accepted-by-customer",
      world.fake.resourceUri(customer),
    );
    expect((await send(body)).status).toBe(200);
    const first = await show(customer);
    expect(first.status).toBe("ACCEPTED");
    expect((await send(body)).status).toBe(200);
    expect((await show(customer)).history).toHaveLength(first.history.length);
  });

  it("subscription-updated for new active subscriptions moves it to PROVISIONED, once", async () => {
    const apiBefore = world.fake.counts.api;
    for (const original of originals) {
      const sub = world.fake.addSubscription(customer, { offerId: original.offer, quantity: 10 });
      expect(
        (await send(notification("subscription-updated", world.fake.resourceUri(customer, sub.id))))
          .status,
      ).toBe(200);
    }
    const view = await show(customer);
    expect(view.status).toBe("PROVISIONED");
    expect(view.subscriptions.every((s) => s.replacement !== null)).toBe(true);
    expect(world.fake.counts.api - apiBefore).toBe(2);
    // A repeat of a known subscription asks Partner Center nothing and emits nothing.
    const known = view.subscriptions[0]?.replacement?.subscriptionId as string;
    await send(notification("subscription-updated", world.fake.resourceUri(customer, known)));
    expect(world.fake.counts.api - apiBefore).toBe(2);
    expect((await show(customer)).history).toHaveLength(view.history.length);
  });

  it("an update of one of the originals, a suspended subscription and test-created emit nothing", async () => {
    const before = await show(customer);
    world.fake.addSubscription(customer, { id: originals[0]?.id, offerId: "CFQ7TTC0LH18" });
    const suspended = world.fake.addSubscription(customer, { offerId: "X", status: "suspended" });
    await send(
      notification("subscription-updated", world.fake.resourceUri(customer, originals[0]?.id)),
    );
    await send(
      notification("subscription-updated", world.fake.resourceUri(customer, suspended.id)),
    );
    await send(
      notification(
        "test-created",
        `${world.fake.url}/webhooks/v1/registration/validationEvents/${randomUUID()}`,
      ),
    );
    expect((await show(customer)).history).toHaveLength(before.history.length);
  });
});

describe("reconciliation", () => {
  it("emits what the webhooks missed with at most two Partner Center requests per transfer", async () => {
    // A partner of its own, so the transfers other tests leave in progress are not reconciled here.
    const partner = randomUUID();
    const own = { ...env, PARTNER_CENTER_PARTNER_ID: partner };
    const run = <T>(args: string[]) => cliJson<T>(args, own);
    const showOwn = (customer: string) =>
      inProcess<View>(["show", "--partner", partner, "--customer", customer]);
    const accepted = randomUUID();
    const waiting = randomUUID();
    const acceptedOriginal = randomUUID();
    await invite(accepted, [{ id: acceptedOriginal, offer: "CFQ7TTC0LH18" }], run);
    await invite(waiting, [{ id: randomUUID(), offer: "CFQ7TTC0LH18" }], run);
    world.fake.addCustomer({ id: accepted, companyName: "Contoso", country: "GB" });
    // Older than the invitation: the partner's existing subscription, not a replacement.
    world.fake.addSubscription(accepted, { offerId: "OLD", creationDate: "2020-01-01T00:00:00Z" });
    world.fake.addSubscription(accepted, { offerId: "CFQ7TTC0LH18", quantity: 10 });
    world.fake.addSubscription(accepted, { offerId: "CFQ7TTC0LH18", status: "suspended" });

    const apiBefore = world.fake.counts.api;
    const result = await run<{ transfers: number; emitted: number }>(["reconcile"]);
    await drain(ports.events);
    const requests = world.fake.counts.api - apiBefore;
    expect(result).toMatchObject({ transfers: 2, emitted: 2 }); // Accepted + one Provisioned
    expect(requests).toBeLessThanOrEqual(2 * result.transfers);
    expect((await showOwn(accepted)).status).toBe("PROVISIONED");
    expect((await showOwn(waiting)).status).toBe("INVITED");

    const again = await run<{ transfers: number; emitted: number }>(["reconcile"]);
    expect(again.emitted).toBe(0);
  });
});

describe("faults the processor sorts", () => {
  async function transferWithCustomer() {
    const customer = randomUUID();
    await invite(customer, [{ id: randomUUID(), offer: "CFQ7TTC0LH18" }]);
    world.fake.addCustomer({ id: customer, companyName: "Tailspin", country: "GB" });
    return customer;
  }

  it("404: nothing emitted, nothing dead-lettered", async () => {
    const customer = await transferWithCustomer();
    const before = (await deadLetters()).length;
    await send(
      notification("subscription-updated", world.fake.resourceUri(customer, randomUUID())),
    );
    expect((await show(customer)).status).toBe("INVITED");
    expect(await deadLetters()).toHaveLength(before);
  });

  it("403: dead-lettered with the reason, nothing emitted", async () => {
    const customer = await transferWithCustomer();
    const sub = world.fake.addSubscription(customer, { offerId: "CFQ7TTC0LH18" });
    world.fake.fail(/\/subscriptions\//, { kind: "status", status: 403 });
    await send(notification("subscription-updated", world.fake.resourceUri(customer, sub.id)));
    expect((await show(customer)).status).toBe("INVITED");
    expect((await deadLetters()).at(-1)?.reason).toMatch(/refused GET .* with 403/);
  });

  it("429 and 503 are retried with backoff and then succeed", async () => {
    const customer = await transferWithCustomer();
    const sub = world.fake.addSubscription(customer, { offerId: "CFQ7TTC0LH18" });
    world.fake.fail(/\/subscriptions\//, { kind: "status", status: 429, retryAfter: 0 });
    world.fake.fail(/\/subscriptions\//, { kind: "status", status: 503 });
    await send(notification("subscription-updated", world.fake.resourceUri(customer, sub.id)));
    expect((await show(customer)).status).toBe("PROVISIONED");
  });

  it("a Partner Center that keeps failing ends in the dead letters after the retries", async () => {
    const customer = await transferWithCustomer();
    const sub = world.fake.addSubscription(customer, { offerId: "CFQ7TTC0LH18" });
    world.fake.fail(/\/subscriptions\//, { kind: "status", status: 500 }, 100);
    await send(notification("subscription-updated", world.fake.resourceUri(customer, sub.id)));
    world.fake.clearFaults();
    expect((await show(customer)).status).toBe("INVITED");
    expect((await deadLetters()).at(-1)?.reason).toMatch(/answered 500 \(after 4 attempts\)/);
  });

  it.each([
    ["garbage", { kind: "body" as const, body: "<html>gateway</html>" }, /not JSON/],
    ["a wrong shape", { kind: "body" as const, body: '{"id": 5}' }, /unexpected shape/],
  ])("an answer that is %s is dead-lettered, nothing emitted", async (_label, fault, reason) => {
    const customer = await transferWithCustomer();
    const sub = world.fake.addSubscription(customer, { offerId: "CFQ7TTC0LH18" });
    world.fake.fail(/\/subscriptions\//, fault);
    await send(notification("subscription-updated", world.fake.resourceUri(customer, sub.id)));
    expect((await show(customer)).status).toBe("INVITED");
    expect((await deadLetters()).at(-1)?.reason).toMatch(reason);
  });

  it("a subscription of another customer is refused", async () => {
    const customer = await transferWithCustomer();
    const other = await transferWithCustomer();
    const sub = world.fake.addSubscription(other, { offerId: "CFQ7TTC0LH18" });
    // The fake serves the other customer's subscription under this customer's path.
    world.fake.fail(/\/subscriptions\//, {
      kind: "body",
      body: JSON.stringify({
        ...sub,
        links: { self: { uri: `/customers/${other}/subscriptions/${sub.id}` } },
      }),
    });
    await send(notification("subscription-updated", world.fake.resourceUri(customer, sub.id)));
    expect((await show(customer)).status).toBe("INVITED");
    expect((await deadLetters()).at(-1)?.reason).toMatch(
      /subscription of customer .* when asked for/,
    );
  });

  it.each([
    ["another host", (c: string) => `https://evil.example/v1/customers/${c}`],
    ["a dot-segment trick", (c: string) => `${world.fake.url}/v1/customers/x/../${c}`],
    ["an encoded slash", (c: string) => `${world.fake.url}/v1/customers/${c}%2Fsubscriptions%2Fx`],
    ["a query", (c: string) => `${world.fake.url}/v1/customers/${c}?x=1`],
  ])("a ResourceUri on %s is refused without asking Partner Center", async (_label, uri) => {
    const customer = await transferWithCustomer();
    const apiBefore = world.fake.counts.api;
    await send(notification("reseller-relationship-accepted-by-customer", uri(customer)));
    expect((await show(customer)).status).toBe("INVITED");
    expect(world.fake.counts.api).toBe(apiBefore);
    expect((await deadLetters()).at(-1)?.reason).toMatch(/ResourceUri/);
  });
});

describe("the receiver on the local web server", () => {
  it("refuses unsigned and oversize requests and emits nothing", async () => {
    const before = await drain(ports.events);
    const body = notification("test-created", `${world.fake.url}/webhooks/v1/x`);
    const unsigned = await fetch(webhook, { method: "POST", body });
    expect(unsigned.status).toBe(401);
    const huge = await fetch(webhook, { method: "POST", body: "x".repeat(65 * 1024) });
    expect(huge.status).toBe(413);
    const after = await drain(ports.events);
    expect(after.delivered).toBe(before.delivered);
  });

  it("the CLI's bad invite rows name line and column and emit nothing", async () => {
    const before = await drain(ports.events);
    const csv = writeCsv([
      CSV_HEADER,
      "s1,o1,Office,10,2027-01-01,false,,P1Y",
      "s2,o2,Exchange,ten,2027-01-01,true,,",
    ]);
    const result = await cli(
      [
        "invite",
        "--customer",
        randomUUID(),
        "--name",
        "N",
        "--country",
        "GB",
        "--email",
        "a@b.example",
        "--originals",
        csv,
      ],
      env,
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^error: .*line 3, quantity: /);
    expect((await drain(ports.events)).delivered).toBe(before.delivered);
  });
});
