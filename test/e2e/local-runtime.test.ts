/**
 * The local runtime end to end: started in this process on free ports (sharing the test run's
 * DynamoDB Local, with a table of its own), driven only through the real EventBridge client,
 * the CLI and the local SES store.
 */
import { randomUUID } from "node:crypto";
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../../local/free-port.js";
import type { LocalRuntime } from "../../local/runtime.js";
import { parseUpstreamEvent } from "../../shared/events/index.js";
import { tooDeep } from "../../shared/events/json-depth.js";
import {
  ended,
  envelope,
  accepted as invitationAccepted,
  invitationSent,
  newTransferKey,
  original,
  provisioned,
  type RawEnvelope,
  resent,
  updated,
} from "../support/events.js";
import { HOSTILE_ENTRY_DETAIL_TYPES, hostileBatch } from "../support/hostile-put-events.js";
import {
  cli,
  cliEnv,
  cliJson,
  drain,
  entryOf,
  eventBridge,
  freeRuntimePorts,
  type Ports,
  putAll,
  startTestRuntime,
} from "./helpers.js";

let runtime: LocalRuntime;
let ports: Ports;
let env: Record<string, string>;
const client = () => eventBridge(ports.events);

beforeAll(async () => {
  const dynamoEndpoint = inject("dynamoEndpoint");
  ports = await freeRuntimePorts(dynamoEndpoint);
  const tableName = `e2e-${randomUUID()}`;
  env = cliEnv(ports, tableName);
  runtime = await startTestRuntime(ports, dynamoEndpoint, tableName);
});

afterAll(async () => {
  await runtime?.stop();
});

/** A transfer's whole life: three originals, replaced, then expired. */
function lifecycle(key: { partnerId: string; customerTenantId: string }): RawEnvelope<unknown>[] {
  const originals = ["o-1", "o-2", "o-3"].map((id, i) =>
    original({ subscriptionId: id, offerId: `offer-${i}`, quantity: 5 + i }),
  );
  return [
    invitationSent({ ...key, subscriptions: originals }),
    invitationAccepted({ ...key }),
    ...originals.map((o, i) =>
      provisioned({
        ...key,
        subscriptionId: `n-${i}`,
        offerId: o.offerId,
        quantity: o.quantity,
        provisionedAt: `2026-02-0${i + 1}T12:00:00Z`,
      }),
    ),
    updated({ ...key, subscriptionId: "o-2", autoRenewEnabled: false }),
    ...originals.map((o) => ended({ ...key, subscriptionId: o.subscriptionId })),
  ];
}

type ShowJson = {
  status: string;
  subscriptions: { subscriptionId: string; state: string; replacement: unknown }[];
  history: { eventId: string }[];
} & Record<string, unknown>;

