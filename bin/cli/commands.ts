/** The CLI's commands as functions returning data; bin/cli.ts formats them. */
import { readFileSync } from "node:fs";
import { PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
} from "@aws-sdk/client-sqs";
import * as z from "zod";
import { loadExpiryScan, type ScanResult } from "../../local/scan-hook.js";
import { MAX_JSON_DEPTH, tooDeep } from "../../shared/events/json-depth.js";
import { IsoDateTime } from "../../shared/events/primitives.js";
import {
  type DueOriginal,
  dueOriginals,
  listTransfers,
  parseNow,
  parsePartner,
  parseStatus,
  parseWithin,
  QueryInputError,
  showTransfer,
  type TransferSummary,
  transferJson,
} from "../../shared/queries/index.js";
import { CliError } from "./errors.js";
import type { Target } from "./target.js";

const source = (target: Target) => ({ db: target.dynamo, tableName: target.tableName });

/** The read side's parameter errors, reported as usage errors naming the flag. */
async function asCli<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof QueryInputError) {
      throw new CliError(`--${error.parameter} ${error.problem}`, 2);
    }
    throw error;
  }
}

export async function show(target: Target, partnerId: string, customerTenantId: string) {
  const view = await showTransfer(source(target), { partnerId, customerTenantId });
  if (!view) {
    throw new CliError(`no transfer for partner "${partnerId}" and customer "${customerTenantId}"`);
  }
  return view;
}

/** The view with exactly the fields SPEC section 6 lists for `show --json`. */
export const showJson = transferJson;

export function list(
  target: Target,
  filter: { status?: string | undefined; partnerId?: string | undefined },
): Promise<TransferSummary[]> {
  return asCli(() =>
    listTransfers(source(target), {
      status: parseStatus(filter.status),
      partnerId: parsePartner(filter.partnerId),
    }),
  );
}

export type { DueOriginal };

/** Active originals of transfers still in progress with 0 <= daysLeft <= within, soonest first. */
export function due(
  target: Target,
  within: string | undefined,
  now: string | undefined,
): Promise<DueOriginal[]> {
  return asCli(() =>
    dueOriginals(source(target), { withinDays: parseWithin(within), now: parseNow(now) }),
  );
}

/**
 * Runs the expiry scan once. Against a deployed stack the stack's own scan function does it
 * (its thresholds, its permissions), and a clock ahead of the real one is refused: a deployed
 * scan must never treat an original as expired before it is (SPEC section 4).
 */
export async function scan(target: Target, now: string | undefined): Promise<ScanResult> {
  if (target.scanFunction) return invokeScan(target.scanFunction, now);
  // The scan module builds its clients from process.env at import, as in Lambda.
  Object.assign(process.env, target.functionEnv);
  const runScan = await loadExpiryScan();
  if (!runScan) {
    throw new CliError("the expiry scan is not installed (functions/expiry-scan/handler.ts)");
  }
  return runScan(now ?? new Date().toISOString());
}

const ScanResultJson = z.object({
  due: z.number(),
  emitted: z.number(),
  alreadyReminded: z.number(),
  skipped: z.number(),
});

async function invokeScan(
  fn: NonNullable<Target["scanFunction"]>,
  now: string | undefined,
): Promise<ScanResult> {
  if (now !== undefined && Date.parse(now) > Date.now()) {
    throw new CliError(
      `--now ${now} is ahead of the real clock: a deployed stack's scan runs at the current time or earlier`,
      2,
    );
  }
  const response = await fn.lambda.send(
    new InvokeCommand({
      FunctionName: fn.name,
      InvocationType: "RequestResponse",
      Payload: new TextEncoder().encode(JSON.stringify(now === undefined ? {} : { now })),
    }),
  );
  const text = new TextDecoder().decode(response.Payload ?? new Uint8Array());
  if (response.FunctionError) {
    let message = text;
    try {
      message = String((JSON.parse(text) as { errorMessage?: unknown }).errorMessage ?? text);
    } catch {
      // not JSON: the raw payload is the message
    }
    throw new CliError(`the scan function ${fn.name} failed: ${message}`);
  }
  const parsed = ScanResultJson.safeParse(JSON.parse(text || "null"));
  if (!parsed.success) {
    throw new CliError(`the scan function ${fn.name} answered ${text.slice(0, 200)}`);
  }
  return parsed.data;
}

/** An entry of an event file: what upstream would put on the bus. */
export const EventFileEntry = z.object({
  source: z.string().min(1),
  detailType: z.string().min(1),
  detail: z.record(z.string(), z.unknown()),
  time: IsoDateTime.optional(),
});
export type EventFileEntry = z.infer<typeof EventFileEntry>;

export function readEventFile(file: string): EventFileEntry[] {
  let text: string;
  try {
    text = readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (error) {
    throw new CliError(`cannot read ${file === "-" ? "stdin" : file}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file} is not JSON: ${(error as Error).message}`);
  }
  const parsed = z.union([EventFileEntry, z.array(EventFileEntry).min(1)]).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(
      `${file}: each entry needs {source, detailType, detail: object, time?: ISO date}` +
        (issue ? ` (${issue.path.join(".") || "entry"}: ${issue.message})` : ""),
    );
  }
  const entries = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  const deep = entries.findIndex((entry) => tooDeep(entry.detail));
  if (deep >= 0) {
    throw new CliError(
      `${file}: the detail of entry ${deep + 1} is nested deeper than ${MAX_JSON_DEPTH} levels, ` +
        "more than EventBridge accepts",
    );
  }
  return entries;
}

