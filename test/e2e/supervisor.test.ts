/**
 * The real `npm start` supervisor as a child process: ready lines, Ctrl-C with no Java left
 * behind, a restart on the same data folder that keeps the transfers and the sent mail, a
 * hostile request to the local SES that does not end it, and one-line errors.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SESClient, SendEmailCommand } from "@aws-sdk/client-ses";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { freePort, isListening } from "../../local/free-port.js";
import { invitationSent, newTransferKey } from "../support/events.js";
import { cliEnv, cliJson, drain, eventBridge, type Ports, putAll, REPO_ROOT } from "./helpers.js";

const dataDir = mkdtempSync(join(tmpdir(), "csp-local-"));
const children = new Set<ChildProcess>();

afterEach(() => {
  // A failed test must not leave a runtime (and its Java) behind.
  for (const child of children) if (child.exitCode === null) child.kill("SIGINT");
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

type Started = { child: ChildProcess; output: () => string; exited: Promise<number> };

function start(ports: Ports, args: string[], env: Record<string, string> = {}): Started {
  const child = spawn(process.execPath, ["--import", "tsx", "local/start.ts", ...args], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      EVENTS_PORT: String(ports.events),
      DYNAMODB_PORT: String(ports.dynamodb),
      SES_PORT: String(ports.ses),
      WEB_PORT: String(ports.web),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let output = "";
  child.stdout?.on("data", (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    output += c.toString();
  });
  const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
  return { child, output: () => output, exited };
}

async function ready(started: Started): Promise<string[]> {
  const lines = () =>
    started
      .output()
      .split("\n")
      .filter((l) => / ready at /.test(l));
  while (lines().length < 4) {
    if (started.child.exitCode !== null) throw new Error(`start failed:\n${started.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return lines();
}

async function sendMail(sesPort: number, subject: string) {
  const client = new SESClient({
    endpoint: `http://127.0.0.1:${sesPort}`,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  await client.send(
    new SendEmailCommand({
      Source: "reminders@csp-transfers.example",
      Destination: { ToAddresses: ["partner@example.com"] },
      Message: { Subject: { Data: subject }, Body: { Text: { Data: "body" } } },
    }),
  );
  client.destroy();
}

async function freePorts(): Promise<Ports> {
  return {
    events: await freePort(),
    dynamodb: await freePort(),
    ses: await freePort(),
    web: await freePort(),
  };
}

describe("npm start", () => {
  it("prints a ready line per endpoint, stops on Ctrl-C, and keeps transfers across a restart", async () => {
    // Prepare
    const ports = await freePorts();
    const key = newTransferKey("restart");
    const env = cliEnv(ports, "csp-transfers");
    const show = ["show", "--partner", key.partnerId, "--customer", key.customerTenantId];

    // Act: first run
    const first = start(ports, ["--data-dir", dataDir]);
    const lines = await ready(first);
    await putAll(eventBridge(ports.events), [invitationSent({ ...key })]);
    await drain(ports.events);
    const before = await cliJson<{ status: string }>(show, env);
    // A browser tab's GET that used to end the whole runtime, then a mail to keep.
    const hostile = await fetch(`http://127.0.0.1:${ports.ses}/get-emlContent?messageId=nope`);
    await sendMail(ports.ses, "kept across restarts");
    first.child.kill("SIGINT");
    const firstCode = await first.exited;
    const dynamoAfterStop = await isListening(ports.dynamodb);

    // Act: second run on the same data folder
    const second = start(ports, ["--data-dir", dataDir]);
    await ready(second);
    const after = await cliJson<{ status: string }>(show, env);
    const mail = (await (await fetch(`http://127.0.0.1:${ports.ses}/store`)).json()) as {
      emails: { subject: string }[];
    };
    second.child.kill("SIGINT");
    const secondCode = await second.exited;

    // Assess
    expect(lines).toHaveLength(4);
    expect(lines.join("\n")).toContain(`http://127.0.0.1:${ports.events}`);
    expect(lines.join("\n")).toContain(`http://127.0.0.1:${ports.dynamodb}`);
    expect(lines.join("\n")).toContain(`http://127.0.0.1:${ports.ses}`);
    expect(lines.join("\n")).toContain(`http://127.0.0.1:${ports.web}`);
    expect(before.status).toBe("INVITED");
    expect(hostile.status).toBe(404);
    expect(mail.emails.map((e) => e.subject)).toEqual(["kept across restarts"]);
    expect(firstCode).toBe(0);
    expect(dynamoAfterStop).toBe(false);
    expect(after).toEqual(before);
    expect(secondCode).toBe(0);
    expect(await isListening(ports.dynamodb)).toBe(false);
  });

  it("exits 0 when the same Ctrl-C arrives twice in quick succession", async () => {
    const ports = await freePorts();
    const started = start(ports, ["--in-memory"]);
    await ready(started);

    started.child.kill("SIGINT");
    started.child.kill("SIGINT");
    const code = await started.exited;

    expect(started.output()).toContain("stopped");
    expect(started.output()).not.toContain("forced exit");
    expect(code).toBe(0);
  });

  it("stops cleanly when one Ctrl-C reaches `npm start` through its process group", async () => {
    // Prepare: `npm start` as in a terminal: npm, tsx and the runtime share one process group
    const ports = await freePorts();
    const child = spawn("npm", ["start", "--", "--in-memory"], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        EVENTS_PORT: String(ports.events),
        DYNAMODB_PORT: String(ports.dynamodb),
        SES_PORT: String(ports.ses),
        WEB_PORT: String(ports.web),
      },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    children.add(child);
    let output = "";
    child.stdout?.on("data", (c: Buffer) => {
      output += c.toString();
    });
    child.stderr?.on("data", (c: Buffer) => {
      output += c.toString();
    });
    const exited = new Promise<number>((r) => child.on("exit", (code) => r(code ?? -1)));
    await ready({ child, output: () => output, exited });

    // Act: Ctrl-C signals the whole foreground group; npm and tsx relay it to the runtime too
    process.kill(-(child.pid as number), "SIGINT");
    await exited;

    // Assess (npm's own exit status reports the signal; the runtime's is checked below)
    expect(output).toContain("stopped");
    expect(output).not.toContain("forced exit");
    expect(await isListening(ports.dynamodb)).toBe(false);
  });

  it("fails with one line when a port is busy", async () => {
    // Prepare: hold the events port
    const ports = await freePorts();
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(ports.events, "127.0.0.1", () => r()));

    // Act
    const started = start(ports, ["--in-memory"]);
    const code = await started.exited;
    blocker.close();

    // Assess
    expect(code).toBe(1);
    expect(started.output().trim()).toBe(
      `error: port ${ports.events} is already in use (events endpoint); set EVENTS_PORT to another port`,
    );
    expect(await isListening(ports.dynamodb)).toBe(false);
  });

  it("fails with one line saying how to install Java when it is missing", async () => {
    const ports = await freePorts();
    const started = start(ports, ["--in-memory"], { PATH: "/nonexistent" });
    const code = await started.exited;
    expect(code).toBe(1);
    const output = started.output().trim();
    expect(output.split("\n")).toHaveLength(1);
    expect(output).toMatch(/^error: Java was not found.*apt-get install/);
  });
});
