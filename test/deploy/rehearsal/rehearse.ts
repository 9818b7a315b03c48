/**
 * The permission rehearsal (SPEC section 7): drives every function handler of the stack, the
 * operator CLI's `--stack` paths and the web API against local services, records every AWS call
 * with the principal that made it (the function's role, or the operator), and evaluates each
 * against the synthesized template's identity and resource policies.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes, randomUUID } from "node:crypto";
import { DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { LambdaFunctionURLEvent } from "aws-lambda";
import { runCli } from "../../../bin/cli/main.js";
import { startDynamoDbLocal } from "../../../local/dynamodb-local.js";
import { FakePartnerCenter } from "../../../local/fakes/partner-center/server.js";
import { freePort } from "../../../local/free-port.js";
import { startLocalSes } from "../../../local/local-ses.js";
import { type AwsCall, observeAwsCalls, observed } from "../../../shared/aws/call-observer.js";
import { DETAIL_TYPES, SOURCES } from "../../../shared/events/registry.js";
import { FUNCTIONS, type FunctionId } from "../../../shared/functions.js";
import { notificationForwarder } from "../../../shared/partner-center/connector.js";
import { createTableIfMissing } from "../../../shared/store/create-table.js";
import { STATE_SK, transferPk } from "../../../shared/store/keys.js";
import { calendarToken, secretFromString } from "../../../shared/web/calendar-feed.js";
import { buildStack, TEST_CONTEXT } from "../../infra/support/stack.js";
import {
  envelope,
  invitationAccepted,
  invitationSent,
  original,
  subscriptionProvisioned,
} from "../../support/events.js";
import { type Decision, evaluate, type Principal } from "./checker.js";
import { startFakeAws } from "./fake-aws.js";
import { type IamRequest, iamRequestsOf } from "./requests.js";
import { DeployedTemplate, FAKE_ACCOUNT, FAKE_REGION, FAKE_STACK } from "./template.js";

export const OPERATOR = "operator";
const WEB_API = "webApi";

export type CheckedCall = IamRequest & {
  principal: string;
  decision: Decision["decision"];
  detail?: string;
};
export type RehearsalReport = {
  callsChecked: number;
  denied: number;
  principals: string[];
  calls: CheckedCall[];
};

const ENTRA = {
  entraTenantId: "7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b",
  entraClientId: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
};

/** Synthesizes the full stack (web app and Partner Center connector included), template only. */
export function synthesize(): DeployedTemplate {
  const { template } = buildStack({ context: ENTRA, bundle: false });
  return new DeployedTemplate(template.toJSON() as DeployedTemplate["json"]);
}

/** Who can make calls: each function's role with its policies, and the operator's policy. */
export function principalsOf(template: DeployedTemplate): Map<string, Principal> {
  const principals = new Map<string, Principal>();
  for (const id of Object.keys(FUNCTIONS) as FunctionId[]) {
    const fnId = template.functionByDescription(FUNCTIONS[id].description);
    const role = template.functionRole(fnId);
    principals.set(id, {
      name: id,
      arn: role.arn,
      identityPolicies: template.identityPolicies(role.id),
    });
  }
  const [webApiId] =
    template
      .ofType("AWS::Lambda::Function")
      .find(([, r]) => String(r.Properties?.Description).startsWith("Partner web app API")) ?? [];
  if (!webApiId) throw new Error("the web API function is not in the template");
  const webRole = template.functionRole(webApiId);
  principals.set(WEB_API, {
    name: WEB_API,
    arn: webRole.arn,
    identityPolicies: template.identityPolicies(webRole.id),
  });
  const [operatorPolicy] =
    template.ofType("AWS::IAM::ManagedPolicy").find(([id]) => id.startsWith("Operators")) ?? [];
  if (!operatorPolicy) throw new Error("the operators' managed policy is not in the template");
  principals.set(OPERATOR, {
    name: OPERATOR,
    arn: `arn:aws:iam::${FAKE_ACCOUNT}:role/TransferOperators`,
    identityPolicies: [template.managedPolicy(operatorPolicy)],
  });
  return principals;
}

