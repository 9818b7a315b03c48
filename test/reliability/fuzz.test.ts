/**
 * A slice of the fuzz run (`npm run fuzz` puts 10,000 inputs): 200 hostile inputs over PutEvents,
 * each handler called directly, the events endpoint, the local SES and the web server, against
 * the runtime in a child process. Nothing may crash it, change the table unpredicted, or be
 * refused or dead-lettered without a reason.
 */
import { describe, expect, inject, it } from "vitest";
import { runScript } from "../e2e/helpers.js";

describe("fuzz", () => {
  it("200 hostile inputs: no crash, no unexpected state change, every refusal with its reason", {
    timeout: 300_000,
  }, async () => {
    const result = await runScript("bench/fuzz.ts", ["--inputs", "200", "--json"], {
      DYNAMODB_ENDPOINT: inject("dynamoEndpoint"),
    });

    const figures = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}");
    expect(figures, result.stderr).toMatchObject({
      fuzzInputs: 200,
      fuzzCrashes: 0,
      fuzzUnexpectedStateChanges: 0,
      fuzzDeadLettersWithoutReason: 0,
    });
    expect(result.code, result.stderr).toBe(0);
    // The oracle was exercised: valid events were mixed in and hostile ones dead-lettered.
    expect(figures.fuzzValidEvents).toBeGreaterThan(0);
    expect(figures.fuzzDeadLetters).toBeGreaterThan(0);
    expect(Object.values(figures.fuzzInputsByTarget).every((n) => Number(n) > 0)).toBe(true);
  });
});
