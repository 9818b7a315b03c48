/**
 * The local runtime as the fuzz run sees it: `local/start.ts` in a child process of its own
 * (in memory, on free loopback ports, against a DynamoDB the fuzz run owns), so that a crash of
 * the runtime is observed as the child's exit and the table outlives it for inspection.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort } from "../../local/free-port.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export type RuntimePorts = { events: number; ses: number; web: number };

export type RuntimeProcess = {
  ports: RuntimePorts;
  endpoints: { events: string; ses: string; web: string };
  /** Set when the child has exited (a crash, unless `stop` was called). */
  exited: () => { code: number | null; signal: string | null } | null;
  output: () => string;
  stop: () => Promise<void>;
};

export async function freeRuntimePorts(): Promise<RuntimePorts> {
  return { events: await freePort(), ses: await freePort(), web: await freePort() };
}

/** Starts the runtime on `ports` (kept across a restart, so clients keep their endpoints). */
export async function startRuntimeProcess(options: {
  ports: RuntimePorts;
  dynamoEndpoint: string;
  tableName: string;
}): Promise<RuntimeProcess> {
  const { ports } = options;
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", "local/start.ts", "--in-memory", "--scan-every", "off"],
    {
      cwd: ROOT,
      detached: true,
      env: {
        ...process.env,
        EVENTS_PORT: String(ports.events),
        SES_PORT: String(ports.ses),
        WEB_PORT: String(ports.web),
        DYNAMODB_PORT: new URL(options.dynamoEndpoint).port,
        DYNAMODB_ENDPOINT: options.dynamoEndpoint,
        LOCAL_TABLE_NAME: options.tableName,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const keep = (chunk: Buffer) => {
    // Keep the tail only: a long run logs one line per dead letter.
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exit: { code: number | null; signal: string | null } | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      resolve();
    }),
  );
  const deadline = Date.now() + 120_000;
  while (!output.includes("all ready in")) {
    if (exit) throw new Error(`the local runtime did not start:\n${output}`);
    if (Date.now() > deadline) {
      killGroup(child, "SIGKILL");
      throw new Error(`the local runtime was not ready within 120 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const url = (port: number) => `http://127.0.0.1:${port}`;
  return {
    ports,
    endpoints: { events: url(ports.events), ses: url(ports.ses), web: url(ports.web) },
    exited: () => exit,
    output: () => output,
    stop: async () => {
      if (exit) return;
      killGroup(child, "SIGINT");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