/** Evaluates each distinct (principal, request) once. */
export async function checkCalls(
  template: DeployedTemplate,
  principals: Map<string, Principal>,
  recorded: { principal: string; call: AwsCall }[],
): Promise<RehearsalReport> {
  const distinct = new Map<string, IamRequest & { principal: string }>();
  for (const { principal, call } of recorded) {
    for (const request of iamRequestsOf(call)) {
      distinct.set(JSON.stringify([principal, request.action, request.resource, request.context]), {
        principal,
        ...request,
      });
    }
  }
  const calls: CheckedCall[] = [];
  for (const request of distinct.values()) {
    const principal = principals.get(request.principal);
    const decision: Decision = principal
      ? await evaluate(principal, request, template.resourcePolicy(request.resource))
      : { decision: "Error", detail: `unknown principal ${request.principal}` };
    calls.push({ ...request, ...decision });
  }
  calls.sort((a, b) =>
    `${a.principal} ${a.action} ${a.resource}`.localeCompare(
      `${b.principal} ${b.action} ${b.resource}`,
    ),
  );
  return {
    callsChecked: calls.length,
    denied: calls.filter((c) => c.decision !== "Allowed").length,
    principals: [...new Set(calls.map((c) => c.principal))].sort(),
    calls,
  };
}

const days = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();

function urlEvent(
  path: string,
  method = "GET",
  body = "",
  headers: Record<string, string> = {},
): LambdaFunctionURLEvent {
  const [rawPath = "", rawQueryString = ""] = path.split("?");
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath,
    rawQueryString,
    headers: { host: "abc.lambda-url.eu-west-1.on.aws", ...headers },
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: FAKE_ACCOUNT,
      apiId: "abc",
      domainName: "abc.lambda-url.eu-west-1.on.aws",
      domainPrefix: "abc",
      http: {
        method,
        path: rawPath,
        protocol: "HTTP/1.1",
        sourceIp: "203.0.113.9",
        userAgent: "rehearsal",
      },
      requestId: randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
  };
}

type Handler = (event: unknown, context?: unknown) => Promise<unknown>;

/** Removes a transfer's summary-index keys with an unobserved client (nobody's call). */
async function withoutIndexKeys(
  endpoint: string,
  tableName: string,
  partnerId: string,
  customerTenantId: string,
): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: FAKE_REGION,
    credentials: { accessKeyId: "rehearsal", secretAccessKey: "rehearsal" },
  });
  await client.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: {
        pk: { S: transferPk({ partnerId, customerTenantId }) },
        sk: { S: STATE_SK },
      },
      UpdateExpression: "REMOVE listShard, listKey",
    }),
  );
  client.destroy();
}

