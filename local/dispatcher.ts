/**
 * Delivers accepted events to the handler modules, the way EventBridge + Lambda's asynchronous
 * invocation do: routed by the shared RULES, retried with exponential backoff and jitter on
 * transient failures (never sooner than a failure's `retryAfterMs`), dead-lettered at once when
 * the handler says the event can never succeed (`retryable === false`, e.g. EventValidationError)
 * and after the last attempt otherwise.
 */
import { type FunctionId, RULES, type RuleDefinition } from "../shared/functions.js";
import {
  type BusEvent,
  type DeadLetter,
  type Delivery,
  deliveryId,
  type Journal,
} from "./journal.js";

export type Handler = (event: BusEvent, context: unknown) => Promise<unknown>;

export type DispatcherOptions = {
  journal: Journal;
  handlers: Partial<Record<FunctionId, Handler>>;
  /** Parallel deliveries. */
  concurrency?: number;
  /** Attempts per delivery before it is dead-lettered (Lambda async: 3; EventBridge: 185). */
  maxAttempts?: number;
  /** Backoff before retry n (1-based): full jitter over min(cap, base * 2^(n-1)). */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  rules?: readonly RuleDefinition[];
  onDeadLetter?: (letter: DeadLetter) => void;
  /**
   * Fraction of successful deliveries handed to the handler a second time with the same event
   * id, as EventBridge's at-least-once delivery sometimes does (the soak test turns it on).
   */
  redeliverRate?: number;
};

export type DrainResult = { delivered: number; deadLettered: number; pending: number };

/** Does an EventBridge pattern (exact-value arrays, nested objects) match the event? */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (typeof pattern !== "object" || pattern === null) return false;
  for (const [field, expected] of Object.entries(pattern)) {
    const actual = (event as Record<string, unknown> | null)?.[field];
    if (Array.isArray(expected)) {
      const values = Array.isArray(actual) ? actual : [actual];
      if (!values.some((v) => expected.includes(v))) return false;
    } else if (!matchesPattern(expected, actual)) {
      return false;
    }
  }
  return true;
}

/** The target functions for an event (one per matching rule that has a handler). */
export function targetsOf(event: BusEvent, rules: readonly RuleDefinition[] = RULES): FunctionId[] {
  return [
    ...new Set(rules.filter((r) => matchesPattern(r.pattern, event)).map((r) => r.functionId)),
  ];
}

export function isPoison(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  return (
    (error as { retryable?: unknown }).retryable === false ||
    (error as { name?: unknown }).name === "EventValidationError"
  );
}

export class Dispatcher {
  private readonly ready: Delivery[] = [];
  private readonly attempts = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private inFlight = 0;
  private readonly busyKeys = new Set<string>();
  private waiters: (() => void)[] = [];
  private stopped = false;
  private readonly latencies: number[] = [];
  private readonly acceptedAt = new Map<string, number>();
  delivered = 0;
  deadLettered = 0;
  /** Extra same-id deliveries made under `redeliverRate`. */
  redelivered = 0;

  constructor(private readonly options: DispatcherOptions) {}

  private get concurrency() {
    return this.options.concurrency ?? 16;
  }
  private get maxAttempts() {
    return this.options.maxAttempts ?? 5;
  }

  /** Starts delivering whatever the journal still holds (events accepted before a crash). */
  resume(): void {
    for (const delivery of this.options.journal.pending.values()) this.enqueue(delivery);
    this.pump();
  }

  /** Durably accepts an event for every matching target, then schedules the deliveries. */
  async accept(event: BusEvent): Promise<void> {
    await this.acceptMany([event]);
  }

  async acceptMany(events: BusEvent[]): Promise<void> {
    const deliveries = events.flatMap((event) =>
      targetsOf(event, this.options.rules ?? RULES)
        .filter((functionId) => this.options.handlers[functionId] !== undefined)
        .map((functionId) => ({ id: deliveryId(event.id, functionId), functionId, event })),
    );
    await this.options.journal.accept(deliveries);
    const now = Date.now();
    for (const d of deliveries) {
      this.acceptedAt.set(d.id, now);
      this.enqueue(d);
    }
    this.pump();
  }

  get pendingCount(): number {
    return this.options.journal.pending.size;
  }

  /** Waits until nothing is pending (everything delivered or dead-lettered). */
  async drain(): Promise<DrainResult> {
    while ((this.pendingCount > 0 || this.inFlight > 0) && !this.stopped) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return {
      delivered: this.delivered,
      deadLettered: this.deadLettered,
      pending: this.pendingCount,
    };
  }

