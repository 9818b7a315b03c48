/**
 * Bundle benchmark: builds every function exactly as the CDK stack does (the esbuild options
 * come from infra/bundling.ts) and measures the minified bundle (source map excluded) and the
 * time a fresh Node.js process takes to load it and import the handler.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import {
  BUNDLE_FILE,
  esbuildOptionsFor,
  HANDLER_EXPORT,
  RUNTIME_NODE_OPTIONS,
} from "../infra/bundling.js";
import { FUNCTIONS, type FunctionId, handlerPath } from "../shared/functions.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Fresh processes per bundle; the median is reported (a single run is noisy). */
const COLD_RUNS = 5;

/** What every function's zod environment needs to parse at start-up (any valid values). */
const BENCH_ENV: Record<string, string> = {
  TABLE_NAME: "bench-transfers",
  EVENT_BUS_NAME: "bench-bus",
  SENDER_EMAIL: "reminders@example.com",
  SES_CONFIGURATION_SET: "bench-reminders",
  REMINDER_THRESHOLDS: "60,30,14,7,1",
  POWERTOOLS_SERVICE_NAME: "csp-transfer-tracker",
  LOG_LEVEL: "WARN",
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
};

/** Runs in the child: time from just before the import until the handler is available. */
const COLD_INIT_SCRIPT = `
const started = performance.now();
const mod = await import(process.argv[1]);
if (typeof mod[${JSON.stringify(HANDLER_EXPORT)}] !== "function") throw new Error("no handler export");
process.stdout.write(String(performance.now() - started));
`;

export type BundleFigures = { bytes: number; coldInitMs: number };

export async function benchBundles(): Promise<{
  maxBundleBytes: number;
  maxColdInitMs: number;
  bundles: Record<string, BundleFigures>;
}> {
  const outRoot = await mkdtemp(path.join(tmpdir(), "tracker-bundles-"));
  try {
    const bundles: Record<string, BundleFigures> = {};
    for (const functionId of Object.keys(FUNCTIONS) as FunctionId[]) {
      const outfile = path.join(outRoot, FUNCTIONS[functionId].folder, BUNDLE_FILE);
      await build(esbuildOptionsFor(path.join(REPO_ROOT, handlerPath(functionId)), outfile));
      const { size } = await stat(outfile);
      bundles[functionId] = { bytes: size, coldInitMs: coldInit(outfile) };
    }
    const figures = Object.values(bundles);
    return {
      maxBundleBytes: Math.max(...figures.map((b) => b.bytes)),
      maxColdInitMs: Math.max(...figures.map((b) => b.coldInitMs)),
      bundles,
    };
  } finally {
    await rm(outRoot, { recursive: true, force: true });
  }
}

function coldInit(bundle: string): number {
  const samples: number[] = [];
  for (let run = 0; run < COLD_RUNS; run++) {
    const child = spawnSync(
      process.execPath,
      [
        RUNTIME_NODE_OPTIONS,
        "--input-type=module",
        "--eval",
        COLD_INIT_SCRIPT,
        pathToFileURL(bundle).href,
      ],
      {
        // Only what a Lambda function would have: no inherited NODE_OPTIONS (tsx's loader).
        env: { PATH: process.env.PATH ?? "", ...BENCH_ENV },
        encoding: "utf8",
        timeout: 30_000,
      },
    );
    if (child.status !== 0) {
      throw new Error(`loading ${bundle} failed (exit ${child.status}): ${child.stderr}`);
    }
    samples.push(Number(child.stdout));
  }
  samples.sort((a, b) => a - b);
  return Math.round((samples[Math.floor(samples.length / 2)] ?? Number.NaN) * 10) / 10;
}
