/**
 * How every Lambda bundle is built: one set of esbuild options shared by the CDK construct
 * (`TrackedFunction`) and the bundle benchmark (`bench/bundles.ts`), so the benchmark measures
 * exactly what is deployed. No aws-cdk-lib import here: the benchmark loads this module too.
 */

/** Lambda runtime the bundles target (`lambda.Runtime` name and esbuild target agree). */
export const LAMBDA_NODE_MAJOR = 24;

/**
 * ESM bundles still contain CommonJS dependencies that call `require` (parts of the AWS SDK);
 * in an ES module `require` does not exist, so the bundle defines one first.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __trackerCreateRequire } from 'node:module'; const require = __trackerCreateRequire(import.meta.url);";

/** Node.js flags the functions run with (source maps give readable stack traces). */
export const RUNTIME_NODE_OPTIONS = "--enable-source-maps";

/** File name NodejsFunction gives an ESM bundle, and the handler export it calls. */
export const BUNDLE_FILE = "index.mjs";
export const HANDLER_EXPORT = "handler";

export const BUNDLE_OPTIONS = {
  platform: "node",
  format: "esm",
  target: `node${LAMBDA_NODE_MAJOR}`,
  minify: true,
  /** Linked external source map (`index.mjs.map`), without the sources' text to keep it small. */
  sourcemap: true,
  sourcesContent: false,
  /** Prefer the ES module builds of dependencies (AWS SDK v3, Powertools) so they tree-shake. */
  mainFields: ["module", "main"],
  banner: ESM_REQUIRE_BANNER,
  /**
   * The SDK clients are bundled (tree-shaken, pinned to the versions the tests ran with) rather
   * than taken from whatever the Lambda runtime ships. Only the credential providers that the
   * default chain imports lazily *after* the environment provider are left out: Lambda always
   * sets AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN and no AWS_PROFILE, so
   * `fromEnv` answers first and these `await import()` calls are never reached (together with
   * the STS/SSO clients they pull in they would add about 80 KB to every bundle). The same holds
   * for the container and instance-metadata providers the chain imports last (about 11 KB).
   */
  external: [
    "@aws-sdk/credential-provider-ini",
    "@aws-sdk/credential-provider-sso",
    "@aws-sdk/credential-provider-process",
    "@aws-sdk/credential-provider-web-identity",
    "@aws-sdk/credential-provider-http",
    "@smithy/credential-provider-imds",
  ] as string[],
} as const;

/** esbuild `build()` options for one function, as the benchmark runs them. */
export function esbuildOptionsFor(entry: string, outfile: string) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: BUNDLE_OPTIONS.platform,
    format: BUNDLE_OPTIONS.format,
    target: BUNDLE_OPTIONS.target,
    minify: BUNDLE_OPTIONS.minify,
    sourcemap: BUNDLE_OPTIONS.sourcemap,
    sourcesContent: BUNDLE_OPTIONS.sourcesContent,
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    banner: { js: BUNDLE_OPTIONS.banner },
    external: [...BUNDLE_OPTIONS.external],
    logLevel: "warning" as const,
  };
}