  /** Milliseconds from acceptance to successful delivery, for every delivery since start. */
  deliveryLatencies(): readonly number[] {
    return this.latencies;
  }

  /** Stops scheduling; waits for deliveries already running. Pending ones stay in the journal. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    while (this.inFlight > 0) await new Promise((r) => setTimeout(r, 10));
    this.notify();
  }

  private enqueue(delivery: Delivery): void {
    this.ready.push(delivery);
  }

  /**
   * Starts ready deliveries up to the concurrency limit. Deliveries for the same transfer run one
   * at a time: handlers would converge anyway, but on one machine this avoids optimistic-lock
   * conflicts between them (EventBridge gives no such guarantee, so nothing relies on it).
   */
  private pump(): void {
    let index = 0;
    while (!this.stopped && this.inFlight < this.concurrency && index < this.ready.length) {
      const delivery = this.ready[index];
      if (!delivery) break;
      const key = transferKeyOf(delivery.event);
      if (key !== null && this.busyKeys.has(key)) {
        index++;
        continue;
      }
      this.ready.splice(index, 1);
      if (key !== null) this.busyKeys.add(key);
      this.inFlight++;
      void this.deliver(delivery).finally(() => {
        if (key !== null) this.busyKeys.delete(key);
        this.inFlight--;
        this.pump();
        this.notify();
      });
    }
  }

  private notify(): void {
    if ((this.pendingCount > 0 || this.inFlight > 0) && !this.stopped) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  private async deliver(delivery: Delivery): Promise<void> {
    const handler = this.options.handlers[delivery.functionId];
    const attempt = (this.attempts.get(delivery.id) ?? 0) + 1;
    this.attempts.set(delivery.id, attempt);
    try {
      if (!handler) throw new Error(`no handler loaded for ${delivery.functionId}`);
      await handler(structuredClone(delivery.event), lambdaContext(delivery));
      if (Math.random() < (this.options.redeliverRate ?? 0)) {
        this.redelivered++;
        await handler(structuredClone(delivery.event), lambdaContext(delivery));
      }
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (isPoison(error)) {
        await this.toDeadLetters(delivery, message, attempt);
      } else if (attempt >= this.maxAttempts) {
        await this.toDeadLetters(
          delivery,
          `gave up after ${attempt} attempts: ${message}`,
          attempt,
        );
      } else {
        this.retryLater(delivery, attempt, retryAfterOf(error));
      }
      return;
    }
    this.attempts.delete(delivery.id);
    const accepted = this.acceptedAt.get(delivery.id);
    if (accepted !== undefined) {
      this.latencies.push(Date.now() - accepted);
      this.acceptedAt.delete(delivery.id);
    }
    this.delivered++;
    await this.options.journal.done(delivery.id);
  }

  /** Full-jitter backoff, but never sooner than the failure said a retry could succeed. */
  private retryLater(delivery: Delivery, attempt: number, retryAfterMs: number): void {
    const base = this.options.backoffBaseMs ?? 200;
    const cap = this.options.backoffCapMs ?? 10_000;
    const delay = Math.max(retryAfterMs, Math.random() * Math.min(cap, base * 2 ** (attempt - 1)));
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.enqueue(delivery);
      this.pump();
    }, delay);
    this.timers.add(timer);
  }

  private async toDeadLetters(delivery: Delivery, reason: string, attempts: number) {
    this.attempts.delete(delivery.id);
    this.acceptedAt.delete(delivery.id);
    this.deadLettered++;
    const letter = await this.options.journal.deadLetter(delivery.id, reason, attempts);
    if (letter) this.options.onDeadLetter?.(letter);
  }
}

/** Longest wait a failure may ask for before its retry (a send lease is 60 s). */
const MAX_RETRY_AFTER_MS = 15 * 60_000;

/**
 * How long a failure says to wait before retrying (`retryAfterMs`, e.g. the notifier's
 * ReminderInFlightError: until another delivery's send lease expires); 0 when it says nothing.
 */
export function retryAfterOf(error: unknown): number {
  const value = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) return 0;
  return Math.min(value, MAX_RETRY_AFTER_MS);
}

function transferKeyOf(event: BusEvent): string | null {
  const detail = event.detail as { partnerId?: unknown; customerTenantId?: unknown } | null;
  if (typeof detail?.partnerId !== "string" || typeof detail.customerTenantId !== "string") {
    return null;
  }
  return JSON.stringify([detail.partnerId, detail.customerTenantId]);
}

function lambdaContext(delivery: Delivery) {
  return {
    functionName: delivery.functionId,
    awsRequestId: delivery.id,
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${delivery.functionId}`,
    getRemainingTimeInMillis: () => 60_000,
  };
}