describe("a transfer driven through the local runtime", () => {
  it("moves through its states to COMPLETED, as the CLI shows", async () => {
    // Prepare
    const key = newTransferKey("life");
    const events = lifecycle(key);
    const show = ["show", "--partner", key.partnerId, "--customer", key.customerTenantId];

    // Act: invitation first, then everything else
    const [first, ...rest] = events;
    if (!first) throw new Error("no events");
    await putAll(client(), [first]);
    await drain(ports.events);
    const invited = await cliJson<ShowJson>(show, env);
    const ids = await putAll(client(), rest);
    const result = await drain(ports.events);
    const view = await cliJson<ShowJson>(show, env);

    // Assess
    expect(invited.status).toBe("INVITED");
    expect(result.pending).toBe(0);
    expect(view.status).toBe("COMPLETED");
    expect(Object.keys(view).sort()).toEqual(
      [
        "customerName",
        "customerTenantId",
        "history",
        "partnerId",
        "status",
        "subscriptions",
        "unmatched",
        "warnings",
      ].sort(),
    );
    expect(view.subscriptions.map((s) => s.state)).toEqual(["EXPIRED", "EXPIRED", "EXPIRED"]);
    expect(view.history.map((h) => h.eventId)).toEqual(expect.arrayContaining(ids));
    expect(view.history).toHaveLength(events.length);
    const listed = await cliJson<Record<string, unknown>[]>(
      ["list", "--partner", key.partnerId],
      env,
    );
    expect(listed).toEqual([
      {
        partnerId: key.partnerId,
        customerTenantId: key.customerTenantId,
        customerName: "Fabrikam Ltd",
        status: "COMPLETED",
        warningCount: 0,
        nextExpiry: null,
      },
    ]);
  });

  it("converges to the same view whatever the order and however often facts are re-sent", async () => {
    // Prepare: the same facts for two transfers, the second reversed and re-sent
    const a = newTransferKey("order");
    const b = newTransferKey("order");
    const inOrder = lifecycle(a);
    const shuffled = lifecycle(b).reverse();
    const withDuplicates = [...shuffled, ...shuffled.slice(0, 4).map((raw) => resent(raw))];

    // Act
    await putAll(client(), inOrder);
    await putAll(client(), withDuplicates);
    await drain(ports.events);
    const show = (k: typeof a) =>
      cliJson<ShowJson>(["show", "--partner", k.partnerId, "--customer", k.customerTenantId], env);
    const [viewA, viewB] = await Promise.all([show(a), show(b)]);

    // Assess: identical apart from the key and history
    const strip = ({ history: _h, partnerId: _p, customerTenantId: _c, ...rest }: ShowJson) => rest;
    expect(viewB.status).toBe("COMPLETED");
    expect(strip(viewB)).toEqual(strip(viewA));
    expect(viewB.history).toHaveLength(withDuplicates.length);
  });

  it("dead-letters an invalid event with its reason and changes nothing", async () => {
    // Prepare
    const key = newTransferKey("poison");
    await putAll(client(), [invitationSent({ ...key })]);
    await drain(ports.events);
    const show = ["show", "--partner", key.partnerId, "--customer", key.customerTenantId];
    const before = await cliJson<ShowJson>(show, env);
    const bad = provisioned({ ...key, quantity: 0 });

    // Act
    const [badId] = await putAll(client(), [bad]);
    const drained = await drain(ports.events);
    const after = await cliJson<ShowJson>(show, env);
    const letters = await cliJson<Record<string, unknown>[]>(["dlq", "list"], env);

    // Assess
    expect(drained.deadLettered).toBeGreaterThanOrEqual(1);
    expect(after).toEqual(before);
    const letter = letters.find((l) => l.id === badId);
    expect(letter).toMatchObject({
      id: badId,
      detailType: "Subscription Provisioned",
      attempts: 1,
      event: { id: badId, detail: { quantity: 0 } },
    });
    expect(Object.keys(letter ?? {}).sort()).toEqual(
      ["attempts", "detailType", "event", "failedAt", "id", "reason"].sort(),
    );
    expect(String(letter?.reason)).toContain("detail.quantity");
  });

  it("redrives dead letters onto the bus and reports how many", async () => {
    // Prepare: one poison event waiting in the queue
    const key = newTransferKey("redrive");
    await putAll(client(), [
      invitationAccepted({ ...key, acceptedAt: "not a date" }, { time: "2026-01-06T10:00:00Z" }),
    ]);
    await drain(ports.events);
    const before = await cliJson<{ id: string; detailType: string }[]>(["dlq", "list"], env);

    // Act
    const result = await cliJson<{ redriven: number; failed: number }>(["dlq", "redrive"], env);
    await drain(ports.events);
    const after = await cliJson<{ id: string; reason: string }[]>(["dlq", "list"], env);

    // Assess: every letter went back; still-invalid events come back as new dead letters
    expect(result).toEqual({ redriven: before.length, failed: 0 });
    expect(after).toHaveLength(before.length);
    expect(after.map((l) => l.id)).not.toEqual(expect.arrayContaining(before.map((l) => l.id)));
    expect(after.some((l) => l.reason.includes("acceptedAt"))).toBe(true);
  });
});

describe("PutEvents answers like EventBridge", () => {
  it("rejects bad entries one by one and accepts the rest", async () => {
    // Prepare
    const good = entryOf(invitationSent({ ...newTransferKey("put") }));
    const huge = { ...good, Detail: JSON.stringify({ padding: "x".repeat(1024 * 1024) }) };

    // Act
    const result = await client().send(
      new PutEventsCommand({
        Entries: [
          good,
          { ...good, Source: undefined },
          { ...good, DetailType: undefined },
          { ...good, Detail: undefined },
          { ...good, Detail: "{not json" },
          { ...good, Detail: "[1, 2]" },
          huge,
        ],
      }),
    );

    // Assess
    expect(result.FailedEntryCount).toBe(6);
    const entries = result.Entries ?? [];
    expect(entries[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(entries.slice(1).map((e) => e.ErrorCode)).toEqual([
      "InvalidArgument",
      "InvalidArgument",
      "InvalidArgument",
      "MalformedDetail",
      "MalformedDetail",
      "InvalidArgument",
    ]);
    expect(entries[1]?.ErrorMessage).toContain("Source");
    expect(entries[3]?.ErrorMessage).toContain("Detail");
    expect(entries.slice(1).every((e) => e.EventId === undefined)).toBe(true);
  });

  it("fails a call with more than 10 entries as a whole with ValidationException", async () => {
    const entry = entryOf(invitationSent({ ...newTransferKey("eleven") }));
    const put = client().send(
      new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry) }),
    );
    await expect(put).rejects.toMatchObject({
      name: "ValidationException",
      $metadata: { httpStatusCode: 400 },
    });
  });
});

