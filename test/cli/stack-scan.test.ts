/**
 * `cli scan --stack`: the deployed scan function runs the scan (its thresholds, its permissions:
 * the operator's machine never publishes the tracker's events), and a `--now` ahead of the real
 * clock is refused before anything is invoked. The stack's outputs and Lambda answer from a
 * stand-in speaking the documented wire shapes (test/deploy/rehearsal/fake-aws.ts).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../bin/cli/main.js";
import { OUTPUT_KEYS } from "../../shared/stack-outputs.js";
import { startFakeAws } from "../deploy/rehearsal/fake-aws.js";

const SCAN_FUNCTION = "CspTransferTracker-prod-ExpiryScanFunction";
const invocations: { name: string; payload: unknown }[] = [];
const putEvents: Record<string, unknown>[] = [];
let answer: () => unknown = () => ({ due: 3, emitted: 2, alreadyReminded: 1, skipped: 0 });
let aws: Awaited<ReturnType<typeof startFakeAws>>;
const saved = { ...process.env };

beforeAll(async () => {
  aws = await startFakeAws({
    outputs: {
      [OUTPUT_KEYS.tableName]: "Transfers",
      [OUTPUT_KEYS.eventBusName]: "csp-transfers",
      [OUTPUT_KEYS.expiryScanFunctionName]: SCAN_FUNCTION,
    },
    secrets: {},
    queues: {},
    putEvents,
    invoke: async (name, payload) => {
      invocations.push({ name, payload });
      return answer();
    },
  });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: aws.url,
    AWS_ACCESS_KEY_ID: "AKIDOPERATOR",
    AWS_SECRET_ACCESS_KEY: "operator",
  });
});

afterAll(async () => {
  for (const key of ["AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  await aws?.stop();
});

beforeEach(() => {
  invocations.length = 0;
  answer = () => ({ due: 3, emitted: 2, alreadyReminded: 1, skipped: 0 });
});

async function scan(...extra: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    ["scan", "--stack", "CspTransferTracker-prod", "--region", "eu-west-1", "--json", ...extra],
    { out: (t) => out.push(t), err: (t) => err.push(t) },
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("cli scan --stack", () => {
  it("invokes the deployed scan function and prints its counts", async () => {
    // Act
    const result = await scan();
    // Assess
    expect(result).toMatchObject({ code: 0, err: "" });
    expect(JSON.parse(result.out)).toEqual({ due: 3, emitted: 2, alreadyReminded: 1, skipped: 0 });
    expect(invocations).toEqual([{ name: SCAN_FUNCTION, payload: {} }]);
    expect(putEvents).toEqual([]);
  });

  it("passes a --now in the past to the function", async () => {
    const now = "2026-01-15T06:00:00.000Z";
    expect((await scan("--now", now)).code).toBe(0);
    expect(invocations).toEqual([{ name: SCAN_FUNCTION, payload: { now } }]);
  });

  it.each([new Date(Date.now() + 3_600_000).toISOString(), "9999-12-31"])(
    "refuses --now %s, ahead of the real clock, invoking nothing",
    async (now) => {
      const result = await scan("--now", now);
      expect(result.code).toBe(2);
      expect(result.err).toContain("ahead of the real clock");
      expect(result.out).toBe("");
      expect(invocations).toEqual([]);
    },
  );

  it("reports the function's failure with its message, non-zero", async () => {
    answer = () => {
      throw new Error("Task timed out after 900.00 seconds");
    };
    const result = await scan();
    expect(result.code).toBe(1);
    expect(result.err).toContain("Task timed out after 900.00 seconds");
  });
});
