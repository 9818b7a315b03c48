/**
 * SPEC sections 3 and 10: reads of the customer's tenant mixed in with the other events still
 * give a view that is a pure function of the set of distinct events: any order, any duplicates,
 * facts re-sent under new ids, and a stored state resumed later all give the same view.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyEvent, deriveView, foldEvents, transferView } from "../../../shared/domain/index.js";
import {
  type GeneratedEvent,
  validTransferEvents,
  withDuplicatesAndResends,
  withSameIdDuplicates,
} from "../../support/arbitraries.js";

const NUM_RUNS = 300;
const eventsOf = (generated: readonly GeneratedEvent[]) => generated.map((g) => g.event);
const withReads = validTransferEvents({ tenantReads: true, maxLength: 20 });

describe("tenant reads mixed in: transferView converges (property)", () => {
  it("the generated sets do contain reads that change the view", () => {
    // A property over sets without reads, or with reads that never matter, would prove nothing.
    let withRead = 0;
    let changed = 0;
    fc.assert(
      fc.property(withReads, (events) => {
        const reads = events.filter((g) => g.event.detailType === "Tenant Observed");
        if (reads.length === 0) return;
        withRead++;
        const others = events.filter((g) => g.event.detailType !== "Tenant Observed");
        if (others.length === 0) return;
        const { history: _a, ...all } = transferView(eventsOf(events));
        const { history: _b, ...without } = transferView(eventsOf(others));
        if (JSON.stringify(all) !== JSON.stringify({ ...without, tenant: all.tenant })) changed++;
      }),
      { numRuns: 300, seed: 20 },
    );
    expect(withRead).toBeGreaterThan(100);
    expect(changed).toBeGreaterThan(30);
  });

  it("any permutation with same-id duplicates gives the identical view, history included", () => {
    fc.assert(
      fc.property(
        withReads.chain((events) =>
          withSameIdDuplicates(events).map((delivered) => ({ events, delivered })),
        ),
        ({ events, delivered }) => {
          expect(transferView(eventsOf(delivered))).toEqual(transferView(eventsOf(events)));
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it("facts re-sent under new ids give the identical view apart from history", () => {
    fc.assert(
      fc.property(
        withReads.chain((events) =>
          withDuplicatesAndResends(events).map((delivered) => ({ events, delivered })),
        ),
        ({ events, delivered }) => {
          const { history: _h, ...view } = transferView(eventsOf(delivered));
          const { history: _e, ...expected } = transferView(eventsOf(events));
          expect(view).toEqual(expected);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it("folding later events into a stored state equals folding everything at once", () => {
    fc.assert(
      fc.property(
        withReads.chain((events) => withDuplicatesAndResends(events)),
        fc.nat(),
        (delivered, cut) => {
          const all = eventsOf(delivered);
          const split = 1 + (cut % all.length);
          // What the store does: the state goes through JSON (compressed) between deliveries.
          const stored = JSON.parse(JSON.stringify(foldEvents(all.slice(0, split))));
          const resumed = all.slice(split).reduce(applyEvent, stored);
          expect(deriveView(resumed)).toEqual(deriveView(foldEvents(all)));
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it("only the latest read counts: an earlier read adds nothing once a later one is there", () => {
    fc.assert(
      fc.property(withReads, (events) => {
        const reads = events.filter((g) => g.event.detailType === "Tenant Observed");
        if (reads.length < 2) return;
        const latest = foldEvents(eventsOf(events)).tenant;
        const withoutOthers = events.filter(
          (g) => g.event.detailType !== "Tenant Observed" || g.event.id === latest?.stamp.eventId,
        );
        const { history: _a, ...all } = transferView(eventsOf(events));
        const { history: _b, ...only } = transferView(eventsOf(withoutOthers));
        expect(all).toEqual(only);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