export type EmitResult =
  | { detailType: string; eventId: string }
  | { detailType: string; errorCode: string; errorMessage: string };

export async function emit(target: Target, entries: EventFileEntry[]): Promise<EmitResult[]> {
  const results: EmitResult[] = [];
  for (let i = 0; i < entries.length; i += 10) {
    const batch = entries.slice(i, i + 10);
    const request: PutEventsRequestEntry[] = batch.map((e) => ({
      EventBusName: target.busName,
      Source: e.source,
      DetailType: e.detailType,
      Detail: JSON.stringify(e.detail),
      ...(e.time ? { Time: new Date(e.time) } : {}),
    }));
    const response = await target.events.send(new PutEventsCommand({ Entries: request }));
    batch.forEach((entry, j) => {
      const r = response.Entries?.[j];
      results.push(
        r?.EventId
          ? { detailType: entry.detailType, eventId: r.EventId }
          : {
              detailType: entry.detailType,
              errorCode: r?.ErrorCode ?? "Unknown",
              errorMessage: r?.ErrorMessage ?? "no result for this entry",
            },
      );
    });
  }
  return results;
}

/** Waits until the local runtime has processed everything accepted (local target only). */
export async function drain(target: Target) {
  if (!target.drainUrl) return null;
  const response = await fetch(target.drainUrl, { method: "POST" });
  if (!response.ok) throw new CliError(`drain failed: HTTP ${response.status}`);
  return (await response.json()) as { delivered: number; deadLettered: number; pending: number };
}

export type DeadLetterEntry = {
  id: string;
  detailType: string;
  reason: string;
  failedAt: string;
  attempts: number | null;
  event: unknown;
};

function attribute(message: Message, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = message.MessageAttributes?.[name]?.StringValue;
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Reads a dead-letter message, whichever writer (local bus, Lambda, EventBridge) put it there. */
function deadLetterOf(message: Message): DeadLetterEntry {
  let event: Record<string, unknown> = {};
  try {
    event = JSON.parse(message.Body ?? "{}") as Record<string, unknown>;
  } catch {
    event = { body: message.Body };
  }
  const attempts =
    attribute(message, "ATTEMPTS") ??
    (attribute(message, "RETRY_ATTEMPTS") !== undefined
      ? String(Number(attribute(message, "RETRY_ATTEMPTS")) + 1)
      : undefined);
  const sent = Number(message.Attributes?.SentTimestamp);
  return {
    id: String(event.id ?? message.MessageId ?? ""),
    detailType: String(event["detail-type"] ?? ""),
    reason: attribute(message, "ErrorMessage", "ERROR_MESSAGE") ?? "(no reason recorded)",
    failedAt: Number.isFinite(sent) ? new Date(sent).toISOString() : "",
    attempts: attempts === undefined ? null : Number(attempts),
    event,
  };
}

/** Receives every visible message of a queue, hiding each while it is worked on. */
async function receiveAll(target: Target, queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const page = await target.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["All"],
      }),
    );
    if (!page.Messages || page.Messages.length === 0) return messages;
    messages.push(...page.Messages);
  }
}

async function release(target: Target, queueUrl: string, messages: Message[]) {
  for (const m of messages) {
    await target.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: m.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
  }
}

export async function dlqList(target: Target): Promise<DeadLetterEntry[]> {
  const letters: DeadLetterEntry[] = [];
  for (const url of target.dlqUrls) {
    const messages = await receiveAll(target, url);
    letters.push(...messages.map(deadLetterOf));
    await release(target, url, messages);
  }
  return letters.sort((a, b) => a.failedAt.localeCompare(b.failedAt) || a.id.localeCompare(b.id));
}

/** Hands a dead letter to the function that failed it; true when the function succeeded. */
async function redriveByInvoking(
  lambda: LambdaClient,
  functionName: string,
  event: unknown,
): Promise<boolean> {
  const response = await lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: "RequestResponse",
      Payload: new TextEncoder().encode(JSON.stringify(event)),
    }),
  );
  return response.FunctionError === undefined;
}

/**
 * Redrives every dead letter and deletes it from its queue: locally it goes back on the bus (as
 * a new event); against a deployed stack the queue's own function is invoked with it.
 */
export async function dlqRedrive(target: Target): Promise<{ redriven: number; failed: number }> {
  let redriven = 0;
  let failed = 0;
  for (const url of target.dlqUrls) {
    const messages = await receiveAll(target, url);
    const keep: Message[] = [];
    const fn = target.redriveFunctions.get(url);
    for (const message of messages) {
      const { event } = deadLetterOf(message);
      if (fn && target.scanFunction) {
        const ok = await redriveByInvoking(target.scanFunction.lambda, fn, event);
        if (ok) {
          await target.sqs.send(
            new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }),
          );
          redriven++;
        } else {
          keep.push(message);
          failed++;
        }
        continue;
      }
      const e = event as Record<string, unknown>;
      const response = await target.events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: target.busName,
              Source: typeof e.source === "string" ? e.source : undefined,
              DetailType: typeof e["detail-type"] === "string" ? e["detail-type"] : undefined,
              Detail: e.detail === undefined ? undefined : JSON.stringify(e.detail),
              ...(typeof e.time === "string" ? { Time: new Date(e.time) } : {}),
              ...(Array.isArray(e.resources) ? { Resources: e.resources.map(String) } : {}),
            },
          ],
        }),
      );
      if (response.Entries?.[0]?.EventId) {
        await target.sqs.send(
          new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }),
        );
        redriven++;
      } else {
        keep.push(message);
        failed++;
      }
    }
    await release(target, url, keep);
  }
  return { redriven, failed };
}
