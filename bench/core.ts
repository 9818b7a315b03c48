/**
 * Core benchmark: DynamoDB requests per upstream event in the steady state (each detail-type
 * applied to an existing transfer), and throughput of the real upstream handlers.
 */
import { createServer, type Server } from "node:http";
import { Logger } from "@aws-lambda-powertools/logger";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { EventBridgeEvent } from "aws-lambda";
import { DEFAULT_REMINDER_THRESHOLDS } from "../shared/config/thresholds.js";
import {
  DETAIL_TYPES,
  SOURCES,
  UPSTREAM_DETAIL_TYPES,
  type UpstreamDetailType,
} from "../shared/events/registry.js";
import { TransferStore } from "../shared/store/transfer-store.js";
import { EventPublisher } from "../shared/tracker/event-publisher.js";
import { createUpstreamHandler } from "../shared/tracker/upstream-handler.js";
import { type BenchDynamo, countingClient, progress } from "./harness.js";

const THRESHOLDS = DEFAULT_REMINDER_THRESHOLDS.split(",").map(Number);
const TRANSFERS = 300;
const THROUGHPUT_TRANSFERS = 500;
const THROUGHPUT_CONCURRENCY = 16;

export type CoreFigures = {
  requestsPerEvent: number;
  requestsPerEventByType: Record<UpstreamDetailType, number>;
  eventsPerSecond: number;
};

let sequence = 0;
function envelope(detailType: UpstreamDetailType, detail: object, time: string) {
  sequence += 1;
  return {
    version: "0",
    id: `bench-${sequence}`,
    "detail-type": detailType,
    source: SOURCES.upstream,
    account: "000000000000",
    time,
    region: "us-east-1",
    resources: [],
    detail,
  } as EventBridgeEvent<string, unknown>;
}

/** The five steps of one transfer, each applied to the state the previous ones left. */
function transferSteps(n: number): [UpstreamDetailType, EventBridgeEvent<string, unknown>][] {
  const key = { partnerId: `partner-${n % 20}`, customerTenantId: `tenant-${n}` };
  const subscriptions = [0, 1, 2].map((i) => ({
    subscriptionId: `orig-${n}-${i}`,
    offerId: `offer-${i}`,
    offerName: `Microsoft 365 plan ${i}`,
    quantity: 10 + i,
    commitmentEndDate: "2027-03-31T00:00:00Z",
    autoRenewEnabled: i === 1,
    termDuration: "P1Y",
  }));
  const invite = (sentAt: string) =>
    envelope(
      DETAIL_TYPES.invitationSent,
      {
        ...key,
        partnerCountry: "DE",
        partnerEmail: "partner@example.com",
        customerName: `Customer ${n}`,
        customerCountry: "DE",
        sentAt,
        subscriptions,
      },
      sentAt,
    );
  return [
    [DETAIL_TYPES.invitationSent, invite("2026-10-01T08:00:00Z")],
    // Steady state for an invitation: the partner re-sends it to an existing transfer.
    [DETAIL_TYPES.invitationSent, invite("2026-10-02T08:00:00Z")],
    [
      DETAIL_TYPES.invitationAccepted,
      envelope(
        DETAIL_TYPES.invitationAccepted,
        { ...key, acceptedAt: "2026-10-03T08:00:00Z" },
        "2026-10-03T08:00:00Z",
      ),
    ],
    [
      DETAIL_TYPES.subscriptionProvisioned,
      envelope(
        DETAIL_TYPES.subscriptionProvisioned,
        {
          ...key,
          subscriptionId: `new-${n}-0`,
          offerId: "offer-0",
          quantity: 10,
          provisionedAt: "2026-10-04T08:00:00Z",
        },
        "2026-10-04T08:00:00Z",
      ),
    ],
    [
      DETAIL_TYPES.originalSubscriptionUpdated,
      envelope(
        DETAIL_TYPES.originalSubscriptionUpdated,
        {
          ...key,
          subscriptionId: `orig-${n}-1`,
          updatedAt: "2026-10-05T08:00:00Z",
          autoRenewEnabled: false,
        },
        "2026-10-05T08:00:00Z",
      ),
    ],
    [
      DETAIL_TYPES.originalSubscriptionEnded,
      envelope(
        DETAIL_TYPES.originalSubscriptionEnded,
        {
          ...key,
          subscriptionId: `orig-${n}-0`,
          endedAt: "2027-03-31T00:00:00Z",
          reason: "expired",
        },
        "2027-03-31T00:00:00Z",
      ),
    ],
  ];
}

