/**
 * The local runtime killed (SIGKILL, no clean-up) while handlers are mid-flight loses no
 * accepted event: the restarted runtime replays its journal and every view ends equal to the
 * pure function of the accepted events.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../../local/free-port.js";
import { transferView } from "../../shared/domain/view.js";
import { parseUpstreamEvent, type UpstreamEvent } from "../../shared/events/index.js";
import { readTransferView } from "../../shared/store/transfer-read.js";
import { TransferStore } from "../../shared/store/transfer-store.js";
import { drain, eventBridge, putAll, REPO_ROOT } from "../e2e/helpers.js";
import { freshTable } from "../support/dynamo.js";
import {
  accepted,
  ended,
  invitationSent,
  newTransferKey,
  original,
  provisioned,
  type RawEnvelope,
  updated,
} from "../support/events.js";

const dataDir = mkdtempSync(join(tmpdir(), "csp-crash-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function startRuntime(env: Record<string, string>): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "local/start.ts", "--data-dir", dataDir, "--scan-every", "off"],
    { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("all ready")) resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => reject(new Error(`runtime exited (${code}):\n${output}`)));
  });
  return { child, ready };
}

function transferEvents(): RawEnvelope[] {
  const key = newTransferKey("crash");
  const originals = [0, 1].map((i) =>
    original({ subscriptionId: `o-${i}`, offerId: `offer-${i}` }),
  );
  return [
    invitationSent({ ...key, subscriptions: originals }),
    accepted({ ...key }),
    provisioned({ ...key, subscriptionId: "n-0", offerId: "offer-0" }),
    provisioned({ ...key, subscriptionId: "n-1", offerId: "offer-1", quantity: 11 }),
    updated({ ...key, subscriptionId: "o-1", autoRenewEnabled: true }),
    ended({ ...key, subscriptionId: "o-0" }),
  ] as RawEnvelope[];
}

describe("a runtime killed mid-delivery", () => {
  it("loses no accepted event", { timeout: 180_000 }, async () => {
    // Prepare: a runtime on the shared DynamoDB Local, so killing it orphans no Java process.
    const { tableName, db } = await freshTable("crash");
    const env = {
      EVENTS_PORT: String(await freePort()),
      SES_PORT: String(await freePort()),
      WEB_PORT: String(await freePort()),
      DYNAMODB_PORT: String(await freePort()),
      DYNAMODB_ENDPOINT: inject("dynamoEndpoint"),
      LOCAL_TABLE_NAME: tableName,
      LOCAL_BUS_NAME: `bus-${randomUUID().slice(0, 6)}`,
    };
    const first = startRuntime(env);
    await first.ready;
    const transfers = Array.from({ length: 60 }, transferEvents);
    const raws = transfers.flat();
    const client = eventBridge(Number(env.EVENTS_PORT));

    // Act: put 360 events, then kill the runtime the moment the last PutEvents is answered.
    const ids = await putAll(client, raws);
    const killed = new Promise((resolve) => first.child.once("exit", resolve));
    first.child.kill("SIGKILL");
    await killed;
    const store = new TransferStore(db, tableName, [60, 30, 14, 7, 1]);
    const appliedBeforeRestart = (
      await Promise.all(
        transfers.map((t) => readTransferView(store.db, store.tableName, t[0]?.detail as never)),
      )
    ).reduce((n, view) => n + (view?.history.length ?? 0), 0);
    const second = startRuntime(env);
    await second.ready;
    const counts = await drain(Number(env.EVENTS_PORT));
    second.child.kill("SIGINT");
    await new Promise((resolve) => second.child.once("exit", resolve));

    // Assess: the kill really interrupted work, and nothing accepted was lost.
    expect(appliedBeforeRestart).toBeLessThan(raws.length);
    expect(counts.deadLettered).toBe(0);
    const accepted: UpstreamEvent[] = raws.map((raw, i) =>
      parseUpstreamEvent({ ...raw, id: ids[i], time: raw.time.replace(/\.\d{3}Z$/, "Z") }),
    );
    for (const transfer of transfers) {
      const key = transfer[0]?.detail as { partnerId: string; customerTenantId: string };
      const events = accepted.filter((e) => e.detail.partnerId === key.partnerId);
      expect(await readTransferView(store.db, store.tableName, key)).toEqual(transferView(events));
    }
  });
});
