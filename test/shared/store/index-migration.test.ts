/**
 * Migrating a table written before the read-side indexes (README "Deploying"): items as the
 * earlier layout wrote them (no summary or partner-entry keys) under the earlier indexes. Both
 * ways there are read back exactly as a table written today reads: the deployed steps (add the
 * summary index, `migrate-table`, add the partner-entry index, drop `byPartner`) and the local
 * runtime's upgrade of an old data folder (createTableIfMissing). A record rewritten while the
 * backfill runs is left to the event that rewrote it.
 */

import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { DescribeTableCommand, DynamoDBClient, UpdateTableCommand } from "@aws-sdk/client-dynamodb";
import { paginateScan, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { migrateTable } from "../../../bin/cli/migrate-table.js";
import type { Target } from "../../../bin/cli/target.js";
import { freePort } from "../../../local/free-port.js";
import { parseUpstreamEvent } from "../../../shared/events/index.js";
import { dueOriginals, listTransfers, showTransfer } from "../../../shared/queries/index.js";
import { documentClient } from "../../../shared/store/clients.js";
import {
  createTable,
  createTableIfMissing,
  indexSpec,
  waitUntilActive,
} from "../../../shared/store/create-table.js";
import { backfillUpdate } from "../../../shared/store/index-backfill.js";
import {
  GLOBAL_INDEXES,
  INDEX_STEPS,
  type IndexDefinition,
  LEGACY_PARTNER_INDEX,
  REMINDER_INDEX,
} from "../../../shared/store/table-definition.js";
import { TransferStore } from "../../../shared/store/transfer-store.js";
import { calendarRoutes, jsonApiRoutes, pageRoutes } from "../../../shared/web/app-routes.js";
import { calendarToken } from "../../../shared/web/calendar-feed.js";
import { REPO_ROOT } from "../../e2e/helpers.js";
import { localDynamoConfig } from "../../support/dynamo.js";
import {
  accepted,
  ended,
  invitationSent,
  newTransferKey,
  original,
  provisioned,
  updated,
} from "../../support/events.js";
import { getRoute } from "../../support/web-routes.js";

const THRESHOLDS = [60, 30, 14, 7, 1];
const NOW = "2026-04-01T09:00:00Z";
/** The attributes the read-side indexes are keyed on, which the earlier layout never wrote. */
const NEW_INDEX_KEYS = ["listShard", "listKey", "entryPartner", "entryKey"];

const admin = () => new DynamoDBClient(localDynamoConfig());

/** Two partners' transfers with history: replaced, ended, updated and untouched originals. */
function events(transfers = 3) {
  return Array.from({ length: transfers }, (_, i) => i).flatMap((i) => {
    const key = newTransferKey(`migrate${i % 2}`);
    const id = (n: number) => `${key.customerTenantId}-o${n}`;
    return [
      invitationSent({
        ...key,
        customerName: `Customer ${i}`,
        subscriptions: [0, 1, 2].map((n) =>
          original({ subscriptionId: id(n), commitmentEndDate: `2026-0${5 + n}-1${i % 10}` }),
        ),
      }),
      accepted(key),
      provisioned({
        ...key,
        subscriptionId: `${key.customerTenantId}-n0`,
        replacesSubscriptionId: id(0),
      }),
      updated({ ...key, subscriptionId: id(1), autoRenewEnabled: true }),
      ended({ ...key, subscriptionId: id(2), endedAt: "2026-03-01T00:00:00Z" }),
    ].map((raw) => ({ key, event: parseUpstreamEvent(raw) }));
  });
}

/** Writes the events through the store, then takes away what the earlier layout never wrote. */
async function writeAsEarlierLayout(tableName: string, stream: ReturnType<typeof events>) {
  const db = documentClient(localDynamoConfig());
  const store = new TransferStore(db, tableName, THRESHOLDS);
  for (const { event } of stream) await store.apply(event);
  let stripped = 0;
  for await (const page of paginateScan({ client: db }, { TableName: tableName })) {
    for (const item of page.Items ?? []) {
      const present = NEW_INDEX_KEYS.filter((name) => item[name] !== undefined);
      if (present.length === 0) continue;
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: `REMOVE ${present.join(", ")}`,
        }),
      );
      stripped++;
    }
  }
  return { db, stripped };
}

