/**
 * Faults at every step of the expiry scan and of the notifier, with reminders batched into one
 * digest per partner address (SPEC sections 4-5): a DynamoDB command, the EventBridge PutEvents
 * or the SES SendEmail fails by throttling, timeout or service error, before the request reaches
 * the service or after it was applied (answer lost). Real DynamoDB Local and the real local SES
 * (aws-ses-v2-local); EventBridge is aws-sdk-client-mock, which injects its faults and captures
 * the `Reminder Digest Ready` entries it accepts, handed to the notifier in-process.
 *
 * The runtime model, on a simulated wall clock (`clock`, given to both the scan and the notifier):
 * - round r runs at T0 + r * 10 min (longer than the 2-minute PENDING grace and the 60-second
 *   send lease); the schedule's clock (`now`) stays on the same UTC day, so the due thresholds
 *   do not change;
 * - a failing scan is simply run again at the same clock (the schedule's retry);
 * - each published event is delivered to the notifier up to 3 times (Lambda's async retries,
 *   at the same clock: the worst case for leases), then dead-lettered; the dead letters are
 *   redriven at the start of the next round;
 * - round 0 is the daily scan; rounds 1 and 2 are later runs of the schedule (the last one
 *   fault-free: the final clean scan).
 *
 * After the rounds, the partner has exactly one digest listing both due originals in the local SES
 * store (except the one documented case, see `atLeastOnce`: the same digest at most twice), each
 * reminder is recorded once on the transfer, every claim is SENT in a SENT digest whose rows are
 * all recorded, and nothing is left dead-lettered.
 */

import { randomUUID } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandInput,
} from "@aws-sdk/client-eventbridge";
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SOURCES } from "../../shared/events/index.js";
import { DIGEST_SK, digestPk } from "../../shared/reminders/digests.js";
import { runExpiryScan } from "../../shared/reminders/expiry-scan.js";
import { ReminderNotifier } from "../../shared/reminders/notifier.js";
import { createNotifierHandler } from "../../shared/reminders/notifier-handler.js";
import { documentClient } from "../../shared/store/clients.js";
import { reminderDueKey, transferPk } from "../../shared/store/keys.js";
import { readTransferView } from "../../shared/store/transfer-read.js";
import { EventPublisher } from "../../shared/tracker/event-publisher.js";
import {
  daysAfter,
  type LocalSes,
  originalItem,
  startLocalSes,
  store,
  THRESHOLDS,
} from "../reminders/support.js";
import { freshTable, localDynamoConfig } from "../support/dynamo.js";
import { invitationSent, newTransferKey, original } from "../support/events.js";
import {
  FaultInjector,
  type FaultKind,
  type FaultTiming,
  faultError,
} from "../support/fault-injector.js";

/** The schedule's clock for every round (the rounds are minutes apart on the same UTC day). */
const AT = "2026-05-01T06:00:00Z";
const T0 = Date.parse(AT);
const ROUND_MS = 10 * 60_000;
const ROUNDS = 3;
const LAMBDA_ATTEMPTS = 3;
const SCAN_ATTEMPTS = 3;
const SENDER = "reminders@csp-transfers.example";
const KINDS: FaultKind[] = ["throttling", "timeout", "service"];
const TIMINGS: FaultTiming[] = ["before", "after"];

/**
 * The originals of every scenario's transfer: two due (each at its most urgent threshold) and
 * one whose end date has passed (the scan drops its index entry: a plain index update).
 */
const DUE = [
  {
    subscriptionId: "o-60",
    commitmentEndDate: "2026-06-30T00:00:00Z",
    threshold: 60,
    daysLeft: 60,
    next: "2026-05-31",
  },
  {
    subscriptionId: "o-14",
    commitmentEndDate: daysAfter(AT, 10),
    threshold: 14,
    daysLeft: 10,
    next: "2026-05-04",
  },
] as const;
const PAST = { subscriptionId: "o-past", commitmentEndDate: "2026-04-20T00:00:00Z" } as const;

