/**
 * `npm run screenshots`: saves a screenshot of each page of the web app into docs/screenshots/,
 * with the browser helpers and sample transfers of the browser tests, against a throwaway local
 * runtime (its own DynamoDB Local on a free port, in memory).
 */
import "../../local/quiet-sdk.js";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startDynamoDbLocal } from "../../local/dynamodb-local.js";
import { freePort } from "../../local/free-port.js";
import { launchBrowser } from "./browser.js";
import { sampleBook } from "./fixtures.js";
import { startWebRuntime } from "./runtime.js";

const OUT = fileURLToPath(new URL("../../docs/screenshots/", import.meta.url));
const PARTNER = "partner-northwind";
const PAGES = [
  ["transfers.png", "/"],
  ["transfer.png", `/transfers/${PARTNER}/tenant-01`],
  ["due.png", "/due"],
] as const;

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  const web = await startWebRuntime(dynamo.endpoint);
  const browser = await launchBrowser();
  try {
    await web.load(sampleBook(PARTNER, new Date().toISOString()));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    for (const [file, path] of PAGES) {
      await page.goto(`${web.web}${path}`);
      await page.screenshot({ path: `${OUT}${file}`, fullPage: true });
      console.log(`docs/screenshots/${file}  ${path}`);
    }
  } finally {
    await browser.close();
    await web.stop();
    await dynamo.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`screenshots failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
