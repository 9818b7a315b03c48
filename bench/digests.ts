/**
 * Reminder digest benchmark (issue 12), on the local runtime started with the real `npm start`
 * (in memory, free ports): 100 partner addresses, each with 10 due originals over two transfers
 * (1,000 originals), then one expiry scan with the real EventBridge client against the local bus,
 * whose notifier deliveries send through the local SES and record every reminder.
 *
 * - emailsPerPartnerPerScan: emails the local SES kept for those addresses ÷ partners (goal 1).
 * - digestSendMs: from the scan's start until the bus has delivered (and so the notifier has
 *   recorded) the last digest, measured by `POST /_local/drain` returning.
 */
import "../local/quiet-sdk.js";
import { randomUUID } from "node:crypto";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { freePort } from "../local/free-port.js";
import { DEFAULT_REMINDER_THRESHOLDS } from "../shared/config/thresholds.js";
import { runExpiryScan } from "../shared/reminders/expiry-scan.js";
import { documentClient } from "../shared/store/clients.js";
import { EventPublisher } from "../shared/tracker/event-publisher.js";
import { startRuntime, stopRuntime } from "./e2e.js";

const PARTNERS = 100;
const TRANSFERS_PER_PARTNER = 2;
const DUE_PER_TRANSFER = 5;
const NOW = "2026-05-01T06:00:00Z";
const DAY_MS = 86_400_000;

export type DigestFigures = { emailsPerPartnerPerScan: number; digestSendMs: number };

export async function benchDigests(): Promise<DigestFigures> {
  const ports = {
    events: await freePort(),
    dynamodb: await freePort(),
    ses: await freePort(),
    web: await freePort(),
  };
  const { child, tableName } = await startRuntime(ports);
  const config = {
    region: "us-east-1",
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
  };
  const eventsEndpoint = `http://127.0.0.1:${ports.events}`;
  const events = new EventBridgeClient({ ...config, endpoint: eventsEndpoint });
  const db = documentClient({ ...config, endpoint: `http://127.0.0.1:${ports.dynamodb}` });
  const run = randomUUID().slice(0, 8);
  const address = (p: number) => `bench-${run}-${p}@partner.example`;
  try {
    const entries = Array.from({ length: PARTNERS * TRANSFERS_PER_PARTNER }, (_, n) =>
      invitation(run, Math.floor(n / TRANSFERS_PER_PARTNER), n, address),
    );
    for (let i = 0; i < entries.length; i += 10) {
      const result = await events.send(new PutEventsCommand({ Entries: entries.slice(i, i + 10) }));
      if (result.FailedEntryCount) throw new Error(JSON.stringify(result.Entries));
    }
    await drain(eventsEndpoint);

    const started = performance.now();
    const scan = await runExpiryScan({
      db,
      tableName,
      publisher: new EventPublisher(events, "csp-transfers"),
      thresholds: DEFAULT_REMINDER_THRESHOLDS.split(",").map(Number),
      now: NOW,
    });
    const drained = await drain(eventsEndpoint);
    const digestSendMs = performance.now() - started;

    const expected = PARTNERS * TRANSFERS_PER_PARTNER * DUE_PER_TRANSFER;
    const response = await fetch(`http://127.0.0.1:${ports.ses}/store`);
    const { emails } = (await response.json()) as {
      emails: { destination: { to: string[] }; body: { text?: string } }[];
    };
    const mine = emails.filter((e) => e.destination.to.some((to) => to.includes(`bench-${run}-`)));
    const listed = mine.reduce((sum, e) => sum + (e.body.text?.match(/^\* /gm) ?? []).length, 0);
    if (scan.due !== expected || listed !== expected || drained.deadLettered !== 0) {
      throw new Error(
        `digest bench: ${scan.due} due, ${listed} listed in ${mine.length} emails, ` +
          `${drained.deadLettered} dead-lettered (expected ${expected} listed)`,
      );
    }
    return {
      emailsPerPartnerPerScan: Math.round((mine.length / PARTNERS) * 1000) / 1000,
      digestSendMs: Math.round(digestSendMs),
    };
  } finally {
    events.destroy();
    db.destroy();
    await stopRuntime(child);
  }
}

async function drain(endpoint: string) {
  const response = await fetch(`${endpoint}/_local/drain`, { method: "POST" });
  return (await response.json()) as { delivered: number; deadLettered: number };
}

/** One transfer of a partner address with DUE_PER_TRANSFER originals ending 10 to 40 days out. */
function invitation(run: string, partner: number, n: number, address: (p: number) => string) {
  const today = Math.floor(Date.parse(NOW) / DAY_MS);
  const detail = {
    partnerId: `bench-partner-${run}-${partner}`,
    customerTenantId: `bench-tenant-${run}-${n}`,
    partnerCountry: "GB",
    partnerEmail: address(partner),
    customerName: `Customer ${n}`,
    customerCountry: "GB",
    sentAt: "2026-01-05T09:00:00Z",
    subscriptions: Array.from({ length: DUE_PER_TRANSFER }, (_, i) => ({
      subscriptionId: `o-${n}-${i}`,
      offerId: "offer-m365-business-standard",
      offerName: "Microsoft 365 Business Standard",
      quantity: 5 + i,
      commitmentEndDate: new Date((today + 10 + ((n * 7 + i * 6) % 31)) * DAY_MS).toISOString(),
      autoRenewEnabled: i === 0,
      termDuration: "P1Y",
    })),
  };
  return {
    EventBusName: "csp-transfers",
    Source: "csp.transfers",
    DetailType: "Invitation Sent",
    Detail: JSON.stringify(detail),
    Time: new Date(detail.sentAt),
  };
}

if (process.argv[1]?.endsWith("digests.ts")) {
  benchDigests().then(
    (figures) => console.log(JSON.stringify(figures)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