type Component = "scan" | "notifier";
type Scenario = {
  component: Component;
  /** The round whose scan (or first deliveries) gets the fault. */
  round: 0 | 1;
  /** The SDK command name (as the middleware sees it), or the crash. */
  command: string;
  /** Which call of that command in the round (the injector counts from when it is armed). */
  nth: number;
  kind: FaultKind | "crash";
  timing: FaultTiming;
  step: string;
};

/**
 * THE documented case (README "The crash case"): SES accepted the email but the notifier never
 * recorded it, because SES's answer was lost (a fault after SendEmail was applied) or the process
 * died between sending and recording. The retry sends the same reminder again: at least once, at
 * most twice. Every other scenario must send exactly one email per reminder.
 */
function atLeastOnce(s: Scenario): boolean {
  return s.kind === "crash" || (s.command === "SendEmailCommand" && s.timing === "after");
}

const matrix = (
  component: Component,
  round: 0 | 1,
  command: string,
  nths: number[],
  step: string,
): Scenario[] =>
  nths.flatMap((nth) =>
    KINDS.flatMap((kind) =>
      TIMINGS.map((timing) => ({ component, round, command, nth, kind, timing, step })),
    ),
  );

const scenarios: Scenario[] = [
  // The daily scan: index query, claim transactions (one per due original), index updates
  // (the past original's removal and the two PENDING -> EMITTED marks), the publish.
  // The daily scan: index queries (stale digests, orphaned claims, due originals, per shard),
  // claim transactions (one per due original), the past original's index removal, then the
  // digest: its Put, the two claims handed to it, the PutEvents, the digest marked EMITTED.
  ...matrix("scan", 0, "QueryCommand", [1, 17, 33], "query of the reminder index"),
  ...matrix("scan", 0, "TransactWriteItemsCommand", [1, 2], "claim transaction"),
  ...matrix("scan", 0, "UpdateItemCommand", [1], "index removal of the past original"),
  ...matrix("scan", 0, "PutItemCommand", [1], "put the digest"),
  ...matrix("scan", 0, "UpdateItemCommand", [2, 3], "hand a claim to the digest"),
  ...matrix("scan", 0, "PutEvents", [1], "PutEvents"),
  ...matrix("scan", 0, "UpdateItemCommand", [4], "mark the digest EMITTED"),
  // A later scan taking over the digest orphaned by a daily scan whose PutEvents failed: the
  // digest superseded, its claims read, each original re-read, the new digest put, the claims
  // handed over, the re-publish.
  ...matrix("scan", 1, "UpdateItemCommand", [1], "recovery: supersede the orphaned digest"),
  ...matrix("scan", 1, "BatchGetItemCommand", [1], "recovery: read the digest's claims"),
  ...matrix("scan", 1, "GetItemCommand", [1, 2], "recovery: re-read the original"),
  ...matrix("scan", 1, "PutItemCommand", [1], "recovery: put the new digest"),
  ...matrix("scan", 1, "UpdateItemCommand", [2, 3], "recovery: hand a claim over"),
  ...matrix("scan", 1, "PutEvents", [1], "recovery: PutEvents"),
  // The notifier, on the first delivery of the digest: read it, lease it, read its claims and
  // their originals, send, record the digest SENT, record each row, mark the rows recorded.
  ...matrix("notifier", 0, "GetItemCommand", [1], "read the digest"),
  ...matrix("notifier", 0, "UpdateItemCommand", [1], "take the send lease"),
  ...matrix("notifier", 0, "BatchGetItemCommand", [1, 2], "read the claims / the originals"),
  ...matrix("notifier", 0, "SendEmailCommand", [1], "SES SendEmail"),
  ...matrix("notifier", 0, "UpdateItemCommand", [2], "record the digest SENT"),
  ...matrix("notifier", 0, "TransactWriteItemsCommand", [1, 2], "record a row (claim + reminder)"),
  ...matrix("notifier", 0, "UpdateItemCommand", [3], "mark the rows recorded"),
  {
    component: "notifier",
    round: 0,
    command: "crash",
    nth: 1,
    kind: "crash",
    timing: "after",
    step: "process dies between SendEmail and the digest's record",
  },
];

