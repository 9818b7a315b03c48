/**
 * `npm run fuzz [-- --inputs N --seed S --json]`: puts N hostile inputs (default 10,000) through
 * the local runtime, spread over the PutEvents endpoint, each event handler called directly,
 * and every HTTP server it runs (the events endpoint with its SQS subset and /_local paths, the
 * local SES, and each route registered on the web server), with a few valid events mixed in.
 *
 * Figures: fuzzInputs; fuzzCrashes (the runtime died, or stopped answering); fuzzUnexpected-
 * StateChanges (a table change the oracle did not predict, a hostile input accepted, a valid
 * one refused, or a dead-letter queue other than predicted); fuzzDeadLettersWithoutReason (a
 * refusal or dead letter whose reason does not name what is wrong). The goal is 0, 0, 0; the
 * exit code is 2 otherwise. Inputs come from one seed, printed, so a failing run can be replayed.
 */
import "../local/quiet-sdk.js";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../local/config.js";
import { type DynamoDbLocal, startDynamoDbLocal } from "../local/dynamodb-local.js";
import { freePort } from "../local/free-port.js";
import { localWebRoutes } from "../local/web-routes.js";
import { mapLimited } from "../shared/concurrency.js";
import { DEFAULT_REMINDER_THRESHOLDS } from "../shared/config/thresholds.js";
import { FUNCTIONS, type FunctionId } from "../shared/functions.js";
import { documentClient } from "../shared/store/clients.js";
import { TransferStore } from "../shared/store/transfer-store.js";
import { FuzzExecutor, type Handler } from "./fuzz/executor.js";
import { requestBytes, sendRaw } from "./fuzz/http-client.js";
import { entryFor, type FuzzInput, fuzzPlan, groupOf, type TargetGroup } from "./fuzz/inputs.js";
import { clip, type Finding, TableOracle } from "./fuzz/oracle.js";
import {
  freeRuntimePorts,
  type RuntimePorts,
  type RuntimeProcess,
  startRuntimeProcess,
} from "./fuzz/runtime-process.js";

const DEFAULT_SEED = 20261203;
const ROUND = 250;
const CONCURRENCY = 8;

const { values } = parseArgs({
  options: {
    inputs: { type: "string", default: "10000" },
    seed: { type: "string", default: String(DEFAULT_SEED) },
    json: { type: "boolean", default: false },
  },
});

const say = (line: string) => {
  if (values.json) process.stderr.write(`  … ${line}\n`);
  else console.log(line);
};