/** The last instant with a four-digit year; later event times are refused per entry. */
const LATEST_EVENT_TIME = new Date("9999-12-31T23:59:59Z");

describe("hostile PutEvents traffic", () => {
  it("is answered entry by entry, and what is accepted is applied, dead-lettered or unrouted", async () => {
    const upstream: readonly string[] = HOSTILE_ENTRY_DETAIL_TYPES;
    const batches = fc.sample(hostileBatch, {
      numRuns: 40,
      seed: 7,
    });
    const before = await drain(ports.events);

    let expectedDeadLetters = 0;
    let expectedDeliveries = 0;
    for (const batch of batches) {
      const result = await client().send(new PutEventsCommand({ Entries: batch }));
      const answers = result.Entries ?? [];
      expect(answers).toHaveLength(batch.length);
      expect(result.FailedEntryCount).toBe(answers.filter((a) => a.ErrorCode).length);
      batch.forEach((sent, i) => {
        const answer = answers[i];
        const parsed = (() => {
          try {
            return JSON.parse(sent.Detail ?? "");
          } catch {
            return undefined;
          }
        })();
        const lateTime = sent.Time !== undefined && sent.Time > LATEST_EVENT_TIME;
        if (!sent.Source || !sent.DetailType || !sent.Detail) {
          expect(answer?.ErrorCode).toBe("InvalidArgument");
        } else if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
          expect(answer?.ErrorCode).toBe("MalformedDetail");
        } else if (tooDeep(parsed) || lateTime) {
          expect(answer?.ErrorCode).toBe("InvalidArgument");
        } else {
          expect(answer?.EventId).toBeTruthy();
          // Routed only when a rule matches; then it is applied or refused with a reason.
          if (sent.Source === "csp.transfers" && upstream.includes(sent.DetailType)) {
            expectedDeliveries++;
            const envelope = {
              id: answer?.EventId,
              "detail-type": sent.DetailType,
              source: sent.Source,
              time: "2026-01-01T00:00:00Z",
              detail: parsed,
            };
            try {
              parseUpstreamEvent(envelope);
            } catch {
              expectedDeadLetters++;
            }
          }
        }
      });
    }
    const after = await drain(ports.events);

    expect(expectedDeadLetters).toBeGreaterThan(0);
    expect(after.pending).toBe(0);
    expect(after.deadLettered - before.deadLettered).toBe(expectedDeadLetters);
    expect(after.delivered - before.delivered).toBe(expectedDeliveries - expectedDeadLetters);
  });
});

