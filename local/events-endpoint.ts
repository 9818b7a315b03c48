/**
 * The HTTP face of the local bus, on one loopback port:
 * - `AWSEvents.PutEvents` (awsJson1_1), answering like EventBridge, for `@aws-sdk/client-eventbridge`;
 * - the dead-letter queue as a tiny SQS subset (`AmazonSQS.ReceiveMessage`, `DeleteMessage`,
 *   `ChangeMessageVisibility`, awsJson1_0), so the CLI reads local and deployed dead letters with
 *   the same `@aws-sdk/client-sqs` code;
 * - `POST /_local/drain` and `GET /_local/stats` for tests, the demo and the benchmark.
 * Loopback Hosts and no foreign Origin only (local/loopback-guard.ts).
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { MAX_JSON_DEPTH, tooDeep } from "../shared/events/json-depth.js";
import type { Dispatcher } from "./dispatcher.js";
import {
  type BusEvent,
  type DeadLetter,
  type Journal,
  UnstorableDeliveryError,
} from "./journal.js";
import { refuseForeign } from "./loopback-guard.js";

/** EventBridge's limit on one entry (SPEC section 6: 1 MiB). */
export const MAX_ENTRY_BYTES = 1024 * 1024;
export const MAX_ENTRIES = 10;
/** Ten entries of 1 MiB each, with room for JSON escaping; a larger request is answered 413. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** What a too-large request may still send before the connection is cut (it gets its 413 first). */
const MAX_DISCARD_BYTES = 1024 * 1024 * 1024;
/** The instants an event time may name: those ISO 8601 writes with a four-digit year. */
const MIN_EVENT_TIME_MS = Date.parse("0000-01-01T00:00:00Z");
const MAX_EVENT_TIME_MS = Date.parse("9999-12-31T23:59:59Z");

export const LOCAL_ACCOUNT = "000000000000";
export const LOCAL_DLQ_NAME = "local-dead-letters";

export type EventsEndpointOptions = {
  port: number;
  region: string;
  dispatcher: Dispatcher;
  journal: Journal;
};

type PutEventsEntry = {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  Time?: unknown;
  Resources?: unknown;
  EventBusName?: unknown;
};

type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

class ClientError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly queryError?: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export function localDlqUrl(endpoint: string): string {
  return `${endpoint}/${LOCAL_ACCOUNT}/${LOCAL_DLQ_NAME}`;
}

/** Formats an instant the way EventBridge does in envelopes: seconds precision, `Z`. */
function eventTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function entrySize(entry: PutEventsEntry): number {
  const bytes = (value: unknown) => (typeof value === "string" ? Buffer.byteLength(value) : 0);
  let size = entry.Time !== undefined ? 14 : 0;
  size += bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail);
  if (Array.isArray(entry.Resources)) for (const r of entry.Resources) size += bytes(r);
  return size;
}

function invalid(parameter: string, reason: string): EntryResult {
  return {
    ErrorCode: "InvalidArgument",
    ErrorMessage: `Parameter ${parameter} is not valid. Reason: ${reason}`,
  };
}