/** What the read side shows for these transfers: list, due over ten years, each history. */
async function shown(tableName: string, stream: ReturnType<typeof events>) {
  const source = { db: documentClient(localDynamoConfig()), tableName };
  const keys = [...new Map(stream.map(({ key }) => [key.customerTenantId, key])).values()];
  const views = await Promise.all(keys.map((key) => showTransfer(source, key)));
  return {
    list: await listTransfers(source),
    due: await dueOriginals(source, { withinDays: 3650, now: NOW }),
    histories: views.map((view) => view?.history.map((h) => h.eventId).sort()),
  };
}

/** The upgraded table reads as the events say: today's indexes, every summary, due and history. */
async function expectUpgraded(tableName: string, stream: ReturnType<typeof events>) {
  expect(await indexNames(tableName)).toEqual(GLOBAL_INDEXES.map((i) => i.indexName).sort());
  const after = await shown(tableName, stream);
  const customers = after.histories.length;
  expect(after.list.map((s) => s.customerName).sort()).toEqual(
    Array.from({ length: customers }, (_, i) => `Customer ${i}`).sort(),
  );
  // Per transfer: o0 replaced and o1 still active end later; o2 ended and is gone.
  expect(after.due).toHaveLength(2 * customers);
  expect(after.histories.map((h) => h?.length)).toEqual(Array(customers).fill(5));
}

/**
 * `npm start`'s code in a child process over `tableName` (which it upgrades at start-up), with
 * test/support/kill-at-step.ts preloaded: killed by it, or stopped with SIGINT once ready.
 */
async function runtime(tableName: string, env: Record<string, string>) {
  const ports = { EVENTS_PORT: 0, SES_PORT: 0, WEB_PORT: 0 };
  for (const name of Object.keys(ports) as (keyof typeof ports)[]) ports[name] = await freePort();
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--import",
      "./test/support/kill-at-step.ts",
      "local/start.ts",
      "--in-memory",
      "--scan-every",
      "off",
    ],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
        DYNAMODB_ENDPOINT: localDynamoConfig().endpoint,
        DYNAMODB_PORT: new URL(localDynamoConfig().endpoint).port,
        LOCAL_TABLE_NAME: tableName,
        LOG_LEVEL: "ERROR",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes("all ready") && child.exitCode === null) child.kill("SIGINT");
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
    child.once("exit", (_code, exitSignal) => resolve(exitSignal)),
  );
  return { signal, output };
}

async function indexNames(tableName: string) {
  const { Table } = await admin().send(new DescribeTableCommand({ TableName: tableName }));
  return (Table?.GlobalSecondaryIndexes ?? []).map((i) => String(i.IndexName)).sort();
}

async function step(tableName: string, change: { add?: IndexDefinition; drop?: string }) {
  const attribute = (name: string) => ({ AttributeName: name, AttributeType: "S" as const });
  await admin().send(
    new UpdateTableCommand({
      TableName: tableName,
      ...(change.add
        ? {
            AttributeDefinitions: [
              attribute(change.add.partitionKey),
              attribute(change.add.sortKey),
            ],
            GlobalSecondaryIndexUpdates: [{ Create: indexSpec(change.add) }],
          }
        : { GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: String(change.drop) } }] }),
    }),
  );
  // As CloudFormation does, the update completes when the table and its indexes are ACTIVE.
  await waitUntilActive(admin(), tableName);
}

