import * as z from "zod";
import { IdString, IsoDateTime } from "./primitives.js";
import {
  type DetailOf,
  type DetailType,
  EVENT_CATALOGUE,
  isDetailType,
  UPSTREAM_DETAIL_TYPES,
  type UpstreamDetailType,
} from "./registry.js";

/** The EventBridge envelope fields the product relies on; the rest is passed through. */
const Envelope = z.object({
  id: IdString,
  "detail-type": z.string().min(1),
  source: z.string().min(1),
  time: IsoDateTime,
  detail: z.unknown(),
});

export type ParsedEvent<T extends DetailType = DetailType> = {
  [K in T]: { id: string; detailType: K; source: string; time: string; detail: DetailOf<K> };
}[T];

export type UpstreamEvent = ParsedEvent<UpstreamDetailType>;

export type ValidationIssue = { field: string; reason: string };

/**
 * An event that can never be processed. It is not retryable: the runtime should dead-letter it
 * with `message`, which names each offending field and why.
 */
export class EventValidationError extends Error {
  override readonly name = "EventValidationError";
  readonly retryable = false;
  constructor(
    readonly issues: ValidationIssue[],
    readonly eventId?: string,
  ) {
    super(`invalid event: ${issues.map((i) => `${i.field}: ${i.reason}`).join("; ")}`);
  }
}

export function issuesOf(error: z.ZodError, prefix: string): ValidationIssue[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join(".") || "(event)",
    reason: issue.message,
  }));
}

/** Parses an EventBridge envelope into a typed event, or throws EventValidationError. */
export function parseEnvelope(raw: unknown): ParsedEvent {
  const envelope = Envelope.safeParse(raw);
  if (!envelope.success) throw new EventValidationError(issuesOf(envelope.error, ""));
  const { id, source, time, detail } = envelope.data;
  const detailType = envelope.data["detail-type"];
  if (!isDetailType(detailType)) {
    throw new EventValidationError(
      [{ field: "detail-type", reason: `unknown detail-type "${detailType}"` }],
      id,
    );
  }
  const entry = EVENT_CATALOGUE[detailType];
  if (source !== entry.source) {
    throw new EventValidationError(
      [
        {
          field: "source",
          reason: `expected "${entry.source}" for ${detailType}, got "${source}"`,
        },
      ],
      id,
    );
  }
  const parsed = entry.detail.safeParse(detail);
  if (!parsed.success) throw new EventValidationError(issuesOf(parsed.error, "detail"), id);
  return { id, detailType, source, time, detail: parsed.data } as ParsedEvent;
}

/** Parses an envelope that must be one of the upstream detail-types (the tracker's input). */
export function parseUpstreamEvent(raw: unknown): UpstreamEvent {
  const event = parseEnvelope(raw);
  if (!(UPSTREAM_DETAIL_TYPES as readonly string[]).includes(event.detailType)) {
    throw new EventValidationError(
      [{ field: "detail-type", reason: `"${event.detailType}" is not an upstream event` }],
      event.id,
    );
  }
  return event as UpstreamEvent;
}
