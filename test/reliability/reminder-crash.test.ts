/**
 * A crash loses no reminder (SPEC section 4), in the fault matrix: the local runtime (a real child
 * process) is killed with SIGKILL at each step of sending reminder digests, with many digests in
 * flight, then restarted; its bus redelivers what was pending (retries wait out the send lease),
 * and a scan runs again. Then, counted from the local SES's kept mail and the store:
 * - every due (original, threshold) was mailed at least once and is recorded exactly once;
 * - an original is mailed twice only if an email listing it had been accepted by SES before the
 *   kill (SES has no idempotency key: the one duplicate a crash may cause);
 * - nothing is left dead-lettered.
 * The send lease is shortened to 10 s (REMINDER_SEND_LEASE_MS) so that a run takes seconds, yet
 * outlasts the restart, so that redelivered digests meet live leases.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import { freePort } from "../../local/free-port.js";
import { runExpiryScan } from "../../shared/reminders/expiry-scan.js";
import { EventPublisher } from "../../shared/tracker/event-publisher.js";
import { drain, eventBridge, REPO_ROOT } from "../e2e/helpers.js";
import { originalItem, store, THRESHOLDS } from "../reminders/support.js";
import { freshTable } from "../support/dynamo.js";
import { invitationSent, newTransferKey, original } from "../support/events.js";
import { KILL_STEPS, type SendStep } from "../support/kill-at-step.js";

const PARTNERS = 20;
const ORIGINALS_PER_PARTNER = 2;
/** Longer than a restart plus the bus's ordinary backoff: the restarted runtime meets live leases. */
const LEASE_MS = 10_000;
const DAY_MS = 86_400_000;
/** Kill at the n-th time the step happens: several digests are then at other steps. */
const KILL_AT_COUNT: Record<SendStep, number> = {
  lease: 6,
  "before-ses": 6,
  "after-ses": 6,
  "sent-recorded": 6,
  "row-recorded": 12,
};

const dirs: string[] = [];
const children = new Set<ChildProcess>();
afterEach(() => {
  // A failed run must not leave a runtime holding its ports.
  for (const child of children)
    if (child.exitCode === null && !child.signalCode) child.kill("SIGKILL");
  children.clear();
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

type Mail = { destination: { to: string[] }; body: { text?: string } };
type Runtime = {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<NodeJS.Signals | null>;
};

function startRuntime(dataDir: string, env: Record<string, string>): Runtime {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--import",
      "./test/support/kill-at-step.ts",
      "local/start.ts",
      "--data-dir",
      dataDir,
      "--scan-every",
      "off",
    ],
    { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  children.add(child);
  let output = "";
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once("exit", (_code, signal) => resolve(signal)),
  );
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("all ready")) resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => reject(new Error(`runtime exited (${code}):\n${output}`)));
  });
  return { child, ready, exited };
}

/** The subscription ids an email lists. */
const listed = (mail: Mail) =>
  [...(mail.body.text ?? "").matchAll(/Subscription: (\S+)/g)].map((m) => m[1] as string);

