/** Drives the local runtime the way users do: the real EventBridge client, the CLI, HTTP. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import { freePort } from "../../local/free-port.js";
import { type LocalRuntime, type RuntimeOptions, startLocalRuntime } from "../../local/runtime.js";
import type { RawEnvelope } from "../support/events.js";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export type Ports = { events: number; dynamodb: number; ses: number; web: number };

/** Free loopback ports for a runtime that shares an already running DynamoDB. */
export async function freeRuntimePorts(dynamoEndpoint: string): Promise<Ports> {
  return {
    events: await freePort(),
    ses: await freePort(),
    web: await freePort(),
    dynamodb: Number(new URL(dynamoEndpoint).port),
  };
}

/** A runtime in this process on those ports, in memory, with fast retries and no scan schedule. */
export function startTestRuntime(
  ports: Ports,
  dynamoEndpoint: string,
  tableName: string,
  options: Partial<RuntimeOptions> = {},
): Promise<LocalRuntime> {
  return startLocalRuntime({
    eventsPort: ports.events,
    sesPort: ports.ses,
    webPort: ports.web,
    dynamoPort: ports.dynamodb,
    dynamoEndpoint,
    tableName,
    busName: "csp-transfers",
    senderEmail: "reminders@csp-transfers.example",
    dataDir: null,
    scanIntervalMs: null,
    backoffBaseMs: 20,
    ...options,
  });
}

export function eventBridge(eventsPort: number): EventBridgeClient {
  return new EventBridgeClient({
    endpoint: `http://127.0.0.1:${eventsPort}`,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
}

/** What an upstream system would put for a builder's envelope. */
export function entryOf(raw: RawEnvelope<unknown>): PutEventsRequestEntry {
  return {
    EventBusName: "csp-transfers",
    Source: raw.source,
    DetailType: raw["detail-type"],
    Detail: JSON.stringify(raw.detail),
    Time: new Date(raw.time),
  };
}

/** Puts envelopes in batches of 10; fails the test if any entry is rejected. */
export async function putAll(client: EventBridgeClient, raws: RawEnvelope<unknown>[]) {
  const ids: string[] = [];
  for (let i = 0; i < raws.length; i += 10) {
    const result = await client.send(
      new PutEventsCommand({ Entries: raws.slice(i, i + 10).map(entryOf) }),
    );
    if (result.FailedEntryCount) throw new Error(`rejected: ${JSON.stringify(result.Entries)}`);
    ids.push(...(result.Entries ?? []).map((e) => e.EventId ?? ""));
  }
  return ids;
}

export async function drain(eventsPort: number) {
  const response = await fetch(`http://127.0.0.1:${eventsPort}/_local/drain`, { method: "POST" });
  return (await response.json()) as { delivered: number; deadLettered: number; pending: number };
}

export type CliResult = { code: number; stdout: string; stderr: string };

/** Runs `bin/cli.ts` as a child process (asynchronously: the runtime may share our loop). */
export function cli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return runScript("bin/cli.ts", args, env);
}

/** Runs one of the repository's TypeScript entry points as a child process, collecting output. */
export function runScript(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end();
  });
}

export function cliEnv(ports: Ports, tableName: string): Record<string, string> {
  return {
    EVENTS_PORT: String(ports.events),
    DYNAMODB_PORT: String(ports.dynamodb),
    SES_PORT: String(ports.ses),
    WEB_PORT: String(ports.web),
    LOCAL_TABLE_NAME: tableName,
  };
}

export async function cliJson<T>(args: string[], env: Record<string, string>): Promise<T> {
  const result = await cli([...args, "--json"], env);
  if (result.code !== 0) throw new Error(`cli ${args.join(" ")} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}