describe("the CLI", () => {
  it("fails with a clear message for an unknown transfer", async () => {
    const result = await cli(["show", "--partner", "nobody", "--customer", "nothing"], env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('no transfer for partner "nobody"');
  });

  it("fails with a clear message for a bad flag or a bad value", async () => {
    const bogus = await cli(["list", "--bogus"], env);
    const status = await cli(["list", "--status", "DONE"], env);
    const within = await cli(["due", "--within", "soon"], env);
    expect(bogus.code).not.toBe(0);
    expect(bogus.stderr).toContain("--bogus");
    expect(status.code).not.toBe(0);
    expect(status.stderr).toContain("--status must be one of");
    expect(within.code).not.toBe(0);
    expect(within.stderr).toContain("--within");
  });

  it("fails with a clear message when the endpoint is down", async () => {
    const downPort = String(await freePort());
    const result = await cli(["list"], { ...env, DYNAMODB_PORT: downPort });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("cannot reach");
  });

  it("emits a sample file and prints the EventIds", async () => {
    const result = await cliJson<{ detailType: string; eventId: string }[]>(
      ["emit", "examples/03-subscriptions-provisioned.json"],
      env,
    );
    expect(result).toHaveLength(3);
    expect(result.every((r) => /^[0-9a-f-]{36}$/.test(r.eventId))).toBe(true);
    await drain(ports.events);
  });

  it("lists originals due within a window, soonest first", async () => {
    // Prepare: originals ending in 10, 40 and 90 days of the simulated clock
    const key = newTransferKey("due");
    const subscriptions = [
      original({ subscriptionId: "d-40", commitmentEndDate: "2026-05-11T00:00:00Z" }),
      original({ subscriptionId: "d-10", commitmentEndDate: "2026-04-11T00:00:00Z" }),
      original({ subscriptionId: "d-90", commitmentEndDate: "2026-06-30T00:00:00Z" }),
    ];
    await putAll(client(), [invitationSent({ ...key, subscriptions })]);
    await drain(ports.events);

    // Act
    const due = await cliJson<Record<string, unknown>[]>(
      ["due", "--within", "60", "--now", "2026-04-01T08:00:00Z"],
      env,
    );

    // Assess
    const mine = due.filter((d) => d.partnerId === key.partnerId);
    expect(mine.map((d) => [d.subscriptionId, d.daysLeft])).toEqual([
      ["d-10", 10],
      ["d-40", 40],
    ]);
    expect(Object.keys(mine[0] ?? {}).sort()).toEqual(
      [
        "commitmentEndDate",
        "customerName",
        "customerTenantId",
        "daysLeft",
        "offerName",
        "partnerId",
        "quantity",
        "replacementProvisioned",
        "subscriptionId",
      ].sort(),
    );
  });
});

describe("expiry reminders", () => {
  it("scan --now sends the partner one digest with the calendar file through the local SES, once", async () => {
    // Prepare: two originals of two customers of one partner address, ending 41 and 45 days
    // after the simulated clock
    const partnerEmail = `digest-${randomUUID().slice(0, 8)}@partner.example`;
    const first = newTransferKey("remind");
    const second = newTransferKey("remind");
    const customerName = `Customer ${first.customerTenantId}`;
    await putAll(client(), [
      invitationSent({
        ...first,
        partnerEmail,
        customerName,
        subscriptions: [
          original({ subscriptionId: "r-1", commitmentEndDate: "2026-06-30T00:00:00Z" }),
        ],
      }),
      invitationSent({
        ...second,
        partnerEmail,
        customerName: `Other ${second.customerTenantId}`,
        subscriptions: [
          original({ subscriptionId: "r-2", commitmentEndDate: "2026-07-04T00:00:00Z" }),
        ],
      }),
    ]);
    await drain(ports.events);

    // Act: the same scan twice, then a late duplicate Expiry Approaching put on the bus
    const scanned = await cliJson<Record<string, number>>(
      ["scan", "--now", "2026-05-20T06:00:00Z"],
      env,
    );
    await drain(ports.events);
    const again = await cliJson<Record<string, number>>(
      ["scan", "--now", "2026-05-20T07:00:00Z"],
      env,
    );
    await drain(ports.events);
    const late = {
      ...envelope(
        "Expiry Approaching",
        {
          ...first,
          customerName,
          partnerEmail,
          subscriptionId: "r-1",
          offerId: "offer-m365-business-standard",
          offerName: "Microsoft 365 Business Standard",
          quantity: 10,
          commitmentEndDate: "2026-06-30T00:00:00Z",
          daysLeft: 41,
          thresholdDays: 60,
          replacementProvisioned: false,
        },
        "2026-05-20T06:00:00Z",
      ),
      source: "csp.transfers.tracker",
    };
    await putAll(client(), [late]);
    await drain(ports.events);
    const store = (await (await fetch(`${runtime.endpoints.ses}/store`)).json()) as {
      emails: {
        subject: string;
        destination: { to: string[] };
        attachments: { filename: string; content: string }[];
      }[];
    };
    const view = await cliJson<{ subscriptions: { reminders: { thresholdDays: number }[] }[] }>(
      ["show", "--partner", first.partnerId, "--customer", first.customerTenantId],
      env,
    );

    // Assess
    expect(Object.keys(scanned).sort()).toEqual(["alreadyReminded", "due", "emitted", "skipped"]);
    expect(scanned.emitted).toBeGreaterThanOrEqual(2);
    expect(again.emitted).toBe(0);
    const mine = store.emails.filter((e) => e.destination.to.includes(partnerEmail));
    expect(mine).toHaveLength(1);
    expect(mine[0]?.subject).toBe(
      `${customerName}: Microsoft 365 Business Standard ends in 41 days (+1 more)`,
    );
    const ics = Buffer.from(mine[0]?.attachments[0]?.content ?? "", "base64").toString("utf8");
    expect(mine[0]?.attachments.map((a) => a.filename)).toEqual(["expiries.ics"]);
    expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(2);
    expect(view.subscriptions[0]?.reminders.map((r) => r.thresholdDays)).toEqual([60]);
  });
});

describe("the local SES", () => {
  it("serves the sent-mail store and the mail page on loopback", async () => {
    const store = await fetch(`${runtime.endpoints.ses}/store`);
    const page = await fetch(runtime.endpoints.ses);
    expect(store.status).toBe(200);
    expect(await store.json()).toHaveProperty("emails");
    expect(page.status).toBe(200);
    expect(runtime.endpoints.ses).toMatch(/^http:\/\/127\.0\.0\.1:/);
  });
});