let tableName: string;
/** Unfaulted client: set-up and assertions. */
let db: DynamoDBDocumentClient;
/** The scan's and the notifier's own clients, each with its fault injector. */
let scanDb: DynamoDBDocumentClient;
let notifierDb: DynamoDBDocumentClient;
const scanFaults = new FaultInjector();
const notifierFaults = new FaultInjector();
const sesFaults = new FaultInjector();
let ses: LocalSes;

/** The simulated wall clock (epoch ms) of the scan and the notifier. */
let clock = T0;

const eventBridge = new EventBridgeClient({
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
});
const bridge = mockClient(eventBridge);
let putEventsArmed: { nth: number; kind: FaultKind; timing: FaultTiming } | undefined;
let putEventsCalls = 0;
let putEventsInjected = 0;
/**
 * EventBridge unreachable, and the scan's process dies right after its PutEvents failed (it can
 * write nothing more): what it claimed and its digest are orphaned for a later scan.
 */
let eventBridgeDown = false;
let scanDead = false;
let crashesInjected = 0;
/** Envelopes EventBridge accepted and has not delivered yet. */
const published: unknown[] = [];

/** Faults actually injected, per scenario title (the matrix must not be vacuous). */
const injectedBy = new Map<string, number>();
const injectedSoFar = () =>
  scanFaults.injected +
  notifierFaults.injected +
  sesFaults.injected +
  putEventsInjected +
  crashesInjected;

beforeAll(async () => {
  ({ tableName, db } = await freshTable("reminder-faults"));
  scanDb = documentClient(localDynamoConfig());
  notifierDb = documentClient(localDynamoConfig());
  scanFaults.attach(scanDb);
  scanDb.middlewareStack.add(
    (next) => async (args) => {
      if (scanDead) throw new Error("the scan's process died");
      return next(args);
    },
    { step: "initialize", name: "deadProcess" },
  );
  notifierFaults.attach(notifierDb);
  ses = await startLocalSes();
  sesFaults.attach(ses.client);
  bridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => {
    if (eventBridgeDown) {
      scanDead = true;
      throw faultError("service");
    }
    putEventsCalls++;
    const armed = putEventsArmed;
    const hit = armed !== undefined && armed.nth === putEventsCalls;
    if (hit && armed.timing === "before") {
      putEventsInjected++;
      throw faultError(armed.kind);
    }
    const entries = input.Entries ?? [];
    for (const entry of entries) {
      // `Expiry Approaching` goes to other consumers; the notifier gets the digest.
      if (entry.DetailType === "Reminder Digest Ready")
        published.push(envelope(JSON.parse(entry.Detail ?? "{}") as { digestId: string }));
      else if (entry.DetailType !== "Expiry Approaching")
        throw new Error(`unexpected ${entry.DetailType}`);
    }
    if (hit && armed.timing === "after") {
      putEventsInjected++;
      throw faultError(armed.kind);
    }
    return { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: randomUUID() })) };
  });
});

afterAll(async () => {
  bridge.restore();
  await ses?.stop();
});

function envelope(detail: { digestId: string }) {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Reminder Digest Ready",
    source: SOURCES.tracker,
    account: "123456789012",
    time: new Date(clock).toISOString(),
    region: "eu-west-1",
    resources: [],
    detail,
  };
}

/** Arms (or, with `undefined`, disarms) the scenario's fault on its component. */
function arm(scenario: Scenario | undefined, component: Component) {
  scanFaults.arm(undefined);
  notifierFaults.arm(undefined);
  sesFaults.arm(undefined);
  putEventsArmed = undefined;
  putEventsCalls = 0;
  if (!scenario || scenario.component !== component || scenario.kind === "crash") return;
  const { command, nth, kind, timing } = scenario;
  if (command === "PutEvents") putEventsArmed = { nth, kind, timing };
  else if (command === "SendEmailCommand") sesFaults.arm({ command, nth, kind, timing });
  else if (component === "scan") scanFaults.arm({ command, nth, kind, timing });
  else notifierFaults.arm({ command, nth, kind, timing });
}

