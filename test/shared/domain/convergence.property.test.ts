/**
 * SPEC section 3: a transfer's state is a pure function of the set of distinct events received
 * for it. Any order and any duplicates (same id, or the same fact re-sent under a new id) give
 * the identical view, history aside; history lists every distinct envelope id once.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyEvent, deriveView, foldEvents, transferView } from "../../../shared/domain/index.js";
import { parseUpstreamEvent } from "../../../shared/events/index.js";
import {
  type GeneratedEvent,
  validTransferEvents,
  withDuplicatesAndResends,
  withSameIdDuplicates,
} from "../../support/arbitraries.js";

const NUM_RUNS = 300;
const eventsOf = (generated: readonly GeneratedEvent[]) => generated.map((g) => g.event);

/** A set and a redelivery of it (permutation plus same-id duplicates). */
const withRedelivery = validTransferEvents().chain((events) =>
  withSameIdDuplicates(events).map((delivered) => ({ events, delivered })),
);

/** A set and a delivery with same-id duplicates and facts re-sent under new ids. */
const withResends = validTransferEvents().chain((events) =>
  withDuplicatesAndResends(events).map((delivered) => ({ events, delivered })),
);

describe("transferView converges (property)", () => {
  it("the generated envelopes are valid and parse to the generated events", () => {
    fc.assert(
      fc.property(validTransferEvents(), (events) => {
        for (const { envelope, event } of events)
          expect(parseUpstreamEvent(envelope)).toEqual(event);
        expect(new Set(events.map((g) => g.event.id)).size).toBe(events.length);
      }),
      { numRuns: 100 },
    );
  });

  it("any permutation with same-id duplicates gives the identical view, history included", () => {
    fc.assert(
      fc.property(withRedelivery, ({ events, delivered }) => {
        expect(transferView(eventsOf(delivered))).toEqual(transferView(eventsOf(events)));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("any permutation with same-id duplicates folds to the identical state (what storage keeps)", () => {
    fc.assert(
      fc.property(withRedelivery, ({ events, delivered }) => {
        expect(foldEvents(eventsOf(delivered))).toEqual(foldEvents(eventsOf(events)));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("facts re-sent under new ids give the identical view apart from history", () => {
    fc.assert(
      fc.property(withResends, ({ events, delivered }) => {
        // Act
        const { history, ...view } = transferView(eventsOf(delivered));
        const { history: _, ...expected } = transferView(eventsOf(events));
        // Assess
        expect(view).toEqual(expected);
        const distinctIds = new Set(delivered.map((g) => g.event.id));
        expect(history.map((h) => h.eventId).sort()).toEqual([...distinctIds].sort());
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("folding new events into a stored state equals folding everything at once", () => {
    // What a store does: keep the folded state, apply later events to it.
    fc.assert(
      fc.property(withResends, fc.nat(), ({ delivered }, cut) => {
        const all = eventsOf(delivered);
        const split = 1 + (cut % all.length);
        const stored = foldEvents(all.slice(0, split));
        const resumed = all.slice(split).reduce(applyEvent, stored);
        expect(deriveView(resumed)).toEqual(deriveView(foldEvents(all)));
      }),
      { numRuns: 100 },
    );
  });
});
