/**
 * Runs fuzz inputs against the runtime and judges each answer: a handler must refuse a hostile
 * envelope with a non-retryable error naming the field; every well-formed HTTP request must be
 * answered; what PutEvents accepts is either a valid event (the oracle then expects its effect),
 * a hostile one routed to a function (expected in the dead-letter queue, with its reason), or
 * unrouted.
 */
import { isPoison, targetsOf } from "../../local/dispatcher.js";
import {
  parseEnvelope,
  UPSTREAM_DETAIL_TYPES,
  type UpstreamEvent,
} from "../../shared/events/index.js";
import { FUNCTIONS, type FunctionId } from "../../shared/functions.js";
import type { HttpProbe } from "../../test/support/hostile-http.js";
import { requestBytes, sendRaw } from "./http-client.js";
import type { FuzzInput, Server } from "./inputs.js";
import { clip, type Finding, type TableOracle, type TimeWindow } from "./oracle.js";
import type { RuntimePorts } from "./runtime-process.js";

export type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const REQUEST_TIMEOUT_MS = 30_000;
const RAW_TIMEOUT_MS = 3_000;
const VALID_ATTEMPTS = 6;

type DeadLetterSeen = { id: string; reason: string };

export class FuzzExecutor {
  /** Deliveries of accepted hostile events the runtime must dead-letter. */
  readonly expectedDeadLetters = new Set<string>();
  readonly deadLetters = new Map<string, DeadLetterSeen>();
  readonly stalls: Finding[] = [];
  readonly withoutReason: Finding[] = [];
  readonly refusedWrongly: Finding[] = [];
  readonly serverErrors: Finding[] = [];
  validEvents = 0;

  constructor(
    private readonly ports: RuntimePorts,
    private readonly handlers: Partial<Record<FunctionId, Handler>>,
    private readonly oracle: TableOracle,
  ) {}

  async run(input: FuzzInput, index: number): Promise<void> {
    switch (input.target) {
      case "putEvents":
        return this.putEvents(input.body, index);
      case "handler":
        return this.callHandler(input.functionId, input.event, index);
      case "http":
        return this.http(input.server, input.probe, index);
      case "raw": {
        const answer = await sendRaw(
          this.ports[input.server],
          Buffer.from(input.bytes, "latin1"),
          RAW_TIMEOUT_MS,
        );
        if (answer.kind === "answered" && answer.status >= 500) {
          this.serverErrors.push({
            what: `input ${index}: ${input.server} answered ${answer.status} to malformed HTTP`,
            detail: clip(input.bytes),
          });
        }
        return;
      }
    }
  }

  /** Puts valid events (the seed transfers) and registers what they will change. */
  async putValid(entries: unknown[]): Promise<void> {
    for (let i = 0; i < entries.length; i += 10) {
      await this.putEvents({ Entries: entries.slice(i, i + 10) }, -1);
    }
  }

  private async putEvents(body: unknown, index: number): Promise<void> {
    const text = safeStringify(body);
    await this.http(
      "events",
      {
        method: "POST",
        path: "/",
        headers: {
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": "AWSEvents.PutEvents",
        },
        ...(text === undefined ? {} : { body: text }),
      },
      index,
    );
  }

  private async http(server: Server, probe: HttpProbe, index: number): Promise<void> {
    const from = isoSeconds(Date.now() - 1_000);
    const answer = await sendRaw(
      this.ports[server],
      requestBytes(probe, this.ports[server]),
      REQUEST_TIMEOUT_MS,
    );
    const to = isoSeconds(Date.now() + 1_000);
    const label = `input ${index}: ${probe.method} ${clip(probe.path, 120)} to ${server}`;
    if (answer.kind === "timeout" || answer.kind === "closed") {
      this.stalls.push({ what: `${label}: ${answer.kind} without an answer`, detail: clip(probe) });
      return;
    }
    if (answer.kind === "refused") return; // the liveness probe after the round decides
    if (answer.status >= 500) {
      this.serverErrors.push({
        what: `${label}: answered ${answer.status}`,
        detail: `${clip(answer.body.toString("utf8"), 300)} for ${clip(probe)}`,
      });
    }
    if (server !== "events" || answer.status !== 200) return;
    const target = (probe.headers["x-amz-target"] ?? "").trim();
    const result = safeParse(answer.body.toString("utf8"));
    if (target === "AWSEvents.PutEvents") {
      this.accepted(safeParse(typeof probe.body === "string" ? probe.body : ""), result, {
        from,
        to,
      });
    } else if (target === "AmazonSQS.ReceiveMessage") {
      this.recordLetters(result);
    }
  }

