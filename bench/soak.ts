/**
 * `npm run soak [-- --events N --transfers T --callers C --json]`: starts the local runtime on
 * free loopback ports (in memory), puts N events over T transfers — shuffled, 10% of them
 * duplicated (the same fact re-sent under a new id, and same-id redeliveries by the bus) — from
 * C concurrent PutEvents callers, waits until everything is processed, then compares every
 * stored transfer view with the pure function of the distinct events it was sent.
 * Bounded in count and time; stops by itself.
 */
import { readTransferView } from "../shared/store/transfer-read.js";
import "../local/quiet-sdk.js";
import { isDeepStrictEqual, parseArgs } from "node:util";
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import { LOCAL_CREDENTIALS, LOCAL_REGION, localSettings } from "../local/config.js";
import { freePort } from "../local/free-port.js";
import { startLocalRuntime } from "../local/runtime.js";
import { transferView } from "../shared/domain/view.js";
import { parseUpstreamEvent, SOURCES, type UpstreamEvent } from "../shared/events/index.js";
import { documentClient } from "../shared/store/clients.js";
import { TransferStore } from "../shared/store/transfer-store.js";
import { type SoakEntry, soakPlan } from "./soak-plan.js";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "20000" },
    transfers: { type: "string", default: "2000" },
    callers: { type: "string", default: "32" },
    "time-limit": { type: "string", default: "900" },
    seed: { type: "string", default: "20261126" },
    json: { type: "boolean", default: false },
  },
});

const wholeNumber = (name: string, raw: string | undefined): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--${name} wants a whole number >= 1, got "${raw}"`);
  return n;
};

const say = (line: string) => {
  if (!values.json) console.log(line);
  else process.stderr.write(`  … ${line}\n`);
};

export type SoakFigures = {
  /** Events the tracker processed: accepted puts plus same-id redeliveries by the bus. */
  soakEvents: number;
  soakPuts: number;
  soakTransfers: number;
  soakAccepted: number;
  soakRedelivered: number;
  soakDeadLettered: number;
  soakLost: number;
  soakMismatched: number;
  soakEventsPerSecond: number;
};

async function main(): Promise<void> {
  const totalEvents = wholeNumber("events", values.events);
  const transfers = wholeNumber("transfers", values.transfers);
  const callers = wholeNumber("callers", values.callers);
  const deadline = Date.now() + wholeNumber("time-limit", values["time-limit"]) * 1000;
  const plan = soakPlan({ totalEvents, transfers, seed: wholeNumber("seed", values.seed) });

  const settings = localSettings({});
  const runtime = await startLocalRuntime({
    ...settings,
    eventsPort: await freePort(),
    dynamoPort: await freePort(),
    sesPort: await freePort(),
    webPort: await freePort(),
    tableName: "soak",
    dataDir: null,
    scanIntervalMs: null,
    maxAttempts: 8,
    // Half the duplicates come from the sender (new ids), half from the bus (same id).
    redeliverRate: plan.redeliverRate,
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    say(
      `soak: ${plan.entries.length} puts (${plan.resent} re-sent facts) over ${transfers} transfers, ` +
        `${callers} callers, ~${(plan.redeliverRate * 100).toFixed(1)}% same-id redeliveries`,
    );
    const bridge = new EventBridgeClient({
      endpoint: runtime.endpoints.events,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const accepted: UpstreamEvent[] = [];
    let putFailures = 0;
    const queue = [...plan.entries];
    const started = performance.now();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error("soak exceeded its time limit")),
        deadline - Date.now(),
      );
    });
    const send = async () => {
      while (queue.length > 0) {
        const batch = queue.splice(0, 10);
        const result = await bridge.send(new PutEventsCommand({ Entries: batch.map(toEntry) }));
        (result.Entries ?? []).forEach((r, i) => {
          const entry = batch[i];
          if (!entry || !r.EventId) {
            putFailures++;
            return;
          }
          accepted.push(parseUpstreamEvent({ ...entry.envelope, id: r.EventId }));
        });
        if (accepted.length % 2000 < 10) say(`  ${accepted.length} accepted`);
      }
    };
    await Promise.race([Promise.all(Array.from({ length: callers }, send)), timeout]);
    say(`all ${accepted.length} accepted; waiting for delivery`);
    const drained = await Promise.race([runtime.dispatcher.drain(), timeout]);
    const seconds = (performance.now() - started) / 1000;

    say("comparing every transfer with the pure function of its events");
    const store = new TransferStore(
      documentClient({
        endpoint: runtime.endpoints.dynamodb,
        region: LOCAL_REGION,
        credentials: LOCAL_CREDENTIALS,
      }),
      "soak",
      [60, 30, 14, 7, 1],
    );
    const byTransfer = new Map<string, UpstreamEvent[]>();
    for (const event of accepted) {
      const key = JSON.stringify([event.detail.partnerId, event.detail.customerTenantId]);
      byTransfer.set(key, [...(byTransfer.get(key) ?? []), event]);
    }
    let lost = putFailures;
    let mismatched = 0;
    const keys = [...byTransfer.keys()];
    const check = async () => {
      for (let key = keys.shift(); key; key = keys.shift()) {
        const events = byTransfer.get(key) ?? [];
        const [partnerId = "", customerTenantId = ""] = JSON.parse(key) as string[];
        const view = await readTransferView(store.db, store.tableName, {
          partnerId,
          customerTenantId,
        });
        const expected = transferView(events);
        const seen = new Set(view?.history.map((h) => h.eventId) ?? []);
        lost += events.filter((e) => !seen.has(e.id)).length;
        if (!isDeepStrictEqual(view, expected)) mismatched++;
      }
    };
    await Promise.all(Array.from({ length: 8 }, check));

    const figures: SoakFigures = {
      soakEvents: accepted.length + runtime.dispatcher.redelivered,
      soakPuts: plan.entries.length,
      soakTransfers: byTransfer.size,
      soakAccepted: accepted.length,
      soakRedelivered: runtime.dispatcher.redelivered,
      soakDeadLettered: drained.deadLettered,
      soakLost: lost,
      soakMismatched: mismatched,
      soakEventsPerSecond:
        Math.round(((accepted.length + runtime.dispatcher.redelivered) / seconds) * 10) / 10,
    };
    if (values.json) process.stdout.write(`${JSON.stringify(figures)}\n`);
    else for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(22)} ${v}`);
    if (lost > 0 || mismatched > 0 || drained.deadLettered > 0) process.exitCode = 2;
  } finally {
    clearTimeout(timer);
    await runtime.stop();
  }
}

function toEntry(entry: SoakEntry): PutEventsRequestEntry {
  return {
    Source: SOURCES.upstream,
    DetailType: entry.envelope["detail-type"],
    Detail: JSON.stringify(entry.envelope.detail),
    Time: new Date(entry.envelope.time),
  };
}

main().catch((error: unknown) => {
  console.error(`soak failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