describe("migrating a table written before the read-side indexes", () => {
  it("the deployed steps: add the summary index, migrate-table, add the partner-entry index, drop byPartner", async () => {
    const stream = events();
    const reference = `migrate-ref-${randomUUID().slice(0, 8)}`;
    await createTableIfMissing(admin(), reference);
    const store = new TransferStore(documentClient(localDynamoConfig()), reference, THRESHOLDS);
    for (const { event } of stream) await store.apply(event);
    const expected = await shown(reference, stream);
    expect(expected.list).toHaveLength(3);
    expect(expected.due.length).toBeGreaterThanOrEqual(6);

    const tableName = `migrate-deployed-${randomUUID().slice(0, 8)}`;
    await createTable(admin(), tableName, [REMINDER_INDEX, LEGACY_PARTNER_INDEX]);
    const { db, stripped } = await writeAsEarlierLayout(tableName, stream);
    expect(stripped).toBeGreaterThan(0);
    // Step 1's index; without the backfill, the pages show nothing of the earlier items.
    await step(tableName, { add: INDEX_STEPS[1][2] });
    const source = { db: documentClient(localDynamoConfig()), tableName };
    expect(await listTransfers(source)).toEqual([]);

    const target = { dynamo: db, tableName } as unknown as Target;
    const first = await migrateTable(target, () => {});
    expect(first.updated).toBe(stripped);
    expect((await migrateTable(target, () => {})).updated).toBe(0);
    // Until the next deploy builds byPartnerEntry, its readers say so: 503, never a 500.
    const key = stream[0]?.key;
    if (!key) throw new Error("no transfer");
    const secret = Buffer.alloc(32, 5);
    const deps = { source, calendarSecret: async () => secret, thresholds: THRESHOLDS };
    const routes = [...pageRoutes(deps), ...jsonApiRoutes(deps), ...calendarRoutes(deps)];
    const token = calendarToken(secret, key.partnerId);
    for (const path of [
      "/api/due",
      "/due",
      `/transfers/${key.partnerId}/${key.customerTenantId}`,
      `/calendar/${key.partnerId}.ics?token=${token}`,
    ]) {
      const answer = await getRoute(routes, path);
      expect(answer.status, path).toBe(503);
      expect(String(answer.body), path).toContain("being migrated");
      expect(answer.headers?.["retry-after"], path).toBe("300");
    }
    expect((await getRoute(routes, "/api/transfers")).status).toBe(200);

    await step(tableName, { add: INDEX_STEPS[2][3] });
    await step(tableName, { drop: LEGACY_PARTNER_INDEX.indexName });
    expect(await indexNames(tableName)).toEqual(GLOBAL_INDEXES.map((i) => i.indexName).sort());
    expect(await shown(tableName, stream)).toEqual(expected);
  });

  it("the local runtime upgrades an old data folder's table by itself", async () => {
    const stream = events();
    const tableName = `migrate-local-${randomUUID().slice(0, 8)}`;
    await createTable(admin(), tableName, [REMINDER_INDEX, LEGACY_PARTNER_INDEX]);
    await writeAsEarlierLayout(tableName, stream);

    await createTableIfMissing(admin(), tableName);
    await expectUpgraded(tableName, stream);
  });

  it("a runtime killed (SIGKILL) half-way through the upgrade finishes it when restarted", {
    timeout: 120_000,
  }, async () => {
    // Far more updates than the backfill has in flight, so that the kill leaves items without keys.
    const stream = events(40);
    const tableName = `migrate-kill-${randomUUID().slice(0, 8)}`;
    await createTable(admin(), tableName, [REMINDER_INDEX, LEGACY_PARTNER_INDEX]);
    const { stripped } = await writeAsEarlierLayout(tableName, stream);
    expect(stripped).toBeGreaterThan(200);

    const first = await runtime(tableName, { KILL_AT_STEP: "index-backfill", KILL_AT_COUNT: "3" });
    expect(first.signal).toBe("SIGKILL");
    expect(first.output).not.toContain("all ready");
    const second = await runtime(tableName, {});
    expect(second.output).toContain("all ready");
    await expectUpgraded(tableName, stream);
  });

  it("leaves an original that an event rewrote meanwhile to that event's own keys", async () => {
    const stream = events().slice(0, 2);
    const tableName = `migrate-race-${randomUUID().slice(0, 8)}`;
    await createTable(admin(), tableName, [...INDEX_STEPS[1]]);
    const { db } = await writeAsEarlierLayout(tableName, stream);
    const items: Record<string, unknown>[] = [];
    for await (const page of paginateScan({ client: db }, { TableName: tableName })) {
      items.push(...(page.Items ?? []));
    }
    const stale = items.find((item) => String(item.sk).startsWith("ORIGINAL#"));
    const update = stale ? backfillUpdate(tableName, stale) : null;
    if (!update) throw new Error("no original to backfill");
    // An event rewrites the transfer's originals (a new stateVersion) before the update lands.
    const first = stream[0];
    if (!first) throw new Error("no event");
    const store = new TransferStore(db, tableName, THRESHOLDS);
    await store.apply(
      parseUpstreamEvent(
        updated({
          ...first.key,
          subscriptionId: String(stale?.subscriptionId),
          autoRenewEnabled: true,
        }),
      ),
    );
    await expect(db.send(new UpdateCommand(update))).rejects.toMatchObject({
      name: "ConditionalCheckFailedException",
    });
  });
});
