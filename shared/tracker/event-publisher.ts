import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import { type DetailOf, type DetailType, EVENT_CATALOGUE } from "../events/registry.js";
import { backoffMs, sleep } from "../store/retry.js";

/** Every catalogued event, put with its catalogue source (the Partner Center connector puts upstream ones). */
type PublishedDetailType = DetailType;

export type OutgoingEvent = {
  [T in PublishedDetailType]: { detailType: T; detail: DetailOf<T> };
}[PublishedDetailType];

/** EventBridge accepts at most 10 entries per PutEvents call. */
export const PUT_EVENTS_BATCH = 10;
const MAX_ATTEMPTS = 5;

export class PublishError extends Error {
  override readonly name = "PublishError";
  readonly retryable = true;
}

/**
 * Publishes the product's own events. Each detail is checked against its schema first, entries
 * go in batches of 10, and only the entries EventBridge reports as failed are retried.
 */
export class EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: readonly OutgoingEvent[]): Promise<void> {
    const entries = events.map((event): PutEventsRequestEntry => {
      const entry = EVENT_CATALOGUE[event.detailType];
      return {
        EventBusName: this.busName,
        Source: entry.source,
        DetailType: event.detailType,
        Detail: JSON.stringify(entry.detail.parse(event.detail)),
      };
    });
    for (let i = 0; i < entries.length; i += PUT_EVENTS_BATCH) {
      await this.putBatch(entries.slice(i, i + PUT_EVENTS_BATCH));
    }
  }

  private async putBatch(batch: PutEventsRequestEntry[]): Promise<void> {
    let pending = batch;
    let lastError = "";
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const result = await this.client.send(new PutEventsCommand({ Entries: pending }));
      if (!result.FailedEntryCount) return;
      const results = result.Entries ?? [];
      const failed = pending.filter(
        (_, i) => results[i]?.ErrorCode !== undefined || !results[i]?.EventId,
      );
      lastError = results
        .filter((r) => r.ErrorCode)
        .map((r) => `${r.ErrorCode}: ${r.ErrorMessage ?? ""}`)
        .join("; ");
      pending = failed;
      await sleep(backoffMs(attempt, 50));
    }
    throw new PublishError(`${pending.length} event(s) not accepted by EventBridge: ${lastError}`);
  }
}
