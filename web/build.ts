/**
 * Builds the browser code with esbuild (no other build chain): `app.js` enhances the pages the
 * local server renders; `spa.js` is the signed-in app the deployed stack serves from S3, which
 * renders the same pages (shared/web) from the JSON API. Used by the local server (in memory, on
 * first request) and by the CDK construct (to a folder it uploads).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export type WebAssets = { js: string; spa: string; css: string };

async function bundle(entry: string, minify: boolean): Promise<string> {
  const result = await build({
    entryPoints: [here(entry)],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["chrome120", "firefox120", "safari17"],
    minify,
    write: false,
    logLevel: "warning",
    legalComments: "none",
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error(`esbuild produced nothing for ${entry}`);
  return output.text;
}

/** The local server needs only `app.js`; `spa.js` is built for the deployed stack. */
export async function buildWebAssets(
  options: { spa?: boolean; minify?: boolean } = {},
): Promise<WebAssets> {
  const minify = options.minify ?? true;
  const [js, spa] = await Promise.all([
    bundle("./app.ts", minify),
    options.spa ? bundle("./spa.ts", minify) : Promise.resolve(""),
  ]);
  return { js, spa, css: readFileSync(here("./styles.css"), "utf8") };
}
