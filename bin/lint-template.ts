/**
 * `npm run lint:template`: synthesizes the stack with the CDK CLI, as a deploy would, and checks
 * the template against CloudFormation's resource specification with cfn-lint. Exits non-zero on
 * a cfn-lint error (warnings are printed, not fatal). cfn-lint is a Python tool: without it this
 * says how to install it and exits 0, so a laptop without Python can still run everything else.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const INSTALL_HINT = "pip install cfn-lint (or pipx install cfn-lint)";

/** cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational; 1 a failure. */
const CFN_LINT_FAILED = 1;
const CFN_LINT_ERRORS = 2;
const CFN_LINT_WARNINGS = 4;

function cfnLintVersion(): string | null {
  const probe = spawnSync("cfn-lint", ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) return null;
  return probe.stdout.trim();
}

function main(): number {
  const version = cfnLintVersion();
  if (version === null) {
    console.log(
      `lint:template: cfn-lint is not installed, so the template was not checked. Install it with: ${INSTALL_HINT}`,
    );
    return 0;
  }
  const out = mkdtempSync(join(tmpdir(), "csp-template-"));
  try {
    console.log(`lint:template: synthesizing the stack (${version})`);
    const synth = spawnSync("npx", ["cdk", "synth", "--quiet", "--no-notices", "--output", out], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: "true" },
    });
    if (synth.status !== 0) {
      process.stderr.write(synth.stdout + synth.stderr);
      console.error("lint:template: cdk synth failed");
      return 1;
    }
    const templates = readdirSync(out)
      .filter((f) => f.endsWith(".template.json"))
      .map((f) => join(out, f));
    if (templates.length === 0) {
      console.error(`lint:template: cdk synth wrote no template to ${out}`);
      return 1;
    }
    const lint = spawnSync("cfn-lint", ["--", ...templates], { encoding: "utf8" });
    process.stdout.write(lint.stdout + lint.stderr);
    const code = lint.status ?? CFN_LINT_FAILED;
    if (code & (CFN_LINT_FAILED | CFN_LINT_ERRORS)) {
      console.error(`lint:template: cfn-lint found errors (exit ${code})`);
      return 1;
    }
    const note = code & CFN_LINT_WARNINGS ? "warnings only (see above)" : "no findings";
    console.log(`lint:template: ${templates.length} template(s) checked, ${note}`);
    return 0;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

process.exitCode = main();
