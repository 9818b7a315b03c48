import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
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

describe("group commit", () => {
  it("concurrent accepts share fsyncs, and each is on disk when it resolves", async () => {
    // Prepare: count the journal file's fsyncs
    const path = join(dir, "group-commit.ndjson");
    const journal = await Journal.open(path);
    const handle = (journal as unknown as { file: object }).file;
    const prototype = Object.getPrototypeOf(handle) as { datasync: () => Promise<void> };
    const datasync = vi.spyOn(prototype, "datasync");
    const onDisk: boolean[] = [];

    // Act: 50 PutEvents calls arriving at once
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        await journal.accept([delivery(`g${i}`)]);
        onDisk[i] = readFileSync(path, "utf8").includes(`"g${i}:invitationSent"`);
      }),
    );
    const syncs = datasync.mock.calls.length;
    datasync.mockRestore();
    await journal.close();

    // Assert
    expect(onDisk).toEqual(Array.from({ length: 50 }, () => true));
    expect(syncs).toBeGreaterThanOrEqual(1);
    expect(syncs).toBeLessThan(10);
    const reopened = await Journal.open(path);
    expect(reopened.pending.size).toBe(50);
    await reopened.close();
  });

  it("keeps the order of records written in one batch", async () => {
    const path = join(dir, "group-order.ndjson");
    const journal = await Journal.open(path);

    await Promise.all([
      journal.accept([delivery("x")]),
      journal.done("x:invitationSent"),
      journal.accept([delivery("y")]),
      journal.deadLetter("y:invitationSent", "invalid event: detail.y: bad", 1),
    ]);
    await journal.close();

    const reopened = await Journal.open(path);
    expect([...reopened.pending.keys()]).toEqual([]);
    expect([...reopened.dead.keys()]).toEqual(["y:invitationSent"]);
    await reopened.close();
  });
});