function mailCounts(mails: Mail[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of mails.flatMap(listed)) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

async function scanOnce(env: Record<string, string>, tableName: string, db: unknown) {
  const publisher = new EventPublisher(
    eventBridge(Number(env.EVENTS_PORT)),
    env.LOCAL_BUS_NAME ?? "",
  );
  return runExpiryScan({
    db: db as never,
    tableName,
    publisher,
    thresholds: THRESHOLDS,
    now: new Date().toISOString(),
  });
}

describe("the runtime killed while sending reminder digests", () => {
  it.each(KILL_STEPS)(
    "killed at %s: every due reminder mailed at least once, recorded once",
    { timeout: 120_000 },
    async (step) => {
      // Prepare: 20 partners, 2 originals each ending in 10 days (the 14-day threshold).
      const { tableName, db } = await freshTable("kill");
      const dataDir = mkdtempSync(join(tmpdir(), "csp-kill-"));
      dirs.push(dataDir);
      const env = {
        EVENTS_PORT: String(await freePort()),
        SES_PORT: String(await freePort()),
        WEB_PORT: String(await freePort()),
        DYNAMODB_PORT: String(await freePort()),
        DYNAMODB_ENDPOINT: inject("dynamoEndpoint"),
        LOCAL_TABLE_NAME: tableName,
        LOCAL_BUS_NAME: `bus-${randomUUID().slice(0, 6)}`,
        REMINDER_SEND_LEASE_MS: String(LEASE_MS),
        LOG_LEVEL: "ERROR",
      };
      const end = new Date(Date.now() + 10 * DAY_MS).toISOString();
      const due: { key: { partnerId: string; customerTenantId: string }; id: string }[] = [];
      for (let p = 0; p < PARTNERS; p++) {
        const key = newTransferKey("kill");
        const ids = Array.from({ length: ORIGINALS_PER_PARTNER }, (_, i) => `s${p}-${i}`);
        await store(
          db,
          tableName,
          invitationSent({
            ...key,
            partnerEmail: `partner-${p}@partner.example`,
            sentAt: new Date(Date.now() - 30 * DAY_MS).toISOString(),
            subscriptions: ids.map((subscriptionId) =>
              original({ subscriptionId, commitmentEndDate: end }),
            ),
          }),
        );
        due.push(...ids.map((id) => ({ key, id })));
      }

      // Act: scan; the runtime kills itself at the step while sending; restart; scan again.
      const first = startRuntime(dataDir, {
        ...env,
        KILL_AT_STEP: step,
        KILL_AT_COUNT: String(KILL_AT_COUNT[step]),
        KILL_HOLD_UNTIL_FILE: join(dataDir, "go"),
      });
      await first.ready;
      const scanned = await scanOnce(env, tableName, db);
      expect(scanned.digests).toBe(PARTNERS);
      writeFileSync(join(dataDir, "go"), "");
      expect(await first.exited).toBe("SIGKILL");
      const mailFile = join(dataDir, "sent-mail.json");
      const beforeKill = existsSync(mailFile)
        ? (JSON.parse(readFileSync(mailFile, "utf8")) as Mail[])
        : [];
      const recordedBeforeKill = await recordedReminders(db, tableName, due);

      const second = startRuntime(dataDir, env);
      await second.ready;
      const redelivered = await drain(Number(env.EVENTS_PORT));
      await scanOnce(env, tableName, db);
      const afterScan = await drain(Number(env.EVENTS_PORT));
      const response = await fetch(`http://127.0.0.1:${env.SES_PORT}/store`);
      const mails = ((await response.json()) as { emails: Mail[] }).emails;
      second.child.kill("SIGINT");
      await second.exited;

      // Assess: the kill interrupted the sending, and no reminder was lost or recorded twice.
      expect(recordedBeforeKill.filter((r) => r.length > 0).length).toBeLessThan(due.length);
      expect(redelivered.deadLettered).toBe(0);
      expect(afterScan.deadLettered).toBe(0);
      const mailed = mailCounts(mails);
      const acceptedBeforeKill = mailCounts(beforeKill);
      for (const { id } of due) {
        expect(mailed.get(id) ?? 0, `${id} mailed`).toBeGreaterThanOrEqual(1);
        if ((mailed.get(id) ?? 0) > 1) {
          expect(acceptedBeforeKill.get(id) ?? 0, `${id} mailed twice`).toBeGreaterThanOrEqual(1);
          expect(mailed.get(id)).toBe(2);
        }
      }
      const recorded = await recordedReminders(db, tableName, due);
      expect(recorded).toEqual(due.map(() => [14]));
    },
  );
});

async function recordedReminders(
  db: Awaited<ReturnType<typeof freshTable>>["db"],
  tableName: string,
  due: { key: { partnerId: string; customerTenantId: string }; id: string }[],
): Promise<number[][]> {
  return Promise.all(
    due.map(async ({ key, id }) => {
      const item = await originalItem(db, tableName, key, id);
      return ((item?.reminders ?? []) as { thresholdDays: number }[]).map((r) => r.thresholdDays);
    }),
  );
}
