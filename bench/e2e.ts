/**
 * End-to-end benchmark of the local runtime, started with the real `npm start` (in memory, on
 * free ports): time to ready, then 10,000 events over 1,000 transfers put with the real
 * EventBridge client and fully processed by the handlers.
 *
 * - startupMs: spawning `npm start` until its three ready lines are printed.
 * - e2eEventsPerSecond: events / (first PutEvents until `POST /_local/drain` returns).
 * - e2eLatencyP99Ms: p99 of acceptance by PutEvents until the handler finished updating the
 *   record, as measured by the runtime (GET /_local/stats), for 300 events put one at a time
 *   after the throughput run (under saturation the figure would only measure queueing).
 * - rawConditionalPutsPerSecond: conditional PutItem requests the runtime's DynamoDB Local
 *   accepts per second from this process at the runtime's delivery concurrency: the ceiling
 *   e2eEventsPerSecond x requestsPerEvent is compared with.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import { freePort } from "../local/free-port.js";
import { rawConditionalPutsPerSecond } from "./raw-writes.js";

const TRANSFERS = 1_000;
const EVENTS_PER_TRANSFER = 10;
const SENDERS = 8;
/** Deliveries the runtime runs at once (local/runtime.ts). */
const DELIVERY_CONCURRENCY = 32;
const RAW_PUTS = 5_000;
/** Transfers (five events each) put one event at a time for the latency figure. */
const LATENCY_TRANSFERS = 60;
const ROOT = fileURLToPath(new URL("..", import.meta.url));

function entry(detailType: string, detail: Record<string, unknown>, time: string) {
  return {
    EventBusName: "csp-transfers",
    Source: "csp.transfers",
    DetailType: detailType,
    Detail: JSON.stringify(detail),
    Time: new Date(time),
  } satisfies PutEventsRequestEntry;
}