/** The schedule: a failing scan is run again. */
async function scanWithRetries(): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    scanDead = false;
    try {
      await runExpiryScan({
        db: scanDb,
        tableName,
        publisher: new EventPublisher(eventBridge, "bus"),
        thresholds: THRESHOLDS,
        now: new Date(clock).toISOString(),
        clock: () => clock,
      });
      return;
    } catch (error) {
      if (attempt >= SCAN_ATTEMPTS) throw error;
    }
  }
}

/** A notifier whose process "dies" (throws, nothing retried in-process) before recording. */
function crashingBeforeRecord(): DynamoDBDocumentClient {
  let crashed = false;
  return {
    send: async (command: unknown) => {
      const recordsSent =
        command instanceof UpdateCommand &&
        String(command.input.UpdateExpression).includes("sentRows");
      if (recordsSent && !crashed) {
        crashed = true;
        crashesInjected++;
        throw new Error("process died between SendEmail and the record");
      }
      return notifierDb.send(command as never);
    },
  } as unknown as DynamoDBDocumentClient;
}

/** Delivers like Lambda's async invoke: up to 3 attempts, then the dead-letter queue. */
async function deliver(
  handler: (raw: unknown) => Promise<unknown>,
  raw: unknown,
  deadLetters: unknown[],
): Promise<void> {
  for (let attempt = 1; attempt <= LAMBDA_ATTEMPTS; attempt++) {
    try {
      await handler(raw);
      return;
    } catch (error) {
      if ((error as { retryable?: boolean }).retryable === false) throw error;
      if (attempt === LAMBDA_ATTEMPTS) deadLetters.push(raw);
    }
  }
}

async function claimsOf(pk: string) {
  const result = await db.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :claim)",
      ExpressionAttributeValues: { ":pk": pk, ":claim": "REMINDER#" },
      ConsistentRead: true,
    }),
  );
  return (result.Items ?? []) as {
    sk: string;
    status: string;
    digestId?: string;
    reminderDue?: string;
  }[];
}

async function digestOf(digestId: string) {
  const result = await db.send(
    new GetCommand({
      TableName: tableName,
      Key: { pk: digestPk(digestId), sk: DIGEST_SK },
      ConsistentRead: true,
    }),
  );
  return result.Item;
}

const title = (s: Scenario) =>
  `${s.component} round ${s.round}: ${s.step} (${s.command} #${s.nth}) ${s.kind} ${s.timing}` +
  (atLeastOnce(s) ? " [documented: SES accepted, not recorded -> at least once]" : "");

