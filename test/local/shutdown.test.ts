import { describe, expect, it } from "vitest";
import { signalHandler } from "../../local/shutdown.js";

function harness() {
  let clock = 0;
  let finish: () => void = () => {};
  const lines: string[] = [];
  const exits: number[] = [];
  const handler = signalHandler({
    stop: () => new Promise<void>((resolve) => (finish = resolve)),
    log: (line) => lines.push(line),
    exit: (code) => exits.push(code),
    now: () => clock,
  });
  return {
    handler,
    lines,
    exits,
    advance: (ms: number) => {
      clock += ms;
    },
    finish: () => finish(),
  };
}

describe("Ctrl-C handling", () => {
  it("treats a signal repeated at once as the same Ctrl-C and exits 0 once stopped", async () => {
    const h = harness();

    h.handler("SIGINT");
    h.advance(5);
    h.handler("SIGINT");
    h.finish();
    await new Promise((r) => setTimeout(r, 0));

    expect(h.lines).toEqual(["SIGINT: stopping...", "stopped"]);
    expect(h.exits).toEqual([0]);
  });

  it("forces the exit with 130 on a second Ctrl-C well after the first", () => {
    const h = harness();

    h.handler("SIGINT");
    h.advance(3_000);
    h.handler("SIGINT");

    expect(h.lines).toEqual(["SIGINT: stopping...", "forced exit"]);
    expect(h.exits).toEqual([130]);
  });
});