/** Ten events of one transfer: invitation (3 originals) ... all ended, plus one re-sent fact. */
function transferEvents(n: number): PutEventsRequestEntry[] {
  const key = { partnerId: `bench-partner-${n % 50}`, customerTenantId: `bench-tenant-${n}` };
  const subs = [0, 1, 2].map((i) => ({
    subscriptionId: `o-${n}-${i}`,
    offerId: `offer-${i}`,
    offerName: `Offer ${i}`,
    quantity: 10 + i,
    commitmentEndDate: "2026-06-30T00:00:00Z",
    autoRenewEnabled: i === 2,
  }));
  const accepted = entry(
    "Invitation Accepted",
    { ...key, acceptedAt: "2026-01-06T10:00:00Z" },
    "2026-01-06T10:00:00Z",
  );
  return [
    entry(
      "Invitation Sent",
      {
        ...key,
        partnerCountry: "GB",
        partnerEmail: "partner@bench.example",
        customerName: `Customer ${n}`,
        customerCountry: "GB",
        sentAt: "2026-01-05T09:00:00Z",
        subscriptions: subs,
      },
      "2026-01-05T09:00:00Z",
    ),
    accepted,
    ...subs.map((s, i) =>
      entry(
        "Subscription Provisioned",
        {
          ...key,
          subscriptionId: `n-${n}-${i}`,
          offerId: s.offerId,
          quantity: s.quantity,
          provisionedAt: "2026-02-01T12:00:00Z",
        },
        "2026-02-01T12:00:00Z",
      ),
    ),
    entry(
      "Original Subscription Updated",
      {
        ...key,
        subscriptionId: `o-${n}-2`,
        updatedAt: "2026-03-01T08:00:00Z",
        autoRenewEnabled: false,
      },
      "2026-03-01T08:00:00Z",
    ),
    ...subs.map((s) =>
      entry(
        "Original Subscription Ended",
        {
          ...key,
          subscriptionId: s.subscriptionId,
          endedAt: "2026-06-30T00:00:00Z",
          reason: "expired",
        },
        "2026-06-30T00:00:00Z",
      ),
    ),
    accepted,
  ];
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export async function startRuntime(ports: {
  events: number;
  dynamodb: number;
  ses: number;
  web: number;
}) {
  const started = Date.now();
  const tableName = `bench-${randomUUID()}`;
  const child = spawn("npm", ["start", "--silent", "--", "--in-memory", "--scan-every", "off"], {
    cwd: ROOT,
    detached: true,
    env: {
      ...process.env,
      EVENTS_PORT: String(ports.events),
      DYNAMODB_PORT: String(ports.dynamodb),
      SES_PORT: String(ports.ses),
      WEB_PORT: String(ports.web),
      LOCAL_TABLE_NAME: tableName,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    output += c.toString();
  });
  while ((output.match(/ ready at /g) ?? []).length < 3) {
    if (child.exitCode !== null) throw new Error(`npm start failed:\n${output}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { child, startupMs: Date.now() - started, tableName };
}

/** Ctrl-C to the whole process group, as a terminal does. */
export async function stopRuntime(child: ChildProcess) {
  if (child.pid === undefined || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  process.kill(-child.pid, "SIGINT");
  await exited;
}

export async function benchE2e(): Promise<{
  e2eEventsPerSecond: number;
  e2eLatencyP99Ms: number;
  startupMs: number;
  rawConditionalPutsPerSecond: number;
}> {
  const ports = {
    events: await freePort(),
    dynamodb: await freePort(),
    ses: await freePort(),
    web: await freePort(),
  };
  const { child, startupMs } = await startRuntime(ports);
  const endpoint = `http://127.0.0.1:${ports.events}`;
  const client = new EventBridgeClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
  });
  try {
    const batches: PutEventsRequestEntry[][] = [];
    for (let n = 0; n < TRANSFERS; n++) {
      const events = transferEvents(n);
      batches.push(events.slice(0, 5), events.slice(5));
    }
    const total = TRANSFERS * EVENTS_PER_TRANSFER;
    const began = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: SENDERS }, async () => {
        while (next < batches.length) {
          const batch = batches[next++];
          if (!batch) break;
          const result = await client.send(new PutEventsCommand({ Entries: batch }));
          if (result.FailedEntryCount) throw new Error(JSON.stringify(result.Entries));
        }
      }),
    );
    const drained = (await (
      await fetch(`${endpoint}/_local/drain`, { method: "POST" })
    ).json()) as {
      delivered: number;
      deadLettered: number;
    };
    const seconds = (performance.now() - began) / 1000;
    if (drained.delivered !== total || drained.deadLettered !== 0) {
      throw new Error(`expected ${total} deliveries, got ${JSON.stringify(drained)}`);
    }
    // Latency under a steady trickle rather than a saturated queue: one PutEvents at a time,
    // each with the next fact of a fresh transfer.
    const latencyEvents = Array.from({ length: LATENCY_TRANSFERS }, (_, i) =>
      transferEvents(TRANSFERS + i).slice(0, 5),
    ).flat();
    for (const event of latencyEvents) {
      const result = await client.send(new PutEventsCommand({ Entries: [event] }));
      if (result.FailedEntryCount) throw new Error(JSON.stringify(result.Entries));
      await fetch(`${endpoint}/_local/drain`, { method: "POST" });
    }
    const stats = (await (await fetch(`${endpoint}/_local/stats`)).json()) as {
      deliveryLatenciesMs: number[];
    };
    const raw = await rawConditionalPutsPerSecond({
      endpoint: `http://127.0.0.1:${ports.dynamodb}`,
      concurrency: DELIVERY_CONCURRENCY,
      puts: RAW_PUTS,
    });
    return {
      e2eEventsPerSecond: Math.round(total / seconds),
      e2eLatencyP99Ms: Math.round(percentile(stats.deliveryLatenciesMs.slice(total), 99)),
      startupMs,
      rawConditionalPutsPerSecond: raw,
    };
  } finally {
    client.destroy();
    await stopRuntime(child);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  benchE2e().then(
    (result) => console.log(JSON.stringify(result)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
