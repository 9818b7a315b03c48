/**
 * DynamoDB Local's JVM never outlives its runtime, and a later start on the same data folder
 * never runs a second JVM on the same file nor kills a process that is not that JVM.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PIDFILE_NAME, startDynamoDbLocal } from "../../local/dynamodb-local.js";
import { freePort, isListening } from "../../local/free-port.js";
import { REPO_ROOT } from "../e2e/helpers.js";

const dirs: string[] = [];
const children = new Set<ChildProcess>();
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "dynamo-local-"));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(condition: () => Promise<boolean> | boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

describe("DynamoDB Local's lifetime", () => {
  it("ends when the Node process that started it is killed with kill -9", async () => {
    // Prepare: a Node process that starts DynamoDB Local and then just lives
    const port = await freePort();
    const script = `
      import { startDynamoDbLocal } from "./local/dynamodb-local.ts";
      await startDynamoDbLocal({ port: ${port}, dataDir: ${JSON.stringify(dataDir())} });
      console.log("ready");
      setInterval(() => {}, 1000);
    `;
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      {
        cwd: REPO_ROOT,
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    children.add(child);
    await new Promise<void>((resolve) => child.stdout?.once("data", () => resolve()));
    expect(await isListening(port)).toBe(true);

    // Act
    child.kill("SIGKILL");

    // Assess
    expect(await until(async () => !(await isListening(port)), 15_000)).toBe(true);
  });

  it("stops a JVM an earlier run left on the same data folder, then starts", async () => {
    // Prepare: a running DynamoDB Local whose runtime "forgot" it (as after a crash)
    const dir = dataDir();
    const port = await freePort();
    const stale = await startDynamoDbLocal({ port, dataDir: dir });
    const stalePid = (JSON.parse(readFileSync(join(dir, PIDFILE_NAME), "utf8")) as { pid: number })
      .pid;

    // Act: start again on the same folder and port
    const fresh = await startDynamoDbLocal({ port, dataDir: dir });

    // Assess
    expect(alive(stalePid)).toBe(false);
    expect(await isListening(port)).toBe(true);
    await fresh.stop();
    await stale.stop();
    expect(await isListening(port)).toBe(false);
  });

  it("never stops a process that is not its JVM, and says the port is taken by another program", async () => {
    // Prepare: the pidfile names a live process that is not DynamoDB Local; the port is busy
    const dir = dataDir();
    const port = await freePort();
    const foreign = spawn("sleep", ["30"], { stdio: "ignore" });
    children.add(foreign);
    writeFileSync(join(dir, PIDFILE_NAME), JSON.stringify({ pid: foreign.pid, port, dbPath: dir }));
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(port, "127.0.0.1", () => r()));

    // Act
    const failure = await startDynamoDbLocal({ port, dataDir: dir }).catch((e: unknown) => e);
    blocker.close();

    // Assess
    expect(alive(foreign.pid as number)).toBe(true);
    expect(String(failure)).toContain(`port ${port} is already in use by another program`);
    foreign.kill();
  });
});
