/**
 * The local bus's durable memory: an append-only journal of accepted deliveries, their outcomes
 * and the dead letters. An accepted event is fsync'ed before PutEvents answers, so it survives a
 * crash of the runtime; on the next start the journal is replayed and whatever was not delivered
 * is delivered then (handlers are idempotent, so a delivery replayed after a crash is harmless).
 * Without a folder (`--in-memory`) the journal lives in memory only.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { type FileHandle, open, rename } from "node:fs/promises";
import { dirname } from "node:path";
import type { FunctionId } from "../shared/functions.js";

/** What EventBridge hands a Lambda target. */
export type BusEvent = {
  version: string;
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
};

/** One event to one target function. */
export type Delivery = { id: string; functionId: FunctionId; event: BusEvent };

export type DeadLetter = Delivery & { reason: string; failedAt: string; attempts: number };

type Record =
  | { op: "accept"; deliveries: Delivery[] }
  | { op: "done"; id: string }
  | { op: "dead"; id: string; reason: string; failedAt: string; attempts: number }
  | { op: "dlq-delete"; id: string };

/** An accepted event the journal cannot serialise (e.g. JSON nested too deep for the stack). */
export class UnstorableDeliveryError extends Error {
  override readonly name = "UnstorableDeliveryError";
  constructor(cause: unknown) {
    super(`event cannot be journaled: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}

export const deliveryId = (eventId: string, functionId: FunctionId) => `${eventId}:${functionId}`;

export class Journal {
  private constructor(
    private readonly file: FileHandle | null,
    readonly pending: Map<string, Delivery>,
    readonly dead: Map<string, DeadLetter>,
  ) {}

  /** Opens (and compacts) the journal at `path`, or an in-memory one when `path` is null. */
  static async open(path: string | null): Promise<Journal> {
    const pending = new Map<string, Delivery>();
    const dead = new Map<string, DeadLetter>();
    if (path === null) return new Journal(null, pending, dead);
    mkdirSync(dirname(path), { recursive: true });
    if (existsSync(path)) replay(readFileSync(path, "utf8"), pending, dead);
    // Compact: rewrite only what still matters, then swap the file in atomically.
    const compacted = `${path}.compact`;
    const out = await open(compacted, "w");
    const lines: Record[] = [
      ...(pending.size > 0 ? [{ op: "accept" as const, deliveries: [...pending.values()] }] : []),
      ...[...dead.values()].flatMap((d): Record[] => [
        { op: "accept", deliveries: [{ id: d.id, functionId: d.functionId, event: d.event }] },
        { op: "dead", id: d.id, reason: d.reason, failedAt: d.failedAt, attempts: d.attempts },
      ]),
    ];
    await out.writeFile(lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
    await out.sync();
    await out.close();
    await rename(compacted, path);
    return new Journal(await open(path, "a"), pending, dead);
  }

  /** Lines waiting for the next write, and the callers waiting for them to be on disk. */
  private queued: string[] = [];
  private queuedWaiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private queuedSync = false;
  private flushing: Promise<void> | null = null;

  private append(record: Record, sync: boolean): Promise<void> {
    return this.appendLine(this.file ? `${JSON.stringify(record)}\n` : "", sync);
  }

  /**
   * Group commit: lines appended while a write (and fsync) is under way are written together by
   * the next one, with one fsync for all of them. Each caller still resolves only once its own
   * line is written, and fsync'ed when it asked for that; lines keep their order.
   */
  private appendLine(line: string, sync: boolean): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queued.push(line);
      this.queuedWaiters.push({ resolve, reject });
      if (sync) this.queuedSync = true;
      this.flushing ??= this.flush(file);
    });
  }

  private async flush(file: FileHandle): Promise<void> {
    while (this.queued.length > 0) {
      const text = this.queued.join("");
      const waiters = this.queuedWaiters;
      const sync = this.queuedSync;
      this.queued = [];
      this.queuedWaiters = [];
      this.queuedSync = false;
      try {
        await file.appendFile(text);
        if (sync) await file.datasync();
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error);
      }
    }
    this.flushing = null;
  }

  /**
   * Records accepted deliveries; resolves once they are on disk. The record is serialised before
   * anything counts as pending, so a delivery that cannot be written (JSON.stringify throws) is
   * refused as a whole and never leaves a pending entry that no one will ever deliver.
   */
  async accept(deliveries: Delivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    const record: Record = { op: "accept", deliveries };
    let line = "";
    try {
      if (this.file) line = `${JSON.stringify(record)}\n`;
    } catch (error) {
      throw new UnstorableDeliveryError(error);
    }
    for (const d of deliveries) this.pending.set(d.id, d);
    await this.appendLine(line, true);
  }

  /**
   * Marks a delivery done. Not synced: losing this line in a crash only means one more
   * (idempotent) delivery after the restart.
   */
  async done(id: string): Promise<void> {
    this.pending.delete(id);
    await this.append({ op: "done", id }, false);
  }

  async deadLetter(id: string, reason: string, attempts: number): Promise<DeadLetter | undefined> {
    const delivery = this.pending.get(id);
    if (!delivery) return undefined;
    const letter: DeadLetter = {
      ...delivery,
      reason,
      attempts,
      failedAt: new Date().toISOString(),
    };
    this.pending.delete(id);
    this.dead.set(id, letter);
    await this.append(
      { op: "dead", id, reason, failedAt: letter.failedAt, attempts: letter.attempts },
      true,
    );
    return letter;
  }

  async deleteDeadLetter(id: string): Promise<boolean> {
    if (!this.dead.delete(id)) return false;
    await this.append({ op: "dlq-delete", id }, true);
    return true;
  }

  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.file?.close();
  }
}

function replay(text: string, pending: Map<string, Delivery>, dead: Map<string, DeadLetter>) {
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let record: Record;
    try {
      record = JSON.parse(line) as Record;
    } catch {
      // A line torn by a crash mid-write was never acknowledged to anyone: skip it.
      continue;
    }
    switch (record.op) {
      case "accept":
        for (const d of record.deliveries) pending.set(d.id, d);
        break;
      case "done":
        pending.delete(record.id);
        break;
      case "dead": {
        const d = pending.get(record.id);
        if (!d) break;
        pending.delete(record.id);
        dead.set(record.id, {
          ...d,
          reason: record.reason,
          failedAt: record.failedAt,
          attempts: record.attempts,
        });
        break;
      }
      case "dlq-delete":
        dead.delete(record.id);
        break;
    }
  }
}
