/**
 * Builds the browser code with esbuild (no other build chain): `app.js` enhances the pages the
 * local server renders; `spa.js` is the signed-in app the deployed stack serves from S3, which
 * renders the same pages (shared/web) from the JSON API. Used by the local server (in memory, on
 * first request) and by the CDK construct (to a folder it uploads).
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, buildSync } from "esbuild";

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

/** The signed-in app's shell: the same document as a server-rendered page, filled by spa.js. */
export const SPA_INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CSP transfer tracker</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/app.css">
<script type="module" src="/assets/spa.js"></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<div id="app"><main id="main" tabindex="-1"><p>Loading…</p></main></div>
</body>
</html>
`;

/**
 * Writes the deployed site into `outDir` (index.html, assets/spa.js, assets/app.css), with
 * esbuild's synchronous API: CDK constructs are built synchronously at synth.
 */
export function writeSpaSite(outDir: string): void {
  mkdirSync(join(outDir, "assets"), { recursive: true });
  buildSync({
    entryPoints: [here("./spa.ts")],
    outfile: join(outDir, "assets", "spa.js"),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["chrome120", "firefox120", "safari17"],
    minify: true,
    logLevel: "warning",
    legalComments: "none",
  });
  copyFileSync(here("./styles.css"), join(outDir, "assets", "app.css"));
  writeFileSync(join(outDir, "index.html"), SPA_INDEX_HTML);
}
