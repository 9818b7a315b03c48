/**
 * The deploy artefacts themselves: each Lambda asset `cdk synth` writes (the bundle
 * CloudFormation would upload, not the TypeScript source) is loaded in a fresh Node process as
 * Lambda would (its handler string, its environment from the template with local endpoints),
 * invoked with an event of the shape EventBridge, Scheduler or a function URL delivers, against
 * DynamoDB Local, the local SES and stand-ins for the rest. Every function of the stack.
 */
import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { FakePartnerCenter } from "../../local/fakes/partner-center/server.js";
import { freePort } from "../../local/free-port.js";
import { type LocalSes, startLocalSes } from "../../local/local-ses.js";
import { DETAIL_TYPES, SOURCES } from "../../shared/events/registry.js";
import { FUNCTIONS, type FunctionId } from "../../shared/functions.js";
import { BUSINESS_METRICS } from "../../shared/metrics.js";
import { createTableIfMissing } from "../../shared/store/create-table.js";
import { calendarToken, secretFromString } from "../../shared/web/calendar-feed.js";
import { buildStack, TEST_CONTEXT } from "../infra/support/stack.js";
import { envelope, invitationSent, original } from "../support/events.js";
import { startFakeAws } from "./rehearsal/fake-aws.js";
import { DeployedTemplate, FAKE_REGION } from "./rehearsal/template.js";

const run = promisify(execFile);
const MARK = "__LAMBDA_RESULT__";

/** What the Lambda Node.js runtime does: import the module the handler string names, call it. */
const RUNNER = `
const [file, exportName] = process.env.HANDLER_MODULE.split("#");
const mod = await import(file);
const context = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  awsRequestId: "${randomUUID()}",
  getRemainingTimeInMillis: () => 60_000,
};
const result = await mod[exportName](JSON.parse(process.env.LAMBDA_EVENT), context);
console.log("${MARK}" + JSON.stringify(result ?? null));
`;

let template: DeployedTemplate;
let assetDir: string;
let ses: LocalSes;
let pc: FakePartnerCenter;
let aws: Awaited<ReturnType<typeof startFakeAws>>;
const putEvents: Record<string, unknown>[] = [];
const calendarSecret = randomBytes(32).toString("hex");
const { partnerId, clientId } = TEST_CONTEXT.partnerCenter;
const customer = randomUUID();

beforeAll(async () => {
  const ENTRA = {
    entraTenantId: "7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b",
    entraClientId: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
  };
  const built = buildStack({ context: ENTRA });
  assetDir = built.app.synth().directory;
  template = new DeployedTemplate(built.template.toJSON() as DeployedTemplate["json"]);
  const outputs = template.outputs();
  ses = await startLocalSes({ port: await freePort(), dataDir: null });
  pc = await new FakePartnerCenter({ partnerId, clientId }).start();
  aws = await startFakeAws({
    outputs,
    secrets: {
      [String(outputs.CalendarSecretArn)]: calendarSecret,
      [String(outputs.PartnerCenterClientSecretArn)]: pc.clientSecret,
    },
    queues: {},
    putEvents,
    invoke: async () => null,
  });
  await createTableIfMissing(
    new DynamoDBClient({
      endpoint: inject("dynamoEndpoint"),
      region: FAKE_REGION,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    }),
    String(outputs.TableName),
  );
}, 300_000);

afterAll(async () => {
  await aws?.stop();
  await pc?.stop();
  await ses?.stop();
});

/** A function's bundle and handler as the template deploys them. */
function artefact(logicalId: string) {
  const resource = template.resource(logicalId);
  // The asset CloudFormation uploads: S3Key "<hash>.zip" is the assembly folder asset.<hash>.
  const s3Key = String((resource.Properties?.Code as { S3Key?: unknown } | undefined)?.S3Key);
  const assetPath = `asset.${s3Key.replace(/\.zip$/, "")}`;
  const handler = String(resource.Properties?.Handler);
  const [file, exportName] = [
    handler.slice(0, handler.lastIndexOf(".")),
    handler.slice(handler.lastIndexOf(".") + 1),
  ];
  const module = path.join(assetDir, String(assetPath), `${file}.mjs`);
  return { module, exportName };
}

