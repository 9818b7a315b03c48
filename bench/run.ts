/**
 * `npm run bench` prints the figures; `npm run --silent bench -- --json` prints one JSON object.
 * Each part measures against real local services; nothing here is a pass/fail test.
 */
import { benchCore } from "./core.js";
import { progress, startBenchDynamo } from "./harness.js";

const json = process.argv.includes("--json");

async function main(): Promise<void> {
  const figures: Record<string, unknown> = {};
  progress("starting DynamoDB Local");
  const bench = await startBenchDynamo();
  try {
    progress("core: store and handlers");
    Object.assign(figures, await benchCore(bench));
  } finally {
    await bench.dynamo.stop();
  }
  if (json) {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return;
  }
  for (const [key, value] of Object.entries(figures)) {
    console.log(`${key.padEnd(28)} ${typeof value === "object" ? JSON.stringify(value) : value}`);
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
