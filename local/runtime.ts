/**
 * The whole system on one machine: DynamoDB Local, a local SES and the local bus, delivering to
 * the very handler modules Lambda runs (functions/<folder>/handler.ts), loaded in this process
 * after process.env points their default-configured SDK clients at the local services.
 *
 * Because the handlers read process.env once, at import, one process hosts one runtime.
 */
import { existsSync } from "node:fs";
import type { Server } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { FUNCTIONS, type FunctionId } from "../shared/functions.js";
import { createTableIfMissing } from "../shared/store/create-table.js";
import { LOCAL_CREDENTIALS, LOCAL_REGION, type LocalSettings, loopback } from "./config.js";
import { Dispatcher, type Handler } from "./dispatcher.js";
import {
  type DynamoDbLocal,
  startDynamoDbLocal,
  stopStaleDynamoDbLocal,
} from "./dynamodb-local.js";
import { localDlqUrl, startEventsEndpoint } from "./events-endpoint.js";
import { Journal } from "./journal.js";
import { startLocalSes } from "./local-ses.js";
import { loadExpiryScan, type RunScan } from "./scan-hook.js";
import { localWebRoutes } from "./web-routes.js";
import { startWebServer } from "./web-server.js";

export type RuntimeOptions = LocalSettings & {
  /** Folder for DynamoDB Local's file and the bus journal; null: everything in memory. */
  dataDir: string | null;
  /** Use an already running DynamoDB (tests share one); otherwise start DynamoDB Local. */
  dynamoEndpoint?: string;
  /** Expiry scan period in ms; null disables the schedule. */
  scanIntervalMs?: number | null;
  concurrency?: number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  /** See DispatcherOptions.redeliverRate. */
  redeliverRate?: number;
  log?: (line: string) => void;
};

export type LocalRuntime = {
  endpoints: { events: string; dynamodb: string; ses: string; web: string };
  dlqUrl: string;
  dispatcher: Dispatcher;
  /** The scan, when its module exists; runs with the given clock. */
  runScan: RunScan | null;
  loadedFunctions: FunctionId[];
  stop: () => Promise<void>;
};

export const DAY_MS = 86_400_000;

/** Fails fast with a one-line message when a port is taken, before anything is started. */
export function assertPortFree(port: number, what: string, envName: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`port ${port} is already in use (${what}); set ${envName} to another port`)
          : error,
      ),
    );
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function loadHandlers(): Promise<Partial<Record<FunctionId, Handler>>> {
  const handlers: Partial<Record<FunctionId, Handler>> = {};
  for (const [id, fn] of Object.entries(FUNCTIONS) as [FunctionId, { folder: string }][]) {
    const url = new URL(`../functions/${fn.folder}/handler.ts`, import.meta.url);
    if (!existsSync(fileURLToPath(url))) continue;
    const mod = (await import(url.href)) as { handler?: Handler };
    if (typeof mod.handler === "function") handlers[id] = mod.handler;
  }
  return handlers;
}

export async function startLocalRuntime(options: RuntimeOptions): Promise<LocalRuntime> {
  const log = options.log ?? (() => {});
  // A DynamoDB Local that a killed earlier run left on this data folder holds the file (and
  // perhaps the port): stop it first, so the port check below speaks only of other programs.
  if (
    !options.dynamoEndpoint &&
    options.dataDir &&
    (await stopStaleDynamoDbLocal(options.dataDir))
  ) {
    log(`stopped a DynamoDB Local left running on ${options.dataDir} by an earlier run`);
  }
  await assertPortFree(options.eventsPort, "events endpoint", "EVENTS_PORT");
  await assertPortFree(options.sesPort, "local SES", "SES_PORT");
  await assertPortFree(options.webPort, "web app", "WEB_PORT");
  if (!options.dynamoEndpoint) {
    await assertPortFree(options.dynamoPort, "DynamoDB Local", "DYNAMODB_PORT");
  }

  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    let dynamoEndpoint = options.dynamoEndpoint;
    if (!dynamoEndpoint) {
      const dynamo: DynamoDbLocal = await startDynamoDbLocal({
        port: options.dynamoPort,
        ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      });
      cleanups.push(() => dynamo.stop());
      dynamoEndpoint = dynamo.endpoint;
    }
    const ses = await startLocalSes({ port: options.sesPort, dataDir: options.dataDir, log });
    cleanups.push(() => ses.stop());
    const eventsEndpoint = loopback(options.eventsPort);
    const sesEndpoint = loopback(options.sesPort);

    // The handlers build their SDK clients with default config: point them here first.
    Object.assign(process.env, {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: eventsEndpoint,
      AWS_ENDPOINT_URL_SES: sesEndpoint,
      AWS_ENDPOINT_URL_SESV2: sesEndpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      TABLE_NAME: options.tableName,
      EVENT_BUS_NAME: options.busName,
      SENDER_EMAIL: options.senderEmail,
      LOG_LEVEL: process.env.LOG_LEVEL ?? "WARN",
    });
    delete process.env.AWS_PROFILE;

    const client = new DynamoDBClient({
      endpoint: dynamoEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    await createTableIfMissing(client, options.tableName);
    client.destroy();

    const journal = await Journal.open(
      options.dataDir ? join(options.dataDir, "bus-journal.ndjson") : null,
    );
    cleanups.push(() => journal.close());
    const handlers = await loadHandlers();
    const dispatcher = new Dispatcher({
      journal,
      handlers,
      concurrency: options.concurrency ?? 32,
      maxAttempts: options.maxAttempts ?? 5,
      backoffBaseMs: options.backoffBaseMs ?? 200,
      redeliverRate: options.redeliverRate ?? 0,
      onDeadLetter: (letter) =>
        log(`dead letter: ${letter.event["detail-type"]} ${letter.event.id}: ${letter.reason}`),
    });
    const events = await startEventsEndpoint({
      port: options.eventsPort,
      region: LOCAL_REGION,
      dispatcher,
      journal,
    });
    cleanups.push(() => closeServer(events));
    cleanups.push(() => dispatcher.stop());
    if (journal.pending.size > 0) {
      log(`resuming ${journal.pending.size} delivery(ies) accepted before the last stop`);
    }
    dispatcher.resume();

    const webEndpoint = loopback(options.webPort);
    const web = await startWebServer({
      port: options.webPort,
      routes: await localWebRoutes({
        dataDir: options.dataDir,
        tableName: options.tableName,
        dynamoEndpoint,
        eventsEndpoint,
        webEndpoint,
        log,
      }),
      log,
    });
    cleanups.push(() => closeServer(web));

    const runScan = await loadExpiryScan();
    const interval = options.scanIntervalMs === undefined ? DAY_MS : options.scanIntervalMs;
    if (runScan && interval !== null) {
      const timer = setInterval(() => {
        runScan(new Date().toISOString()).then(
          (result) => log(`expiry scan: ${JSON.stringify(result)}`),
          (error: unknown) => log(`expiry scan failed: ${String(error)}`),
        );
      }, interval);
      timer.unref();
      cleanups.push(async () => clearInterval(timer));
    }

    return {
      endpoints: {
        events: eventsEndpoint,
        dynamodb: dynamoEndpoint,
        ses: sesEndpoint,
        web: webEndpoint,
      },
      dlqUrl: localDlqUrl(eventsEndpoint),
      dispatcher,
      runScan,
      loadedFunctions: Object.keys(handlers) as FunctionId[],
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