const logicalIdOf = (id: FunctionId | "webApi") =>
  id === "webApi"
    ? ((template
        .ofType("AWS::Lambda::Function")
        .find(([, r]) => String(r.Properties?.Description).startsWith("Partner web app API")) ?? [
        "",
      ])[0] as string)
    : template.functionByDescription(FUNCTIONS[id].description);

/** Invokes one function's bundle in a fresh Node process; returns its result and log lines. */
async function invoke(id: FunctionId | "webApi", event: unknown) {
  const logicalId = logicalIdOf(id);
  const { module, exportName } = artefact(logicalId);
  expect(existsSync(module), module).toBe(true);
  const env = template.functionEnvironment(logicalId);
  if (env.PARTNER_CENTER_API_URL) env.PARTNER_CENTER_API_URL = pc.url;
  if (env.PARTNER_CENTER_TOKEN_URL) env.PARTNER_CENTER_TOKEN_URL = pc.tokenUrl;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", RUNNER], {
    cwd: path.dirname(module),
    timeout: 60_000,
    env: {
      PATH: process.env.PATH,
      ...env,
      LAMBDA_TASK_ROOT: path.dirname(module),
      HANDLER_MODULE: `file://${module}#${exportName}`,
      LAMBDA_EVENT: JSON.stringify(event),
      AWS_LAMBDA_FUNCTION_NAME: logicalId,
      AWS_REGION: FAKE_REGION,
      AWS_ACCESS_KEY_ID: "ASIALAMBDA",
      AWS_SECRET_ACCESS_KEY: "lambda",
      AWS_SESSION_TOKEN: "lambda",
      AWS_ENDPOINT_URL: aws.url,
      AWS_ENDPOINT_URL_DYNAMODB: inject("dynamoEndpoint"),
      AWS_ENDPOINT_URL_SESV2: ses.endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
  });
  const lines = stdout.split("\n");
  const marked = lines.find((l) => l.startsWith(MARK));
  expect(marked, stdout).toBeDefined();
  return {
    result: JSON.parse(String(marked).slice(MARK.length)) as Record<string, unknown> | null,
    /** Embedded-metric-format lines: the business metrics. */
    metrics: lines
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const days = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();
const key = { partnerId, customerTenantId: customer };

// The notifier sends the digest the scan bundle handed over: in order even when the run shuffles tests.
describe("each deployed bundle, run as Lambda runs it", { shuffle: false }, () => {
  it("every function of the stack has a bundle with its handler", () => {
    const ids = [...(Object.keys(FUNCTIONS) as FunctionId[]), "webApi" as const];
    for (const id of ids) expect(existsSync(artefact(logicalIdOf(id)).module), id).toBe(true);
  });

  it("tracker functions apply EventBridge events and count them", async () => {
    const sent = invitationSent(
      {
        ...key,
        sentAt: days(-20),
        subscriptions: [
          original({ subscriptionId: "orig-1", commitmentEndDate: days(10), termDuration: "P1Y" }),
        ],
      },
      { time: days(-20) },
    );
    const first = await invoke("invitationSent", sent);
    expect(first.result).toMatchObject({ kind: "applied" });
    expect(first.metrics[0]).toMatchObject({
      [BUSINESS_METRICS.eventsApplied]: 1,
      service: "csp-transfer-tracker",
    });
    const upstream: [FunctionId, string, Record<string, unknown>][] = [
      ["invitationAccepted", DETAIL_TYPES.invitationAccepted, { acceptedAt: days(-19) }],
      [
        "subscriptionProvisioned",
        DETAIL_TYPES.subscriptionProvisioned,
        {
          subscriptionId: "new-1",
          offerId: "offer-m365-business-standard",
          quantity: 10,
          provisionedAt: days(-3),
          replacesSubscriptionId: "orig-1",
        },
      ],
      [
        "originalSubscriptionUpdated",
        DETAIL_TYPES.originalSubscriptionUpdated,
        { subscriptionId: "orig-1", updatedAt: days(-2), autoRenewEnabled: false },
      ],
      [
        "originalSubscriptionEnded",
        DETAIL_TYPES.originalSubscriptionEnded,
        { subscriptionId: "orig-x", endedAt: days(-1), reason: "expired" },
      ],
    ];
    for (const [id, detailType, detail] of upstream) {
      const { result } = await invoke(id, envelope(detailType, { ...key, ...detail }, days(-1)));
      expect(result, id).toMatchObject({ kind: "applied" });
    }
  });

  it("the scan runs from Scheduler's invocation, and refuses a clock ahead of the real one", async () => {
    const { result, metrics } = await invoke("expiryScan", {});
    expect(result).toMatchObject({ due: 1, emitted: 1 });
    expect(metrics[0]).toMatchObject({ [BUSINESS_METRICS.remindersDue]: 1 });
    expect(putEvents.some((e) => e.DetailType === DETAIL_TYPES.reminderDigestReady)).toBe(true);
    await expect(invoke("expiryScan", { now: days(30) })).rejects.toThrow(
      /ahead of the real clock/,
    );
  });

  it("the notifier sends the digest the scan handed over", async () => {
    const digest = putEvents.find((e) => e.DetailType === DETAIL_TYPES.reminderDigestReady);
    const event = envelope(
      String(digest?.DetailType),
      JSON.parse(String(digest?.Detail)),
      new Date().toISOString(),
      {
        source: SOURCES.tracker,
      },
    );
    const { result, metrics } = await invoke("notifier", event);
    expect(result).toMatchObject({ kind: "sent", rows: 1 });
    expect(metrics[0]).toMatchObject({
      [BUSINESS_METRICS.digestsSent]: 1,
      [BUSINESS_METRICS.remindersSent]: 1,
    });
    const store = (await (await fetch(`${ses.endpoint}/store`)).json()) as {
      emails: { subject: string }[];
    };
    expect(store.emails.some((m) => m.subject.includes("Fabrikam Ltd"))).toBe(true);
  });

  it("the Partner Center processor and reconcile turn Partner Center's state into events", async () => {
    pc.addCustomer({ id: customer, companyName: "Fabrikam Ltd", country: "GB" });
    const fresh = pc.addSubscription(customer, {
      offerId: "offer-e3",
      quantity: 5,
      creationDate: days(-1),
    });
    const before = putEvents.length;
    await invoke(
      "partnerCenterProcessor",
      envelope(
        DETAIL_TYPES.partnerCenterNotification,
        {
          EventName: "subscription-updated",
          ResourceUri: pc.resourceUri(customer, fresh.id),
          ResourceName: "Subscription",
          AuditUri: "",
          ResourceChangeUtcDate: days(-1),
        },
        days(-1),
        { source: SOURCES.partnerCenter },
      ),
    );
    const emitted = putEvents.slice(before).map((e) => e.DetailType);
    expect(emitted).toContain(DETAIL_TYPES.subscriptionProvisioned);
    const { result } = await invoke("partnerCenterReconcile", {});
    expect(result).toMatchObject({ transfers: 1 });
  });

  it("the webhook answers a function URL request, refusing an unsigned one and counting it", async () => {
    const { result, metrics } = await invoke("partnerCenterWebhook", {
      version: "2.0",
      rawPath: "/partner-center/webhook",
      rawQueryString: "",
      headers: { "content-type": "application/json" },
      body: "{}",
      isBase64Encoded: false,
      requestContext: { http: { method: "POST", path: "/partner-center/webhook" } },
    });
    expect(result).toMatchObject({ statusCode: 401 });
    expect(metrics[0]).toMatchObject({ [BUSINESS_METRICS.webhooksRefused]: 1 });
  });

  it("the web API answers the calendar feed through its function URL", async () => {
    const token = calendarToken(secretFromString(calendarSecret), partnerId);
    const { result } = await invoke("webApi", {
      version: "2.0",
      rawPath: `/calendar/${partnerId}.ics`,
      rawQueryString: `token=${token}`,
      headers: {},
      isBase64Encoded: false,
      requestContext: { http: { method: "GET", path: `/calendar/${partnerId}.ics` } },
    });
    expect(result).toMatchObject({ statusCode: 200 });
    expect(String(result?.body)).toContain("BEGIN:VCALENDAR");
  });
});
