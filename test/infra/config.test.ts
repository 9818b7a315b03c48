/** Deployment configuration and function environments fail synth with the culprit named. */
import { describe, expect, it } from "vitest";
import { type ContextKey, readDeployConfig } from "../../infra/config.js";
import { functionEnvironment } from "../../infra/function-environment.js";
import { TEST_CONTEXT } from "./support/stack.js";

function read(overrides: Partial<Record<ContextKey, unknown>>, env: NodeJS.ProcessEnv = {}) {
  const context: Record<string, unknown> = { ...TEST_CONTEXT, ...overrides };
  return readDeployConfig((key) => context[key], env);
}

describe("deployment configuration", () => {
  it("reads cdk.json-style context and the target environment", () => {
    const config = read(
      {},
      { CDK_DEFAULT_ACCOUNT: "123456789012", CDK_DEFAULT_REGION: "eu-west-1" },
    );
    expect(config).toMatchObject({
      stage: "test",
      busName: TEST_CONTEXT.busName,
      senderEmail: TEST_CONTEXT.senderEmail,
      sesIdentity: TEST_CONTEXT.senderEmail,
      createSesIdentity: true,
      allowedAccountIds: TEST_CONTEXT.allowedAccountIds,
      reminderThresholds: "60,30,14,7,1",
      account: "123456789012",
      region: "eu-west-1",
    });
  });

  it("is environment-agnostic without CDK_DEFAULT_ACCOUNT/REGION, and CDK_DEPLOY_* win", () => {
    expect(read({}, {})).toMatchObject({ account: undefined, region: undefined });
    const deploy = read(
      {},
      {
        CDK_DEFAULT_REGION: "eu-west-1",
        CDK_DEPLOY_REGION: "us-east-1",
        CDK_DEPLOY_ACCOUNT: "210987654321",
      },
    );
    expect(deploy).toMatchObject({ account: "210987654321", region: "us-east-1" });
  });

  it("accepts -c string forms for lists and flags", () => {
    const config = read({
      allowedAccountIds: "111111111111, 222222222222",
      createSesIdentity: "false",
      reminderThresholds: "7, 30,1",
    });
    expect(config.allowedAccountIds).toEqual(["111111111111", "222222222222"]);
    expect(config.createSesIdentity).toBe(false);
    expect(config.reminderThresholds).toBe("30,7,1");
  });

  it("accepts the sender's domain as the SES identity", () => {
    expect(read({ sesIdentity: "contoso.example" }).sesIdentity).toBe("contoso.example");
  });

  it.each([
    ["senderEmail", { senderEmail: undefined }, /senderEmail: .*\(missing\)/],
    ["senderEmail", { senderEmail: "not-an-email" }, /senderEmail: .*got "not-an-email"/],
    ["sesIdentity", { sesIdentity: "fabrikam.example" }, /sesIdentity: must be senderEmail/],
    ["createSesIdentity", { createSesIdentity: "yes" }, /createSesIdentity: must be true or false/],
    [
      "allowedAccountIds",
      { allowedAccountIds: ["1234"] },
      /allowedAccountIds\.0: must be a 12-digit/,
    ],
    [
      "reminderThresholds",
      { reminderThresholds: "60,soon" },
      /reminderThresholds: must be a comma-separated/,
    ],
    ["reminderThresholds", { reminderThresholds: "9999" }, /reminderThresholds: each threshold/],
    [
      "scanSchedule",
      { scanSchedule: "daily" },
      /scanSchedule: must be an EventBridge Scheduler expression/,
    ],
    ["alarmEmail", { alarmEmail: "ops" }, /alarmEmail: must be an email address or empty/],
    ["stage", { stage: "Prod!" }, /stage: must be lower-case/],
    ["busName", { busName: "default" }, /busName: must not be the default bus/],
    ["busName", { busName: undefined }, /busName: .*\(missing\)/],
  ])("names %s when it is wrong or missing", (_key, overrides, message) => {
    expect(() => read(overrides)).toThrow(message);
  });

  it("reports every problem at once", () => {
    expect(() => read({ senderEmail: undefined, stage: undefined })).toThrow(
      /stage:[\s\S]*senderEmail:/,
    );
  });
});

describe("function environments", () => {
  const common = { TABLE_NAME: "transfers", POWERTOOLS_SERVICE_NAME: "svc", LOG_LEVEL: "INFO" };

  it("passes the variables through when the function's schema accepts them", () => {
    const env = functionEnvironment("notifier", {
      ...common,
      SENDER_EMAIL: "a@b.co",
      SES_CONFIGURATION_SET: "reminders",
      REMINDER_THRESHOLDS: "30,7",
    });
    expect(env).toEqual({
      ...common,
      SENDER_EMAIL: "a@b.co",
      SES_CONFIGURATION_SET: "reminders",
      REMINDER_THRESHOLDS: "30,7",
    });
  });

  it("fails synth naming the variable the function would reject at start-up", () => {
    expect(() =>
      functionEnvironment("tracker", {
        ...common,
        EVENT_BUS_NAME: "bus",
        REMINDER_THRESHOLDS: "soon",
      }),
    ).toThrow(/Invalid environment for tracker functions: REMINDER_THRESHOLDS/);
    expect(() =>
      functionEnvironment("notifier", {
        ...common,
        SENDER_EMAIL: "nobody",
        SES_CONFIGURATION_SET: "reminders",
        REMINDER_THRESHOLDS: "30,7",
      }),
    ).toThrow(/SENDER_EMAIL/);
  });

  it("rejects a variable no schema reads", () => {
    expect(() =>
      functionEnvironment("expiryScan", {
        ...common,
        EVENT_BUS_NAME: "bus",
        REMINDER_THRESHOLDS: "7",
        EXTRA: "x",
      } as never),
    ).toThrow(/EXTRA|Unrecognized/);
  });
});