// The last test counts what the scenarios before it injected: they run in order even when the run shuffles.
describe("expiry scan and notifier under injected faults", { shuffle: false }, () => {
  for (const scenario of scenarios) {
    it(title(scenario), async () => {
      // Prepare: a fresh transfer with its own mailbox.
      const key = newTransferKey("remfault");
      const pk = transferPk(key);
      const partnerEmail = `partner-${randomUUID().slice(0, 8)}@partner.example`;
      await store(
        db,
        tableName,
        invitationSent({
          ...key,
          partnerEmail,
          subscriptions: [...DUE, PAST].map(({ subscriptionId, commitmentEndDate }) =>
            original({ subscriptionId, commitmentEndDate }),
          ),
        }),
      );
      const notifier = new ReminderNotifier({
        db: scenario.kind === "crash" ? crashingBeforeRecord() : notifierDb,
        tableName,
        ses: ses.client,
        senderEmail: SENDER,
        thresholds: THRESHOLDS,
        clock: () => clock,
        throttleBackoffMs: 1,
      });
      const handler = createNotifierHandler({
        notifier,
        logger: new Logger({ serviceName: "test", logLevel: "ERROR" }),
      });
      const deadLetters: unknown[] = [];
      published.length = 0;

      // Act: the rounds of the schedule, with the fault in its round.
      let injected = 0;
      for (let round = 0; round < ROUNDS; round++) {
        clock = T0 + round * ROUND_MS;
        const faulty = round === scenario.round ? scenario : undefined;
        const before = injectedSoFar();
        for (const raw of deadLetters.splice(0)) await deliver(handler, raw, deadLetters);
        // Recovery scenarios: EventBridge is down for the daily scan, orphaning its claims.
        eventBridgeDown = scenario.round === 1 && round === 0;
        arm(faulty, "scan");
        await scanWithRetries();
        eventBridgeDown = false;
        arm(faulty, "notifier");
        for (const raw of published.splice(0)) await deliver(handler, raw, deadLetters);
        arm(undefined, "scan");
        if (faulty) injected = injectedSoFar() - before;
      }
      injectedBy.set(title(scenario), injected);

      // Assess: nothing left dead-lettered; one digest listing both (documented case: 1-2).
      expect(deadLetters).toEqual([]);
      const mail = await ses.mail(partnerEmail);
      if (atLeastOnce(scenario)) {
        expect(mail.length).toBeGreaterThanOrEqual(1);
        expect(mail.length).toBeLessThanOrEqual(2);
      } else {
        expect(mail).toHaveLength(1);
      }
      for (const m of mail) {
        expect(m.subject).toBe(
          "Fabrikam Ltd: Microsoft 365 Business Standard ends in 10 days (+1 more)",
        );
        for (const due of DUE) {
          expect(m.body.text).toContain(`Subscription: ${due.subscriptionId}\n`);
          expect(m.body.text).toContain(`in ${due.daysLeft} days`);
        }
        expect(m.body.text).not.toContain(PAST.subscriptionId);
        expect(m.attachments.map((a) => a.filename)).toEqual(["expiries.ics"]);
      }

      // Each sent reminder is recorded on the transfer, once.
      const view = await readTransferView(db, tableName, key);
      for (const due of DUE) {
        const sub = view?.subscriptions.find((s) => s.subscriptionId === due.subscriptionId);
        expect(sub?.reminders).toEqual([
          { thresholdDays: due.threshold, sentAt: expect.any(String) },
        ]);
      }
      expect(
        view?.subscriptions.find((s) => s.subscriptionId === PAST.subscriptionId)?.reminders ?? [],
      ).toEqual([]);

      // Every claim SENT, out of the index, in one SENT digest whose rows are all recorded.
      const claims = await claimsOf(pk);
      expect(
        claims.map((c) => [c.sk.split("#").slice(1).join("#"), c.status, c.reminderDue]).sort(),
      ).toEqual(
        DUE.map((d) => [
          `${d.subscriptionId}#${d.commitmentEndDate.slice(0, 10)}#${d.threshold}`,
          "SENT",
          undefined,
        ]).sort(),
      );
      const digestIds = [...new Set(claims.map((c) => c.digestId))];
      expect(digestIds).toHaveLength(1);
      const digest = await digestOf(digestIds[0] as string);
      expect(digest).toMatchObject({ status: "SENT", rowsRecorded: true });
      expect(digest).not.toHaveProperty("reminderDue");
      for (const due of DUE) {
        expect((await originalItem(db, tableName, key, due.subscriptionId))?.reminderDue).toBe(
          reminderDueKey(due.next, pk, due.subscriptionId),
        );
      }
      const past = await originalItem(db, tableName, key, PAST.subscriptionId);
      expect(past).toMatchObject({ subscriptionId: PAST.subscriptionId });
      expect(past).not.toHaveProperty("reminderDue");
    });
  }

  it("injects every planned fault exactly once (the matrix is not vacuous)", () => {
    const missed = scenarios.map(title).filter((name) => injectedBy.get(name) !== 1);
    expect(missed).toEqual([]);
    expect(injectedBy.size).toBe(scenarios.length);
  });
});
