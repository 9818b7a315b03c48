/**
 * `npm start [-- --in-memory] [-- --data-dir DIR] [-- --scan-every 24h|off]`: runs the local
 * runtime until Ctrl-C. Prints one ready line per endpoint; errors are one line and exit 1.
 */
import "./quiet-sdk.js";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { localSettings } from "./config.js";
import { DAY_MS, startLocalRuntime } from "./runtime.js";
import { signalHandler } from "./shutdown.js";

const USAGE =
  "usage: npm start [-- --in-memory | --data-dir DIR] [--scan-every 24h|30m|off] [--max-attempts N]";

/** Parses "24h", "30m", "45s", "500ms" or "off". */
function parseInterval(text: string): number | null {
  if (text === "off") return null;
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!match) throw new Error(`--scan-every wants e.g. 24h, 30m, 45s or off, got "${text}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS }[match[2] as "ms"];
  return Number(match[1]) * unit;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "in-memory": { type: "boolean", default: false },
      "data-dir": { type: "string", default: ".local-data" },
      "scan-every": { type: "string", default: process.env.SCAN_EVERY ?? "24h" },
      "max-attempts": { type: "string", default: "5" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const maxAttempts = Number(values["max-attempts"]);
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new Error(`--max-attempts wants a whole number >= 1, got "${values["max-attempts"]}"`);
  }
  const settings = localSettings();
  const dataDir = values["in-memory"] ? null : resolve(values["data-dir"]);
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const started = Date.now();
  const runtime = await startLocalRuntime({
    ...settings,
    dataDir,
    scanIntervalMs: parseInterval(values["scan-every"]),
    maxAttempts,
    // An already running DynamoDB (e.g. a shared DynamoDB Local) instead of starting one.
    ...(process.env.DYNAMODB_ENDPOINT ? { dynamoEndpoint: process.env.DYNAMODB_ENDPOINT } : {}),
    log: (line) => console.log(line),
  });
  const { events, dynamodb, ses, web } = runtime.endpoints;
  const storage = dataDir ? `data in ${dataDir}` : "in memory";
  console.log(`DynamoDB Local ready at ${dynamodb} (table ${settings.tableName}, ${storage})`);
  console.log(
    `local SES ready at ${ses} (open it in a browser for sent mail; JSON at ${ses}/store)`,
  );
  console.log(
    `events endpoint ready at ${events} (bus ${settings.busName}; POST ${events}/_local/drain)`,
  );
  console.log(`web app ready at ${web}`);
  const scan = runtime.runScan
    ? `expiry scan every ${values["scan-every"]}`
    : "expiry scan not installed yet (functions/expiry-scan)";
  console.log(
    `all ready in ${Date.now() - started} ms; ${runtime.loadedFunctions.length} functions, ${scan}. Ctrl-C to stop.`,
  );

  const shutdown = signalHandler({
    stop: () => runtime.stop(),
    log: (line) => console.log(line),
    exit: (code) => process.exit(code),
  });
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