/** A loopback PutEvents responder so the handlers' status-change publishing costs what it does. */
export async function startPutEventsSink(): Promise<{
  server: Server;
  endpoint: string;
  received: () => number;
}> {
  let received = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { Entries: unknown[] };
      received += body.Entries.length;
      res.setHeader("content-type", "application/x-amz-json-1.1");
      res.end(
        JSON.stringify({
          FailedEntryCount: 0,
          Entries: body.Entries.map((_, i) => ({ EventId: `sink-${received}-${i}` })),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { server, endpoint: `http://127.0.0.1:${port}`, received: () => received };
}

/** The real handler of every upstream detail-type, wired to the given store and publisher. */
function handlersFor(store: TransferStore, publisher: EventPublisher) {
  const logger = new Logger({ logLevel: "ERROR" });
  return Object.fromEntries(
    UPSTREAM_DETAIL_TYPES.map((dt) => [
      dt,
      createUpstreamHandler(dt, { store, publisher, logger }),
    ]),
  ) as Record<UpstreamDetailType, ReturnType<typeof createUpstreamHandler>>;
}

export async function benchCore(bench: BenchDynamo): Promise<CoreFigures> {
  const sink = await startPutEventsSink();
  try {
    const tableName = await bench.newTable("bench-core");
    const counting = countingClient(bench.clientConfig);
    const publisher = new EventPublisher(
      new EventBridgeClient({ ...bench.clientConfig, endpoint: sink.endpoint }),
      "bench-bus",
    );
    const store = new TransferStore(counting.db, tableName, THRESHOLDS);
    const handlers = handlersFor(store, publisher);

    progress(`requests per event: ${TRANSFERS} transfers × 6 steps`);
    const requests = new Map<UpstreamDetailType, { requests: number; events: number }>();
    const plans = Array.from({ length: TRANSFERS }, (_, n) => transferSteps(n));
    for (let step = 0; step < 6; step++) {
      for (const plan of plans) {
        const entry = plan[step];
        if (!entry) continue;
        const [detailType, event] = entry;
        counting.reset();
        await handlers[detailType](event);
        // The first invitation creates the transfer; the steady state is every later step.
        if (step === 0) continue;
        const sum = requests.get(detailType) ?? { requests: 0, events: 0 };
        requests.set(detailType, {
          requests: sum.requests + counting.total(),
          events: sum.events + 1,
        });
      }
    }
    const byType = Object.fromEntries(
      [...requests].map(([dt, s]) => [dt, round(s.requests / s.events)]),
    ) as Record<UpstreamDetailType, number>;

    progress(
      `throughput: ${THROUGHPUT_TRANSFERS} transfers × 6 events, ${THROUGHPUT_CONCURRENCY} at a time`,
    );
    const throughputTable = await bench.newTable("bench-throughput");
    const fresh = new TransferStore(
      countingClient(bench.clientConfig).db,
      throughputTable,
      THRESHOLDS,
    );
    const freshHandlers = handlersFor(fresh, publisher);
    // Events of one transfer in order, transfers interleaved across the workers.
    const queue = Array.from({ length: THROUGHPUT_TRANSFERS }, (_, n) =>
      transferSteps(TRANSFERS + n),
    );
    let events = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: THROUGHPUT_CONCURRENCY }, async () => {
        for (let plan = queue.shift(); plan; plan = queue.shift()) {
          for (const [detailType, event] of plan) {
            await freshHandlers[detailType](event);
            events += 1;
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      requestsPerEvent: Math.max(...Object.values(byType)),
      requestsPerEventByType: byType,
      eventsPerSecond: round(events / seconds),
    };
  } finally {
    sink.server.close();
  }
}

const round = (n: number) => Math.round(n * 100) / 100;
