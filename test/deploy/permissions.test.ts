/**
 * The permission checker itself (test/deploy/rehearsal): a call the synthesized template does
 * not allow is reported denied, so `npm run check:permissions` can fail; a call it allows is not.
 * The full rehearsal runs in CI as its own step (`npm run check:permissions`).
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { AwsCall } from "../../shared/aws/call-observer.js";
import { SOURCES } from "../../shared/events/registry.js";
import type { Principal } from "./rehearsal/checker.js";
import { checkCalls, OPERATOR, principalsOf, synthesize } from "./rehearsal/rehearse.js";
import type { DeployedTemplate } from "./rehearsal/template.js";

let template: DeployedTemplate;
let principals: Map<string, Principal>;
let tableName: string;
let busName: string;

beforeAll(() => {
  template = synthesize();
  principals = principalsOf(template);
  const outputs = template.outputs();
  tableName = String(outputs.TableName);
  busName = String(outputs.EventBusName);
}, 180_000);

/** Built when a test runs (after the template is read), not when the table is collected. */
const putEvents = (source: string): AwsCall => ({
  client: "EventBridgeClient",
  operation: "PutEvents",
  input: {
    Entries: [{ EventBusName: busName, Source: source, DetailType: "Reminder Digest Ready" }],
  },
});
const sendEmail = (from: string): AwsCall => ({
  client: "SESv2Client",
  operation: "SendEmail",
  input: { FromEmailAddress: from },
});

async function decisionOf(principal: string, call: AwsCall) {
  const report = await checkCalls(template, principals, [{ principal, call }]);
  expect(report.callsChecked).toBeGreaterThan(0);
  return report;
}

describe("the permission checker", () => {
  it.each([
    [
      "the operator publishing the tracker's events (the bus policy's deny)",
      OPERATOR,
      () => putEvents(SOURCES.tracker),
      "ExplicitlyDenied",
    ],
    [
      "a tracker function publishing the tracker's events",
      "invitationSent",
      () => putEvents(SOURCES.tracker),
      "Allowed",
    ],
    [
      "the operator putting upstream events",
      OPERATOR,
      () => putEvents(SOURCES.upstream),
      "Allowed",
    ],
    [
      "the notifier mailing from another address",
      "notifier",
      () => sendEmail("ceo@contoso.example"),
      "ImplicitlyDenied",
    ],
    [
      "the notifier mailing from the sender address",
      "notifier",
      () => sendEmail("Reminders <reminders@contoso.example>"),
      "Allowed",
    ],
  ] as const)("%s: %s", async (_, principal, call, expected) => {
    const report = await decisionOf(principal, call());
    expect(report.calls.map((c) => c.decision)).toEqual(report.calls.map(() => expected));
    expect(report.denied).toBe(expected === "Allowed" ? 0 : report.callsChecked);
  });

  it("reports a write the read-only web API role was never granted", async () => {
    const report = await decisionOf("webApi", {
      client: "DynamoDBClient",
      operation: "PutItem",
      input: { TableName: tableName, Item: {} },
    });
    expect(report).toMatchObject({ denied: 1, principals: ["webApi"] });
    expect(report.calls[0]).toMatchObject({
      action: "dynamodb:PutItem",
      resource: `arn:aws:dynamodb:eu-west-1:123456789012:table/${tableName}`,
      decision: "ImplicitlyDenied",
    });
  });

  it.each([
    ["the index keys migrate-table sets", "SET listShard = :s, listKey = :k", "Allowed"],
    ["a record's status", "SET #status = :s", "ImplicitlyDenied"],
    ["a record's reminders", "SET reminders[0].sentAt = :s", "ImplicitlyDenied"],
  ] as const)("the operator updating %s: %s", async (_, expression, expected) => {
    const report = await decisionOf(OPERATOR, {
      client: "DynamoDBClient",
      operation: "UpdateItem",
      input: {
        TableName: tableName,
        Key: { pk: "TRANSFER#p#c", sk: "STATE" },
        UpdateExpression: expression,
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeNames: expression.includes("#status") ? { "#status": "status" } : {},
      },
    });
    expect(report.calls.map((c) => c.decision)).toEqual([expected]);
  });

  it("reports a Scan of a function that only writes and queries by key", async () => {
    const report = await decisionOf("invitationSent", {
      client: "DynamoDBClient",
      operation: "Scan",
      input: { TableName: tableName },
    });
    expect(report.denied).toBe(1);
  });
});
