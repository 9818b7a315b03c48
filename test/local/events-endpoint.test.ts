/**
 * The local events endpoint under hostile requests, with a journal on disk (as `npm start` runs
 * it): every request gets an EventBridge-shaped answer (per entry where EventBridge answers per
 * entry), never a 500 or a reset, and `POST /_local/drain` always answers.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Dispatcher } from "../../local/dispatcher.js";
import { MAX_BODY_BYTES, startEventsEndpoint } from "../../local/events-endpoint.js";
import { freePort } from "../../local/free-port.js";
import { type BusEvent, Journal } from "../../local/journal.js";
import { invitationSent, newTransferKey } from "../support/events.js";

const dir = mkdtempSync(join(tmpdir(), "events-endpoint-"));
let server: Server;
let journal: Journal;
let dispatcher: Dispatcher;
let url: string;
const handled: BusEvent[] = [];

beforeAll(async () => {
  journal = await Journal.open(join(dir, "bus-journal.ndjson"));
  dispatcher = new Dispatcher({
    journal,
    handlers: {
      invitationSent: async (event) => {
        handled.push(event);
      },
    },
    backoffBaseMs: 1,
  });
  const port = await freePort();
  server = await startEventsEndpoint({ port, region: "us-east-1", dispatcher, journal });
  url = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await dispatcher.stop();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  await journal.close();
  rmSync(dir, { recursive: true, force: true });
});

type Answer = { status: number; body: Record<string, unknown> };

async function putEvents(body: string | Buffer): Promise<Answer> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "AWSEvents.PutEvents",
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Drain, failing the test instead of hanging when it does not answer. */
async function drain(): Promise<{ pending: number }> {
  const response = await fetch(`${url}/_local/drain`, {
    method: "POST",
    signal: AbortSignal.timeout(10_000),
  });
  return (await response.json()) as { pending: number };
}

function validEntry() {
  const raw = invitationSent({ ...newTransferKey("endpoint") });
  return { Source: raw.source, DetailType: raw["detail-type"], Detail: JSON.stringify(raw.detail) };
}

function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

type EntryAnswer = { EventId?: string; ErrorCode?: string; ErrorMessage?: string };
const entriesOf = (answer: Answer) => answer.body.Entries as EntryAnswer[];

describe("hostile PutEvents requests", () => {
  it("refuses a Detail nested 5,000 deep for its entry only, and drain still answers", async () => {
    const answer = await putEvents(
      JSON.stringify({ Entries: [{ ...validEntry(), Detail: nested(5_000) }, validEntry()] }),
    );

    expect(answer.status).toBe(200);
    const [deep, beside] = entriesOf(answer);
    expect(deep).toMatchObject({ ErrorCode: "InvalidArgument" });
    expect(deep?.ErrorMessage).toContain("nested deeper than 1000 levels");
    expect(beside?.EventId).toBeTruthy();
    expect(answer.body.FailedEntryCount).toBe(1);
    expect(await drain()).toMatchObject({ pending: 0 });
    expect(handled.map((e) => e.id)).toContain(beside?.EventId);
  });

  it("accepts a Detail exactly 1,000 levels deep, as EventBridge does", async () => {
    const answer = await putEvents(
      JSON.stringify({ Entries: [{ ...validEntry(), Detail: nested(999) }] }),
    );
    expect(entriesOf(answer)[0]?.EventId).toBeTruthy();
    expect(await drain()).toMatchObject({ pending: 0 });
  });

  it.each([1e20, -1e20, "soon", 253402300800])(
    "answers Time %s with a per-entry InvalidArgument and accepts the entry beside it",
    async (time) => {
      const answer = await putEvents(
        JSON.stringify({ Entries: [{ ...validEntry(), Time: time }, validEntry()] }),
      );

      expect(answer.status).toBe(200);
      const [bad, good] = entriesOf(answer);
      expect(bad).toMatchObject({ ErrorCode: "InvalidArgument" });
      expect(bad?.ErrorMessage).toContain("Time");
      expect(good?.EventId).toBeTruthy();
      expect(answer.body.FailedEntryCount).toBe(1);
    },
  );

  it.each(["null", "[]", '"text"', "42", "true"])(
    "answers a body of %s with a SerializationException, not a 500",
    async (body) => {
      const answer = await putEvents(body);
      expect(answer.status).toBe(400);
      expect(answer.body.__type).toBe("SerializationException");
    },
  );

  it("answers a 20 MB body with 413 and a ValidationException instead of a reset", async () => {
    const body = Buffer.alloc(20 * 1024 * 1024, " ");

    const answer = await putEvents(body);

    expect(answer.status).toBe(413);
    expect(answer.body.__type).toBe("ValidationException");
    expect(String(answer.body.message)).toContain(String(MAX_BODY_BYTES));
    // The endpoint still works afterwards.
    expect(entriesOf(await putEvents(JSON.stringify({ Entries: [validEntry()] })))).toHaveLength(1);
  });

  it("answers arbitrary JSON bodies with 200 or a 4xx, never a 500, and drain answers", async () => {
    const entry = fc.oneof(
      fc.anything({ maxDepth: 3 }),
      fc.record({
        Source: fc.oneof(fc.constant("csp.transfers"), fc.anything({ maxDepth: 1 })),
        DetailType: fc.oneof(fc.constant("Invitation Sent"), fc.anything({ maxDepth: 1 })),
        Detail: fc.oneof(fc.json({ maxDepth: 3 }), fc.anything({ maxDepth: 1 })),
        Time: fc.oneof(fc.double(), fc.integer(), fc.string(), fc.constant(null)),
        Resources: fc.anything({ maxDepth: 2 }),
      }),
    );
    const body = fc.oneof(
      fc.json({ maxDepth: 3 }),
      fc
        .record({ Entries: fc.oneof(fc.array(entry, { maxLength: 12 }), fc.anything()) })
        .map((b) => JSON.stringify(b)),
    );
    for (const sample of fc.sample(body, { numRuns: 200, seed: 10 })) {
      const answer = await putEvents(sample);
      expect(answer.status, sample.slice(0, 200)).toBeLessThan(500);
    }
    expect(await drain()).toMatchObject({ pending: 0 });
  });
});
