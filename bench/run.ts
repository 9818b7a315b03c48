/**
 * `npm run bench` prints the figures; `npm run --silent bench -- --json` prints one JSON object.
 * Each part measures against real local services; nothing here is a pass/fail test.
 */
import "../local/quiet-sdk.js";
import { benchBound } from "./bound.js";
import { benchBundles } from "./bundles.js";
import { benchBurst } from "./burst.js";
import { benchCapacity } from "./capacity.js";
import { benchCore, startPutEventsSink } from "./core.js";
import { benchDigests } from "./digests.js";
import { benchE2e } from "./e2e.js";
import { progress, startBenchDynamo } from "./harness.js";
import { benchPartnerCenter } from "./partner-center.js";
import { benchReadShare } from "./read-share.js";
import { benchReminders } from "./reminders.js";
import { benchTenant } from "./tenant.js";
import { benchWeb } from "./web.js";

const json = process.argv.includes("--json");
/** `npm run bench -- readShare` runs one part alone (the parts that can run alone). */
const only = process.argv.slice(2).find((arg) => !arg.startsWith("--"));
const ALONE: Record<
  string,
  (bench: Awaited<ReturnType<typeof startBenchDynamo>>) => Promise<object>
> = { readShare: benchReadShare };

function print(figures: Record<string, unknown>): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return;
  }
  for (const [key, value] of Object.entries(figures)) {
    console.log(`${key.padEnd(28)} ${typeof value === "object" ? JSON.stringify(value) : value}`);
  }
}

async function runAlone(name: string): Promise<void> {
  const part = ALONE[name];
  if (!part)
    throw new Error(`no bench part "${name}" runs alone; try ${Object.keys(ALONE).join(", ")}`);
  progress("starting DynamoDB Local");
  const bench = await startBenchDynamo();
  try {
    print({ ...(await part(bench)) });
  } finally {
    await bench.dynamo.stop();
  }
}

async function main(): Promise<void> {
  const figures: Record<string, unknown> = {};
  progress("starting DynamoDB Local");
  const bench = await startBenchDynamo();
  try {
    progress("core: store and handlers");
    Object.assign(figures, await benchCore(bench));
    const sink = await startPutEventsSink();
    try {
      Object.assign(figures, await benchCapacity(bench, sink.endpoint));
      Object.assign(figures, await benchBurst(bench, sink.endpoint));
    } finally {
      sink.server.close();
    }
    Object.assign(figures, await benchBound(bench));
    progress("reminders: 100,000 originals, 1% due; indexed scan against a full-table Scan");
    Object.assign(figures, await benchReminders(bench.dynamo.endpoint));
    progress("readShare: request read units against a full Scan, on a table with history");
    Object.assign(figures, await benchReadShare(bench));
    progress("web: / and /api/transfers with 1,000 transfers, headless Chromium");
    Object.assign(figures, await benchWeb(bench));
    progress(
      "partner center: webhook verification (cached certificate), reconciliation of 200 transfers",
    );
    Object.assign(figures, await benchPartnerCenter(bench));
    progress("tenant: Graph reads of a 20- and a 2,000-subscription tenant (fake Graph)");
    Object.assign(figures, await benchTenant());
  } finally {
    await bench.dynamo.stop();
  }
  progress("bundles: esbuild with the stack's options, cold init in fresh processes");
  const { maxBundleBytes, maxColdInitMs, bundles } = await benchBundles();
  Object.assign(figures, { maxBundleBytes, maxColdInitMs, bundles });
  progress("end to end: npm start, 10,000 events over 1,000 transfers");
  Object.assign(figures, await benchE2e());
  // The runtime's DynamoDB work per second as a share of what raw conditional writes reach.
  const share =
    (Number(figures.e2eEventsPerSecond) * Number(figures.requestsPerEvent)) /
    Number(figures.rawConditionalPutsPerSecond);
  if (Number.isFinite(share)) figures.e2eShareOfRawWrites = Math.round(share * 100) / 100;
  progress("reminder digests: npm start, 100 partners x 10 due originals, one scan");
  Object.assign(figures, await benchDigests());
  print(figures);
}

(only ? runAlone(only) : main()).catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
