/**
 * The CLI's usage errors, help and printing of hostile stored values. Usage is checked before
 * any target is contacted, so these run without a runtime.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readEventFile } from "../../bin/cli/commands.js";
import { printableJson } from "../../bin/cli/format.js";
import { runCli } from "../../bin/cli/main.js";
import { renderList, renderView } from "../../bin/cli/render.js";
import type { TransferView } from "../../shared/domain/view-types.js";

const dir = mkdtempSync(join(tmpdir(), "cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("usage errors", () => {
  it.each([
    [[], "no command given"],
    [["nope"], 'unknown command "nope"'],
    [["dlq", "bogus"], 'unknown command "dlq bogus"'],
    [["list", "--bogus"], "unknown option --bogus"],
    [["show", "--partner"], "--partner needs a value"],
    [["list", "--status", "NOPE"], "--status must be one of"],
    [["due", "--within", "abc"], "--within"],
    [["due", "--now", "yesterday"], "--now"],
    [["show", "--partner", "p"], "show needs --partner P and --customer C"],
    [["list", "--customer", "c"], "list does not take --customer"],
    [["emit"], "emit needs exactly one FILE"],
  ])("%j: one line, exit 2", async (argv, message) => {
    const result = await run(...argv);

    expect(result.code).toBe(2);
    expect(result.out).toBe("");
    expect(result.err.split("\n")).toHaveLength(1);
    expect(result.err).toMatch(/^error: .* \(see --help\)$/);
    expect(result.err).toContain(message);
  });

  it("prints the dlq subcommands for `dlq` alone", async () => {
    const result = await run("dlq");
    expect(result.code).toBe(0);
    expect(result.out).toContain("dlq list");
    expect(result.out).toContain("dlq redrive");
  });

  it("refuses an event file nested deeper than EventBridge accepts, in one line", async () => {
    const file = join(dir, "deep.json");
    const detail = `${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}`;
    writeFileSync(
      file,
      `{"source":"csp.transfers","detailType":"Invitation Sent","detail":${detail}}`,
    );

    expect(() => readEventFile(file)).toThrow(/entry 1 is nested deeper than 1000 levels/);
  });
});

/** Code points a terminal would act on, other than the line breaks of the output itself. */
function unsafeIn(text: string): number[] {
  return [...text]
    .map((c) => c.codePointAt(0) ?? 0)
    .filter((n) => (n < 0x20 && n !== 0x0a) || (n >= 0x7f && n <= 0x9f) || n === 0x202e);
}

describe("printing stored values", () => {
  const hostile = "Fabrikam\u001b[2J\r\u0007\u0000\u009b\u202E Ltd";
  const view: TransferView = {
    partnerId: "p",
    customerTenantId: "c",
    customerName: hostile,
    status: "INVITED",
    warnings: [],
    unmatched: [],
    subscriptions: [],
    history: [{ eventId: "e-1", detailType: "Invitation Sent", time: "2026-01-05T09:00:00Z" }],
  };

  it("shows control and bidi characters as U+FFFD in tables and headings", () => {
    const text = [
      renderView(view),
      renderList([
        {
          partnerId: "p",
          customerTenantId: "c",
          customerName: hostile,
          status: "INVITED",
          warningCount: 0,
          nextExpiry: null,
        },
      ]),
    ].join("\n");

    expect(unsafeIn(text)).toEqual([]);
    expect(text).toContain("Fabrikam\uFFFD[2J");
  });

  it("escapes them in --json output, which still parses to the same value", () => {
    const json = printableJson({ customerName: hostile });

    expect(unsafeIn(json)).toEqual([]);
    expect(JSON.parse(json)).toEqual({ customerName: hostile });
  });

  it("says History (1 event)", () => {
    expect(renderView(view)).toContain("History (1 event):");
  });
});