function wholeNumber(name: string, raw: string | undefined): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--${name} wants a whole number >= 1, got "${raw}"`);
  return n;
}

/** Every function triggered by events, its handler module loaded as Lambda would load it. */
async function loadHandlers(): Promise<Partial<Record<FunctionId, Handler>>> {
  const handlers: Partial<Record<FunctionId, Handler>> = {};
  for (const [id, fn] of Object.entries(FUNCTIONS) as [
    FunctionId,
    { folder: string; triggers: readonly string[] },
  ][]) {
    if (fn.triggers.length === 0) continue;
    const url = new URL(`../functions/${fn.folder}/handler.ts`, import.meta.url);
    if (!existsSync(fileURLToPath(url))) continue;
    const mod = (await import(url.href)) as { handler?: Handler };
    if (typeof mod.handler === "function") handlers[id] = mod.handler;
  }
  return handlers;
}

/** Does each server still answer a plain request within 10 s? */
async function alive(ports: RuntimePorts): Promise<string | null> {
  const probes = [
    { server: "events", port: ports.events, path: "/_local/stats" },
    { server: "ses", port: ports.ses, path: "/health-check" },
    { server: "web", port: ports.web, path: "/_fuzz/alive" },
  ] as const;
  for (const { server, port, path } of probes) {
    const answer = await sendRaw(
      port,
      requestBytes({ method: "GET", path, headers: {} }, port),
      10_000,
    );
    if (answer.kind !== "answered" || answer.status >= 500) {
      return `${server} did not answer GET ${path} (${answer.kind})`;
    }
  }
  return null;
}

async function drain(ports: RuntimePorts): Promise<boolean> {
  const answer = await sendRaw(
    ports.events,
    requestBytes({ method: "POST", path: "/_local/drain", headers: {} }, ports.events),
    120_000,
  );
  return answer.kind === "answered" && answer.status === 200;
}

/** Reads every dead letter through the SQS subset, hiding each one as it is read. */
async function readDeadLetters(executor: FuzzExecutor, ports: RuntimePorts): Promise<void> {
  for (;;) {
    const body = JSON.stringify({
      QueueUrl: "http://127.0.0.1/000000000000/local-dead-letters",
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 43_200,
    });
    const answer = await sendRaw(
      ports.events,
      requestBytes(
        {
          method: "POST",
          path: "/",
          headers: {
            "content-type": "application/x-amz-json-1.0",
            "x-amz-target": "AmazonSQS.ReceiveMessage",
          },
          body,
        },
        ports.events,
      ),
      30_000,
    );
    if (answer.kind !== "answered" || answer.status !== 200) {
      throw new Error(`could not read the dead-letter queue (${answer.kind})`);
    }
    if (executor.recordLetters(JSON.parse(answer.body.toString("utf8"))) === 0) return;
  }
}

async function main(): Promise<number> {
  const count = wholeNumber("inputs", values.inputs);
  const seed = wholeNumber("seed", values.seed);
  const began = performance.now();
  say(
    `fuzz: ${count} inputs, seed ${seed} (replay: npm run fuzz -- --inputs ${count} --seed ${seed})`,
  );

  // An already running DynamoDB (the test run's) or a DynamoDB Local of our own.
  const dynamo: DynamoDbLocal | undefined = process.env.DYNAMODB_ENDPOINT
    ? undefined
    : await startDynamoDbLocal({ port: await freePort() });
  const dynamoEndpoint = dynamo?.endpoint ?? process.env.DYNAMODB_ENDPOINT ?? "";
  const tableName = `fuzz-${seed}-${Date.now()}`;
  const ports = await freeRuntimePorts();
  let runtime: RuntimeProcess | undefined;
  try {
    runtime = await startRuntimeProcess({ ports, dynamoEndpoint, tableName });
    const endpoints = runtime.endpoints;
    // The handlers build their clients from the environment at import, as in Lambda.
    Object.assign(process.env, {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.events,
      AWS_ENDPOINT_URL_SES: endpoints.ses,
      AWS_ENDPOINT_URL_SESV2: endpoints.ses,
      TABLE_NAME: tableName,
      EVENT_BUS_NAME: "csp-transfers",
      SENDER_EMAIL: "reminders@csp-transfers.example",
      LOG_LEVEL: "ERROR",
    });
    delete process.env.AWS_PROFILE;
    const handlers = await loadHandlers();
    const webRoutes = (
      await localWebRoutes({
        dataDir: null,
        tableName,
        dynamoEndpoint,
        eventsEndpoint: endpoints.events,
        webEndpoint: endpoints.web,
        log: () => {},
      })
    ).map((r) => ({ method: r.method, pattern: r.pattern }));

    const plan = fuzzPlan({
      count,
      seed,
      webRoutes,
      handlers: Object.keys(handlers) as FunctionId[],
    });
    say(
      `targets: PutEvents, ${Object.keys(handlers).length} handlers (${Object.keys(handlers).join(", ")}), ` +
        `events endpoint, local SES, ${webRoutes.length} web route(s)`,
    );

    const db = documentClient({
      endpoint: dynamoEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const store = new TransferStore(
      db,
      tableName,
      DEFAULT_REMINDER_THRESHOLDS.split(",").map(Number),
    );
    const oracle = new TableOracle(db, tableName, store);
    let executor = new FuzzExecutor(ports, handlers, oracle);
    const retired: FuzzExecutor[] = [];
    const crashes: Finding[] = [];

    await oracle.rebase();
    await executor.putValid(plan.seedEvents.map(entryFor));
    if (!(await drain(ports))) throw new Error("the seed events were not processed");
    await oracle.check("seed transfers");

    const byGroup: Record<TargetGroup, number> = {
      putEvents: 0,
      handlers: 0,
      events: 0,
      ses: 0,
      web: 0,
    };
    let sent = 0;
    for (let start = 0; start < plan.inputs.length; start += ROUND) {
      const round = plan.inputs.slice(start, start + ROUND);
      const label = `inputs ${start}-${start + round.length - 1}`;
      const mark = executor.mark();
      await mapLimited(
        round.map((input, i) => [input, start + i] as [FuzzInput, number]),
        CONCURRENCY,
        async ([input, index]) => {
          byGroup[groupOf(input)]++;
          sent++;
          await executor.run(input, index);
        },
      );
      const exited = runtime.exited();
      const problem = exited
        ? `the runtime exited (code ${exited.code}, signal ${exited.signal})`
        : (((await drain(ports)) ? null : "the events endpoint did not drain") ??
          (await alive(ports)));
      if (problem) {
        crashes.push({
          what: `${label}: ${problem}`,
          detail: clip(runtime.output().slice(-2_000), 2_000),
        });
        say(`  ${label}: ${problem}; restarting the runtime`);
        executor.dropSince(mark);
        await runtime.stop();
        runtime = await startRuntimeProcess({ ports, dynamoEndpoint, tableName });
        // What the dead runtime had accepted is gone with its in-memory journal.
        retired.push(executor);
        executor = new FuzzExecutor(ports, handlers, oracle);
        await oracle.rebase();
        continue;
      }
      await oracle.check(label);
      if ((start / ROUND) % 8 === 7 || start + ROUND >= plan.inputs.length) {
        say(
          `  ${sent} inputs sent, ${crashes.length} crash(es), ${oracle.findings.length} unexpected change(s)`,
        );
      }
    }

    await readDeadLetters(executor, ports);
    executor.judgeDeadLetters();
    const deadLetterFindings: Finding[] = [];
    for (const id of executor.expectedDeadLetters) {
      if (!executor.deadLetters.has(id)) {
        deadLetterFindings.push({
          what: `accepted hostile delivery ${id} was not dead-lettered`,
          detail: "",
        });
      }
    }
    for (const id of executor.deadLetters.keys()) {
      if (!executor.expectedDeadLetters.has(id)) {
        deadLetterFindings.push({
          what: `delivery ${id} was dead-lettered though its event is valid`,
          detail: clip(executor.deadLetters.get(id)),
        });
      }
    }

    const all = [executor, ...retired];
    const stalls = all.flatMap((e) => e.stalls);
    const unexpected = [
      ...oracle.findings,
      ...all.flatMap((e) => e.refusedWrongly),
      ...deadLetterFindings,
    ];
    const withoutReason = all.flatMap((e) => e.withoutReason);
    const serverErrors = all.flatMap((e) => e.serverErrors);
    const figures = {
      fuzzInputs: sent,
      fuzzCrashes: crashes.length + stalls.length,
      fuzzUnexpectedStateChanges: unexpected.length,
      fuzzDeadLettersWithoutReason: withoutReason.length,
      fuzzSeed: seed,
      fuzzSeconds: Math.round((performance.now() - began) / 100) / 10,
      fuzzInputsByTarget: byGroup,
      fuzzValidEvents: all.reduce((n, e) => n + e.validEvents, 0),
      fuzzDeadLetters: executor.deadLetters.size,
      fuzzServerErrors: serverErrors.length,
      fuzzWebRoutes: webRoutes.length,
    };
    const report = (title: string, findings: Finding[]) => {
      if (findings.length === 0) return;
      process.stderr.write(`${title} (${findings.length}):\n`);
      for (const f of findings.slice(0, 10))
        process.stderr.write(`  - ${f.what}\n      ${f.detail}\n`);
    };
    report("crashes", crashes);
    report("requests left without an answer", stalls);
    report("unexpected state changes", unexpected);
    report("refusals and dead letters without a clear reason", withoutReason);
    report("server errors (5xx answers to hostile input)", serverErrors);
    if (values.json) process.stdout.write(`${JSON.stringify(figures)}\n`);
    else
      for (const [k, v] of Object.entries(figures))
        console.log(`${k.padEnd(30)} ${typeof v === "object" ? JSON.stringify(v) : v}`);
    const failed =
      figures.fuzzCrashes +
      figures.fuzzUnexpectedStateChanges +
      figures.fuzzDeadLettersWithoutReason;
    if (failed > 0) say(`replay: npm run fuzz -- --inputs ${count} --seed ${seed}`);
    return failed > 0 ? 2 : 0;
  } finally {
    await runtime?.stop();
    await dynamo?.stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`fuzz failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
