import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type BusEvent,
  type Delivery,
  Journal,
  UnstorableDeliveryError,
} from "../../local/journal.js";

const dir = mkdtempSync(join(tmpdir(), "journal-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function delivery(id: string): Delivery {
  const event: BusEvent = {
    version: "0",
    id,
    "detail-type": "Invitation Sent",
    source: "csp.transfers",
    account: "000000000000",
    time: "2026-01-05T09:00:00Z",
    region: "us-east-1",
    resources: [],
    detail: { partnerId: "p" },
  };
  return { id: `${id}:invitationSent`, functionId: "invitationSent", event };
}

describe("the bus journal", () => {
  it("gives back, after a restart, what was accepted and neither delivered nor dead-lettered", async () => {
    // Prepare
    const path = join(dir, "restart.ndjson");
    const journal = await Journal.open(path);
    await journal.accept([delivery("a"), delivery("b"), delivery("c")]);
    await journal.done("a:invitationSent");
    await journal.deadLetter("b:invitationSent", "invalid event: detail.x: bad", 1);
    await journal.close();

    // Act
    const reopened = await Journal.open(path);

    // Assess
    expect([...reopened.pending.keys()]).toEqual(["c:invitationSent"]);
    expect([...reopened.dead.values()]).toEqual([
      expect.objectContaining({
        id: "b:invitationSent",
        reason: "invalid event: detail.x: bad",
        attempts: 1,
      }),
    ]);
    await reopened.close();
  });

  it("forgets deleted dead letters and skips a line torn by a crash", async () => {
    // Prepare
    const path = join(dir, "torn.ndjson");
    const journal = await Journal.open(path);
    await journal.accept([delivery("d"), delivery("e")]);
    await journal.deadLetter("d:invitationSent", "boom", 5);
    await journal.deleteDeadLetter("d:invitationSent");
    await journal.close();
    writeFileSync(path, `${readFileSync(path, "utf8")}{"op":"done","id":"e:inv`);

    // Act
    const reopened = await Journal.open(path);

    // Assess
    expect(reopened.dead.size).toBe(0);
    expect([...reopened.pending.keys()]).toEqual(["e:invitationSent"]);
    await reopened.close();
  });

  it("refuses a delivery it cannot serialise without counting it as pending", async () => {
    // Prepare: a detail nested far deeper than JSON.stringify's stack allows
    const journal = await Journal.open(join(dir, "deep.ndjson"));
    let deep: unknown = {};
    for (let i = 0; i < 200_000; i++) deep = { d: deep };
    const unstorable = { ...delivery("deep"), event: { ...delivery("deep").event, detail: deep } };

    // Act
    const failure = await journal.accept([unstorable, delivery("beside")]).catch((e: unknown) => e);

    // Assess: nothing half-accepted, and the journal still takes good deliveries
    expect(failure).toBeInstanceOf(UnstorableDeliveryError);
    expect(journal.pending.size).toBe(0);
    await journal.accept([delivery("after")]);
    expect([...journal.pending.keys()]).toEqual(["after:invitationSent"]);
    await journal.close();
  });
});