/** Validates one entry as EventBridge does; returns the envelope or the entry's error. */
export function checkEntry(
  entry: PutEventsEntry,
  region: string,
): { event: BusEvent } | { error: EntryResult } {
  for (const field of ["Source", "DetailType", "Detail"] as const) {
    const value = entry[field];
    if (typeof value !== "string" || value.length === 0) {
      return { error: invalid(field, `${field} is a required argument.`) };
    }
  }
  if (entrySize(entry) > MAX_ENTRY_BYTES) {
    return { error: invalid("Entry", "Entry size exceeds the maximum of 1048576 bytes.") };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail as string);
  } catch {
    return { error: { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." } };
  }
  if (typeof detail !== "object" || detail === null || Array.isArray(detail)) {
    return { error: { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." } };
  }
  if (tooDeep(detail)) {
    return {
      error: invalid("Detail", `Detail is nested deeper than ${MAX_JSON_DEPTH} levels.`),
    };
  }
  let time = new Date();
  if (entry.Time !== undefined && entry.Time !== null) {
    const millis = Number(entry.Time) * 1000;
    // An instant outside 0000-9999 has no ISO 8601 form (new Date(1e23) cannot be formatted).
    if (!(millis >= MIN_EVENT_TIME_MS && millis <= MAX_EVENT_TIME_MS)) {
      return { error: invalid("Time", "Time is not a timestamp between years 0 and 9999.") };
    }
    time = new Date(millis);
  }
  const resources = Array.isArray(entry.Resources) ? entry.Resources.map(String) : [];
  return {
    event: {
      version: "0",
      id: randomUUID(),
      "detail-type": entry.DetailType as string,
      source: entry.Source as string,
      account: LOCAL_ACCOUNT,
      time: eventTime(time),
      region,
      resources,
      detail,
    },
  };
}

export function startEventsEndpoint(options: EventsEndpointOptions): Promise<Server> {
  const { dispatcher, journal } = options;
  const visibleAt = new Map<string, number>();
  const receives = new Map<string, number>();

  async function putEvents(body: Record<string, unknown>) {
    const entries = body.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
      throw new ClientError(
        "ValidationException",
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length ${Array.isArray(entries) && entries.length > MAX_ENTRIES ? "less than or equal to 10" : "greater than or equal to 1"}`,
      );
    }
    const results: EntryResult[] = [];
    const accepted: BusEvent[] = [];
    for (const entry of entries as PutEventsEntry[]) {
      const checked = checkEntry(entry ?? {}, options.region);
      if ("error" in checked) results.push(checked.error);
      else {
        accepted.push(checked.event);
        results.push({ EventId: checked.event.id });
      }
    }
    await acceptAll(accepted, results);
    return {
      Entries: results,
      FailedEntryCount: results.filter((r) => "ErrorCode" in r).length,
    };
  }

  /**
   * Journals the accepted events in one write; if that write is refused, each event on its own,
   * so that one event that cannot be journaled fails its entry only and never the whole call.
   */
  async function acceptAll(events: BusEvent[], results: EntryResult[]): Promise<void> {
    try {
      await dispatcher.acceptMany(events);
      return;
    } catch (error) {
      if (!(error instanceof UnstorableDeliveryError)) throw error;
    }
    for (const event of events) {
      try {
        await dispatcher.acceptMany([event]);
      } catch (error) {
        if (!(error instanceof UnstorableDeliveryError)) throw error;
        const index = results.findIndex((r) => "EventId" in r && r.EventId === event.id);
        results[index] = { ErrorCode: "InternalFailure", ErrorMessage: error.message };
      }
    }
  }

  function dlqMessage(letter: DeadLetter) {
    const body = JSON.stringify(letter.event);
    const count = (receives.get(letter.id) ?? 0) + 1;
    receives.set(letter.id, count);
    return {
      MessageId: letter.id,
      ReceiptHandle: `${letter.id}|${count}`,
      MD5OfBody: createHash("md5").update(body).digest("hex"),
      Body: body,
      Attributes: {
        SentTimestamp: String(Date.parse(letter.failedAt)),
        ApproximateReceiveCount: String(count),
      },
      MessageAttributes: {
        ErrorCode: { DataType: "String", StringValue: "Unhandled" },
        ErrorMessage: { DataType: "String", StringValue: letter.reason },
        RequestID: { DataType: "String", StringValue: letter.id },
        ATTEMPTS: { DataType: "Number", StringValue: String(letter.attempts) },
        TARGET: { DataType: "String", StringValue: letter.functionId },
      },
    };
  }

  function checkQueue(body: Record<string, unknown>) {
    const url = String(body.QueueUrl ?? "");
    if (!url.endsWith(`/${LOCAL_ACCOUNT}/${LOCAL_DLQ_NAME}`)) {
      throw new ClientError(
        "com.amazonaws.sqs#QueueDoesNotExist",
        "The specified queue does not exist.",
        "AWS.SimpleQueueService.NonExistentQueue;Sender",
      );
    }
  }

  function receiptId(body: Record<string, unknown>): string {
    const handle = String(body.ReceiptHandle ?? "");
    const id = handle.split("|")[0] ?? "";
    if (!journal.dead.has(id)) {
      throw new ClientError(
        "com.amazonaws.sqs#ReceiptHandleIsInvalid",
        `The input receipt handle "${handle}" is not a valid receipt handle.`,
        "ReceiptHandleIsInvalid;Sender",
      );
    }
    return id;
  }

  async function sqs(action: string, body: Record<string, unknown>) {
    checkQueue(body);
    const now = Date.now();
    switch (action) {
      case "ReceiveMessage": {
        const max = Math.min(10, Math.max(1, Number(body.MaxNumberOfMessages ?? 1)));
        const visibility = Number(body.VisibilityTimeout ?? 30);
        const messages = [];
        for (const letter of journal.dead.values()) {
          if (messages.length >= max) break;
          if ((visibleAt.get(letter.id) ?? 0) > now) continue;
          visibleAt.set(letter.id, now + visibility * 1000);
          messages.push(dlqMessage(letter));
        }
        return messages.length > 0 ? { Messages: messages } : {};
      }
      case "DeleteMessage":
        await journal.deleteDeadLetter(receiptId(body));
        return {};
      case "ChangeMessageVisibility":
        visibleAt.set(receiptId(body), now + Number(body.VisibilityTimeout ?? 0) * 1000);
        return {};
      default:
        throw new ClientError(
          "UnsupportedOperation",
          `${action} is not supported by the local dead-letter queue`,
          "AWS.SimpleQueueService.UnsupportedOperation;Sender",
        );
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse) {
    const url = req.url ?? "/";
    if (req.method === "POST" && url === "/_local/drain") {
      return json(res, 200, await dispatcher.drain());
    }
    if (req.method === "GET" && url === "/_local/stats") {
      return json(res, 200, {
        delivered: dispatcher.delivered,
        deadLettered: dispatcher.deadLettered,
        pending: dispatcher.pendingCount,
        deliveryLatenciesMs: dispatcher.deliveryLatencies(),
      });
    }
    const target = String(req.headers["x-amz-target"] ?? "");
    if (req.method !== "POST" || target === "") {
      return json(res, 404, { message: `no route for ${req.method} ${url}` });
    }
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw.length === 0 ? {} : JSON.parse(raw.toString("utf8"));
    } catch {
      throw new ClientError("SerializationException", "request body is not valid JSON");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new ClientError("SerializationException", "request body must be a JSON object");
    }
    if (target === "AWSEvents.PutEvents") {
      return json(
        res,
        200,
        await putEvents(body as Record<string, unknown>),
        "application/x-amz-json-1.1",
      );
    }
    if (target.startsWith("AmazonSQS.")) {
      const action = target.slice("AmazonSQS.".length);
      return json(res, 200, await sqs(action, body as Record<string, unknown>), SQS_JSON);
    }
    throw new ClientError("UnknownOperationException", `unknown operation ${target}`);
  }

  const server = createServer((req, res) => {
    const port = (server.address() as AddressInfo | null)?.port ?? options.port;
    if (refuseForeign(req, res, { port })) return;
    route(req, res).catch((error: unknown) => {
      const sqsCall = String(req.headers["x-amz-target"] ?? "").startsWith("AmazonSQS.");
      const type = sqsCall ? SQS_JSON : "application/x-amz-json-1.1";
      if (error instanceof ClientError) {
        if (error.queryError) res.setHeader("x-amzn-query-error", error.queryError);
        res.setHeader("x-amzn-ErrorType", error.type);
        return json(res, error.status, { __type: error.type, message: error.message }, type);
      }
      const message = error instanceof Error ? error.message : String(error);
      return json(res, 500, { __type: "InternalException", message }, type);
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`port ${options.port} is already in use (events endpoint); set EVENTS_PORT`)
          : error,
      );
    });
    server.listen(options.port, "127.0.0.1", () => resolve(server));
  });
}

const SQS_JSON = "application/x-amz-json-1.0";

function json(res: ServerResponse, status: number, body: unknown, type = "application/json") {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": type,
    "content-length": Buffer.byteLength(text),
    "x-amzn-requestid": randomUUID(),
  });
  res.end(text);
}

/**
 * Reads a request body up to MAX_BODY_BYTES. A larger one is read to its end without being kept
 * and then refused with 413, so the client always gets an answer instead of a reset (only a
 * sender that goes on past MAX_DISCARD_BYTES is cut off).
 */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_DISCARD_BYTES) req.destroy();
      else if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on("end", () => {
      if (size <= MAX_BODY_BYTES) return resolve(Buffer.concat(chunks));
      reject(
        new ClientError(
          "ValidationException",
          `Request size ${size} bytes exceeded the limit of ${MAX_BODY_BYTES} bytes`,
          undefined,
          413,
        ),
      );
    });
    req.on("error", reject);
  });
}