  /** What PutEvents answered with an EventId: predicted by the pure parser and the rules. */
  private accepted(body: unknown, result: unknown, window: TimeWindow): void {
    const entries = (body as { Entries?: unknown } | null)?.Entries;
    const answers = (result as { Entries?: unknown } | null)?.Entries;
    if (!Array.isArray(answers)) return;
    answers.forEach((answer: { EventId?: unknown }, i) => {
      if (typeof answer?.EventId !== "string") return;
      const entry = (Array.isArray(entries) ? entries[i] : undefined) as
        | Record<string, unknown>
        | undefined;
      const detail = typeof entry?.Detail === "string" ? safeParse(entry.Detail) : undefined;
      const stamped = entry?.Time === undefined ? null : entryTime(entry.Time);
      const envelope = {
        version: "0",
        id: answer.EventId,
        "detail-type": entry?.DetailType,
        source: entry?.Source,
        account: "000000000000",
        time: stamped ?? window.from,
        region: "us-east-1",
        resources: [],
        detail,
      };
      const targets = targetsOf(envelope as Parameters<typeof targetsOf>[0]).filter(
        (fn) => fn in this.handlers,
      );
      for (const functionId of targets) {
        const verdict = classify(functionId, envelope);
        if (verdict.kind === "valid") {
          this.validEvents++;
          this.oracle.expect(verdict.event, stamped === null ? window : undefined);
        } else if (verdict.kind === "hostile") {
          this.expectedDeadLetters.add(`${answer.EventId}:${functionId}`);
        } else {
          this.refusedWrongly.push({
            what: `a valid ${envelope["detail-type"]} for ${functionId} was accepted; the fuzz run cannot predict its effect`,
            detail: clip(envelope),
          });
        }
      }
    });
  }

  /** Where the per-request findings stand, to drop a round's when the runtime died in it. */
  mark(): { stalls: number; refusedWrongly: number } {
    return { stalls: this.stalls.length, refusedWrongly: this.refusedWrongly.length };
  }

  /** Drops findings made since `mark`: requests cut off by a crash already counted as one. */
  dropSince(mark: { stalls: number; refusedWrongly: number }): void {
    this.stalls.length = mark.stalls;
    this.refusedWrongly.length = mark.refusedWrongly;
  }

  recordLetters(result: unknown): number {
    const messages = (result as { Messages?: unknown } | null)?.Messages;
    if (!Array.isArray(messages)) return 0;
    for (const message of messages as {
      MessageId?: string;
      MessageAttributes?: { ErrorMessage?: { StringValue?: string } };
    }[]) {
      if (typeof message.MessageId !== "string") continue;
      this.deadLetters.set(message.MessageId, {
        id: message.MessageId,
        reason: message.MessageAttributes?.ErrorMessage?.StringValue ?? "",
      });
    }
    return messages.length;
  }

  private async callHandler(functionId: FunctionId, event: unknown, index: number) {
    const handler = this.handlers[functionId];
    if (!handler) return;
    const verdict = classify(functionId, event);
    const label = `input ${index}: ${functionId} called directly`;
    if (verdict.kind === "unmodelled") return;
    if (verdict.kind === "valid") {
      this.validEvents++;
      this.oracle.expect(verdict.event);
      // As Lambda's asynchronous invocation would: retry what failed for a passing reason.
      for (let attempt = 1; ; attempt++) {
        try {
          await handler(structuredClone(event), context(functionId));
          return;
        } catch (error) {
          if (isPoison(error) || attempt >= VALID_ATTEMPTS) {
            this.refusedWrongly.push({
              what: `${label}: a valid event failed (${describe(error)})`,
              detail: clip(event),
            });
            return;
          }
          await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
        }
      }
    }
    try {
      await handler(event, context(functionId));
      this.refusedWrongly.push({
        what: `${label}: a hostile envelope was accepted`,
        detail: clip(event),
      });
    } catch (error) {
      if (!isClearRefusal(error)) {
        this.withoutReason.push({
          what: `${label}: refused without a clear, final reason (${clip(describe(error), 300)})`,
          detail: clip(event),
        });
      }
    }
  }

  /** Dead letters without a reason that names what is wrong with the event. */
  judgeDeadLetters(): void {
    for (const letter of this.deadLetters.values()) {
      if (!isClearReason(letter.reason)) {
        this.withoutReason.push({
          what: `dead letter ${letter.id} without a clear reason`,
          detail: clip(letter.reason),
        });
      }
    }
  }
}

type Verdict =
  | { kind: "valid"; event: UpstreamEvent }
  | { kind: "hostile" }
  /** Valid for a function whose effect the oracle does not model (never generated). */
  | { kind: "unmodelled" };

/** Would `functionId` accept this envelope? Decided by the pure parser alone. */
function classify(functionId: FunctionId, raw: unknown): Verdict {
  let parsed: ReturnType<typeof parseEnvelope>;
  try {
    parsed = parseEnvelope(raw);
  } catch {
    return { kind: "hostile" };
  }
  const triggers: readonly string[] = FUNCTIONS[functionId].triggers;
  if (!triggers.includes(parsed.detailType)) return { kind: "hostile" };
  if (!(UPSTREAM_DETAIL_TYPES as readonly string[]).includes(parsed.detailType)) {
    return { kind: "unmodelled" };
  }
  return { kind: "valid", event: parsed as UpstreamEvent };
}

/** A final refusal whose message names at least one field and why, in a readable length. */
function isClearRefusal(error: unknown): boolean {
  return (
    isPoison(error) && error instanceof Error && isClearReason(`${error.name}: ${error.message}`)
  );
}

function isClearReason(reason: string): boolean {
  return (
    reason.length > 0 && reason.length <= 2_000 && /^EventValidationError: .*\S+: \S/.test(reason)
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function context(functionId: FunctionId) {
  return {
    functionName: functionId,
    awsRequestId: `fuzz-${functionId}`,
    getRemainingTimeInMillis: () => 60_000,
  };
}

/** The envelope time the bus gives an entry's `Time` (epoch seconds), or null if it cannot. */
function entryTime(time: unknown): string | null {
  const seconds = Number(time);
  if (!Number.isFinite(seconds)) return null;
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return null;
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function safeStringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