/** Runs the whole rehearsal and returns the evaluated calls. */
export async function rehearse(
  report: (line: string) => void = () => {},
): Promise<RehearsalReport> {
  const started = Date.now();
  const log = (line: string) => report(`${((Date.now() - started) / 1000).toFixed(1)}s ${line}`);
  const template = synthesize();
  const principals = principalsOf(template);
  const outputs = template.outputs();
  const tableName = outputs.TableName as string;
  const { partnerId, clientId } = TEST_CONTEXT.partnerCenter;
  const customer = randomUUID();

  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  const ses = await startLocalSes({ port: await freePort(), dataDir: null });
  const pc = await new FakePartnerCenter({ partnerId, clientId }).start();
  const calendarSecret = randomBytes(32).toString("hex");
  const secrets: Record<string, string> = {
    [outputs.CalendarSecretArn as string]: calendarSecret,
    [outputs.PartnerCenterClientSecretArn as string]: pc.clientSecret,
  };
  const putEvents: Record<string, unknown>[] = [];
  const queues: Record<string, string[]> = {};
  const current = new AsyncLocalStorage<string>();
  const handlers = new Map<string, Handler>();
  const aws = await startFakeAws({
    outputs,
    secrets,
    queues,
    putEvents,
    invoke: async (name, payload) => {
      const id = (Object.keys(FUNCTIONS) as FunctionId[]).find(
        (f) => template.functionByDescription(FUNCTIONS[f].description) === name,
      );
      const handler = id ? handlers.get(id) : undefined;
      if (!id || !handler) throw new Error(`function ${name} not deployed in the rehearsal`);
      return current.run(id, () => handler(payload));
    },
  });
  const recorded: { principal: string; call: AwsCall }[] = [];
  const previousObserver = observeAwsCalls((call) => {
    recorded.push({ principal: current.getStore() ?? "(unattributed)", call });
  });
  const savedEnv = { ...process.env };
  /** Exactly this process's environment plus the given variables, as a fresh Lambda has. */
  const setEnv = (values: Record<string, string>) => {
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv, values);
  };
  const baseEnv = {
    AWS_REGION: FAKE_REGION,
    AWS_ACCESS_KEY_ID: "AKIDREHEARSAL",
    AWS_SECRET_ACCESS_KEY: "rehearsal",
    AWS_ENDPOINT_URL: aws.url,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SESV2: ses.endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    POWERTOOLS_DEV: "false",
  };
  /** Lambda's environment: the template's, with the outside services' URLs made local. */
  const envOf = (logicalId: string) => {
    const env = template.functionEnvironment(logicalId);
    if (env.PARTNER_CENTER_API_URL) env.PARTNER_CENTER_API_URL = pc.url;
    if (env.PARTNER_CENTER_TOKEN_URL) env.PARTNER_CENTER_TOKEN_URL = pc.tokenUrl;
    env.LOG_LEVEL = "ERROR";
    return env;
  };
  const load = async (id: FunctionId | typeof WEB_API) => {
    const folder = id === WEB_API ? "web-api" : FUNCTIONS[id].folder;
    const logicalId =
      id === WEB_API
        ? ((template
            .ofType("AWS::Lambda::Function")
            .find(([, r]) =>
              String(r.Properties?.Description).startsWith("Partner web app API"),
            ) ?? [""])[0] as string)
        : template.functionByDescription(FUNCTIONS[id].description);
    setEnv({ ...baseEnv, ...envOf(logicalId) });
    const mod = (await import(`../../../functions/${folder}/handler.ts`)) as { handler: Handler };
    handlers.set(id, mod.handler);
    return (event: unknown) => current.run(id, () => mod.handler(event));
  };

  try {
    setEnv(baseEnv);
    await createTableIfMissing(
      new DynamoDBClient({
        endpoint: dynamo.endpoint,
        region: FAKE_REGION,
        credentials: { accessKeyId: "x", secretAccessKey: "y" },
      }),
      tableName,
    );
    const key = { partnerId, customerTenantId: customer };
    const partnerEmail = "transfers@partner.example";
    log("tracker functions");
    const upstream: [FunctionId, unknown][] = [
      [
        "invitationSent",
        invitationSent(
          {
            ...key,
            partnerEmail,
            sentAt: days(-20),
            subscriptions: [
              original({
                subscriptionId: "orig-1",
                commitmentEndDate: days(10),
                termDuration: "P1Y",
              }),
              original({
                subscriptionId: "orig-2",
                offerId: "offer-e3",
                commitmentEndDate: days(40),
              }),
            ],
          },
          { time: days(-20) },
        ),
      ],
      [
        "invitationAccepted",
        invitationAccepted({ ...key, acceptedAt: days(-19) }, { time: days(-19) }),
      ],
      [
        "subscriptionProvisioned",
        subscriptionProvisioned(
          {
            ...key,
            subscriptionId: "new-1",
            replacesSubscriptionId: "orig-1",
            provisionedAt: days(-5),
          },
          { time: days(-5) },
        ),
      ],
      [
        "originalSubscriptionUpdated",
        envelope(
          DETAIL_TYPES.originalSubscriptionUpdated,
          { ...key, subscriptionId: "orig-1", updatedAt: days(-4), autoRenewEnabled: false },
          days(-4),
        ),
      ],
      [
        "originalSubscriptionEnded",
        envelope(
          DETAIL_TYPES.originalSubscriptionEnded,
          { ...key, subscriptionId: "orig-2", endedAt: days(-1), reason: "cancelled" },
          days(-1),
        ),
      ],
    ];
    for (const [id, event] of upstream) await (await load(id))(event);

    log("expiry scan (Scheduler) and notifier");
    const scan = await load("expiryScan");
    await scan({});
    const notify = await load("notifier");
    for (const entry of putEvents.filter(
      (e) => e.DetailType === DETAIL_TYPES.reminderDigestReady,
    )) {
      await notify(
        envelope(
          String(entry.DetailType),
          JSON.parse(String(entry.Detail)),
          new Date().toISOString(),
          {
            source: SOURCES.tracker,
          },
        ),
      );
    }

    log("Partner Center connector");
    pc.addCustomer({ id: customer, companyName: "Fabrikam Ltd", country: "GB" });
    const fresh = pc.addSubscription(customer, {
      offerId: "offer-e3",
      quantity: 5,
      creationDate: days(-2),
    });
    const processor = await load("partnerCenterProcessor");
    await processor(
      envelope(
        DETAIL_TYPES.partnerCenterNotification,
        {
          EventName: "subscription-updated",
          ResourceUri: pc.resourceUri(customer, fresh.id),
          ResourceName: "Subscription",
          AuditUri: "",
          ResourceChangeUtcDate: days(-2),
        },
        days(-2),
        { source: SOURCES.partnerCenter },
      ),
    );
    const reconcile = await load("partnerCenterReconcile");
    await reconcile({});
    const webhook = await load("partnerCenterWebhook");
    // Unsigned: refused before any call. A verified one is forwarded by the same forwarder the
    // handler builds (the deployed verifier fetches certificates over https only).
    await webhook(urlEvent("/partner-center/webhook", "POST", "{}"));
    const forward = notificationForwarder(
      observed(new EventBridgeClient({})),
      String(process.env.EVENT_BUS_NAME),
    );
    await current.run("partnerCenterWebhook", () =>
      forward({
        EventName: "subscription-updated",
        ResourceUri: pc.resourceUri(customer, fresh.id),
        ResourceName: "Subscription",
        AuditUri: "",
        ResourceChangeUtcDate: days(-2),
      }),
    );

    log("web API");
    const webApi = await load(WEB_API);
    const token = calendarToken(secretFromString(calendarSecret), partnerId);
    await webApi(urlEvent(`/calendar/${partnerId}.ics?token=${token}`));
    await webApi(urlEvent("/api/transfers"));

    log("operator CLI against the stack");
    const io = {
      out: (text: string) => log(`  out: ${JSON.stringify(JSON.parse(text)).slice(0, 200)}`),
      err: (text: string) => log(`  cli: ${text}`),
    };
    const stack = ["--stack", FAKE_STACK, "--region", FAKE_REGION, "--json"];
    const dlq = (suffix: string) => outputs[`DlqUrl${suffix}`] as string;
    queues[dlq("InvitationSent")] = [JSON.stringify(upstream[0]?.[1])];
    queues[dlq("Notifier")] = putEvents
      .filter((e) => e.DetailType === DETAIL_TYPES.reminderDigestReady)
      .slice(0, 1)
      .map((e) =>
        JSON.stringify(
          envelope(String(e.DetailType), JSON.parse(String(e.Detail)), new Date().toISOString(), {
            source: SOURCES.tracker,
          }),
        ),
      );
    setEnv(baseEnv);
    const exits: Record<string, number> = {};
    const cli = async (name: string, argv: string[]) => {
      exits[name] = await current.run(OPERATOR, () => runCli([...argv, ...stack], io));
    };
    await cli("show", ["show", "--partner", partnerId, "--customer", customer]);
    await cli("list", ["list", "--partner", partnerId]);
    await cli("list (all)", ["list"]);
    await cli("due", ["due", "--within", "60"]);
    await cli("emit", ["emit", "examples/02-invitation-accepted.json"]);
    await cli("scan", ["scan"]);
    await cli("scan --now (past)", ["scan", "--now", days(-1)]);
    await cli("dlq list", ["dlq", "list"]);
    await cli("dlq redrive", ["dlq", "redrive"]);
    await cli("calendar-url", ["calendar-url", "--partner", partnerId]);
    // An item as the earlier layout wrote it (no summary-index keys), for migrate-table to mend.
    await withoutIndexKeys(dynamo.endpoint, tableName, partnerId, customer);
    await cli("migrate-table", ["migrate-table"]);
    log(`  exits: ${JSON.stringify(exits)}`);
  } finally {
    observeAwsCalls(previousObserver);
    setEnv({});
    await aws.stop();
    await pc.stop();
    await ses.stop();
    await dynamo.stop();
  }
  return checkCalls(template, principals, recorded);
}
