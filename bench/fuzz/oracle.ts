/**
 * What the fuzz run expects of the table. Hostile inputs are built to be refused, so they must
 * leave every item as it was; the valid inputs mixed in may change only the items of the
 * transfers they name, and those transfers must then read exactly as the pure function of their
 * valid events says (`transferView`). Everything else is an unexpected state change.
 */

import { isDeepStrictEqual } from "node:util";
import { type DynamoDBDocumentClient, paginateScan } from "@aws-sdk/lib-dynamodb";
import { transferView } from "../../shared/domain/view.js";
import type { UpstreamEvent } from "../../shared/events/index.js";
import { transferPk } from "../../shared/store/keys.js";
import { readTransferView } from "../../shared/store/transfer-read.js";
import type { TransferStore } from "../../shared/store/transfer-store.js";

type Item = Record<string, unknown>;

/** Bounds (ISO instants) of a time the bus stamped itself (an entry put without `Time`). */
export type TimeWindow = { from: string; to: string };

type Expected = { event: UpstreamEvent; window?: TimeWindow };

export type Finding = { what: string; detail: string };

export class TableOracle {
  private snapshot = new Map<string, Item>();
  /** Every valid event so far, by transfer (pk), by event id. */
  private readonly model = new Map<string, Map<string, Expected>>();
  private readonly touched = new Set<string>();
  readonly findings: Finding[] = [];

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly store: TransferStore,
  ) {}

  /** A valid upstream event was accepted: its transfer may change, as the model says. */
  expect(event: UpstreamEvent, window?: TimeWindow): void {
    const pk = transferPk(event.detail);
    const events = this.model.get(pk) ?? new Map<string, Expected>();
    events.set(event.id, { event, ...(window ? { window } : {}) });
    this.model.set(pk, events);
    this.touched.add(pk);
  }

  /** Reads the whole table as the new reference (at the start, and after a restart). */
  async rebase(): Promise<void> {
    this.snapshot = await this.items();
    this.touched.clear();
  }

  /**
   * Compares the table with the reference and the model; returns the number of unexpected
   * changes found, and makes the table the next reference.
   */
  async check(label: string): Promise<number> {
    const before = this.findings.length;
    const now = await this.items();
    for (const key of new Set([...this.snapshot.keys(), ...now.keys()])) {
      const pk = key.split("\u0000")[0] ?? "";
      if (this.touched.has(pk)) continue;
      const was = this.snapshot.get(key);
      const is = now.get(key);
      if (!isDeepStrictEqual(was, is)) {
        this.findings.push({
          what: `${label}: item ${key.replace("\u0000", " / ")} changed though no valid input named its transfer`,
          detail: `before ${clip(was)} after ${clip(is)}`,
        });
      }
    }
    for (const pk of this.touched) await this.checkTransfer(label, pk);
    this.snapshot = now;
    this.touched.clear();
    return this.findings.length - before;
  }

  private async checkTransfer(label: string, pk: string): Promise<void> {
    const expected = [...(this.model.get(pk)?.values() ?? [])];
    const first = expected[0]?.event;
    if (!first) return;
    const key = {
      partnerId: first.detail.partnerId,
      customerTenantId: first.detail.customerTenantId,
    };
    const view = await readTransferView(this.store.db, this.store.tableName, key);
    const stored = new Map(view?.history.map((h) => [h.eventId, h.time]) ?? []);
    const events: UpstreamEvent[] = [];
    for (const { event, window } of expected) {
      if (!window) {
        events.push(event);
        continue;
      }
      // Stamped by the bus: take the stored time if it lies within the put's window.
      const time = stored.get(event.id);
      if (time === undefined || time < window.from || time > window.to) {
        this.findings.push({
          what: `${label}: event ${event.id} of ${pk} has time ${time} outside ${window.from}..${window.to}`,
          detail: clip(event),
        });
        return;
      }
      events.push({ ...event, time });
      this.model.get(pk)?.set(event.id, { event: { ...event, time } });
    }
    const want = transferView(events);
    if (!isDeepStrictEqual(view, want)) {
      this.findings.push({
        what: `${label}: transfer ${pk} differs from the pure view of its ${events.length} valid event(s)`,
        detail: `stored ${clip(view)} expected ${clip(want)}`,
      });
    }
  }

  private async items(): Promise<Map<string, Item>> {
    const items = new Map<string, Item>();
    const pages = paginateScan(
      { client: this.db },
      { TableName: this.tableName, ConsistentRead: true },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) items.set(`${item.pk}\u0000${item.sk}`, item);
    }
    return items;
  }
}

export function clip(value: unknown, max = 600): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}
