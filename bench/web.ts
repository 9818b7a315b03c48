/**
 * The partner web app at 1,000 transfers, served by the real `npm start` (in memory, on free
 * ports, over the bench's DynamoDB Local):
 *
 * - webListMs: median of 5 navigations of headless Chromium to `/` until the list of 1,000 rows
 *   (and the risk chart) is rendered: `load` fired, the rows counted, one animation frame painted.
 * - apiListP99Ms: p99 of 200 sequential `GET /api/transfers` (1,000 summaries each).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { freePort } from "../local/free-port.js";
import { documentClient } from "../shared/store/clients.js";
import { launchBrowser } from "../test/web/browser.js";
import { quietTransfer, riskyTransfer, seed } from "../test/web/fixtures.js";
import { type BenchDynamo, progress } from "./harness.js";

const TRANSFERS = 1_000;
const NAVIGATIONS = 5;
const API_REQUESTS = 200;
const ROOT = fileURLToPath(new URL("..", import.meta.url));

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

async function startRuntime(dynamoEndpoint: string, tableName: string) {
  const ports = { events: await freePort(), ses: await freePort(), web: await freePort() };
  const child = spawn("npm", ["start", "--silent", "--", "--in-memory", "--scan-every", "off"], {
    cwd: ROOT,
    detached: true,
    env: {
      ...process.env,
      EVENTS_PORT: String(ports.events),
      SES_PORT: String(ports.ses),
      WEB_PORT: String(ports.web),
      DYNAMODB_ENDPOINT: dynamoEndpoint,
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
  while (!output.includes("web app ready at")) {
    if (child.exitCode !== null) throw new Error(`npm start failed:\n${output}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { child, web: `http://127.0.0.1:${ports.web}` };
}

async function stopRuntime(child: ChildProcess) {
  if (child.pid === undefined || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  process.kill(-child.pid, "SIGINT");
  await exited;
}

/**
 * webListMs and apiListP99Ms on a table already written with `transfers` transfers: `npm start`
 * over it, headless Chromium on `/`, then `GET /api/transfers` in sequence.
 */
export async function measureWebList(
  bench: BenchDynamo,
  tableName: string,
  transfers: number,
): Promise<{ webListMs: number; apiListP99Ms: number }> {
  const { child, web } = await startRuntime(bench.dynamo.endpoint, tableName);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Warm-up: the first request builds the browser bundle.
    await page.goto(`${web}/`);
    const times: number[] = [];
    for (let i = 0; i < NAVIGATIONS; i++) {
      const began = performance.now();
      await page.goto(`${web}/`, { waitUntil: "load" });
      const rows = await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const doc = globalThis as unknown as {
              document: { querySelectorAll: (s: string) => { length: number } };
              requestAnimationFrame: (f: () => void) => void;
            };
            doc.requestAnimationFrame(() =>
              resolve(doc.document.querySelectorAll("table.transfers tbody tr").length),
            );
          }),
      );
      times.push(performance.now() - began);
      if (rows !== transfers) throw new Error(`expected ${transfers} rows, got ${rows}`);
    }

    const latencies: number[] = [];
    for (let i = 0; i < API_REQUESTS; i++) {
      const began = performance.now();
      const response = await fetch(`${web}/api/transfers`);
      const body = (await response.json()) as unknown[];
      latencies.push(performance.now() - began);
      if (body.length !== transfers) throw new Error(`expected ${transfers} summaries`);
    }
    return {
      webListMs: Math.round(percentile(times, 50)),
      apiListP99Ms: Math.round(percentile(latencies, 99)),
    };
  } finally {
    await browser.close();
    await stopRuntime(child);
  }
}

export async function benchWeb(
  bench: BenchDynamo,
): Promise<{ webListMs: number; apiListP99Ms: number }> {
  const tableName = await bench.newTable(`bench-web-${randomUUID()}`);
  const now = new Date().toISOString();
  const transfers = Array.from({ length: TRANSFERS }, (_, i) =>
    (i % 3 === 0 ? quietTransfer : riskyTransfer)({
      partnerId: `bench-partner-${i % 20}`,
      customerTenantId: `bench-tenant-${i}`,
      customerName: `Customer ${i}`,
      now,
      endsInDays: i % 150,
    }),
  );
  progress(`web: writing ${TRANSFERS} transfers`);
  const db = documentClient(bench.clientConfig);
  await seed({ db, tableName }, transfers);
  db.destroy();
  return measureWebList(bench, tableName, TRANSFERS);
}
