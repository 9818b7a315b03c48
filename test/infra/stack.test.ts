/** Template tests: what SPEC.md section 7 promises a deployer, read from the synthesized stack. */
import type { CfnElement } from "aws-cdk-lib";
import { Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { DRAFT_04 } from "../../infra/event-schemas.js";
import { ENV_SCHEMAS } from "../../infra/function-environment.js";
import { EVENT_CATALOGUE, SOURCES } from "../../shared/events/registry.js";
import { FUNCTIONS, type FunctionId, RULES } from "../../shared/functions.js";
import { OUTPUT_KEYS } from "../../shared/stack-outputs.js";
import { indexSpec } from "../../shared/store/create-table.js";
import { GLOBAL_INDEXES, TABLE_KEYS } from "../../shared/store/table-definition.js";
import {
  asArray,
  type BuiltStack,
  buildStack,
  iamStatements,
  resourcesOfType,
  TEST_CONTEXT,
} from "./support/stack.js";

/**
 * The only IAM statements allowed to name Resource "*": AWS offers no narrower resource for
 * these actions. Anything else on "*" fails the test.
 */
const STAR_RESOURCE_EXCEPTIONS = [
  {
    name: "X-Ray tracing (PutTraceSegments/PutTelemetryRecords have no resource-level permissions)",
    actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
  },
];

const FUNCTION_COUNT = Object.keys(FUNCTIONS).length;

let built: BuiltStack;

beforeAll(() => {
  built = buildStack();
}, 120_000);

const getAtt = (logicalId: string) => ({ "Fn::GetAtt": [logicalId, "Arn"] });

function functionLogicalId(folderDescription: string): string {
  const match = resourcesOfType(built.template, "AWS::Lambda::Function").find(
    ([, fn]) => fn.Properties?.Description === folderDescription,
  );
  if (!match) throw new Error(`no function described "${folderDescription}"`);
  return match[0];
}

describe("event routing", () => {
  it("has one rule per catalogue entry, with the registry's pattern and that function as target", () => {
    const rules = resourcesOfType(built.template, "AWS::Events::Rule");
    expect(rules).toHaveLength(RULES.length);
    for (const rule of RULES) {
      const fnId = functionLogicalId(FUNCTIONS[rule.functionId].description);
      const matching = rules.filter(
        ([, r]) => JSON.stringify(r.Properties?.EventPattern) === JSON.stringify(rule.pattern),
      );
      expect(matching, rule.detailType).toHaveLength(1);
      const targets = matching[0]?.[1].Properties?.Targets as { Arn: unknown }[];
      expect(targets.map((t) => t.Arn)).toEqual([getAtt(fnId)]);
    }
  });

  it("sends the notifier reminder digests only; Expiry Approaching goes to no product function", () => {
    const notifierId = functionLogicalId(FUNCTIONS.notifier.description);
    const rules = resourcesOfType(built.template, "AWS::Events::Rule");
    const toNotifier = rules.filter(([, r]) =>
      ((r.Properties?.Targets ?? []) as { Arn: unknown }[]).some(
        (t) => JSON.stringify(t.Arn) === JSON.stringify(getAtt(notifierId)),
      ),
    );
    expect(toNotifier.map(([, r]) => r.Properties?.EventPattern)).toEqual([
      { source: ["csp.transfers.tracker"], "detail-type": ["Reminder Digest Ready"] },
    ]);
    const expiry = rules.filter(([, r]) =>
      JSON.stringify(r.Properties?.EventPattern).includes("Expiry Approaching"),
    );
    expect(expiry).toEqual([]);
    const notifier = resourcesOfType(built.template, "AWS::Lambda::Function").find(
      ([id]) => id === notifierId,
    );
    const environment = notifier?.[1].Properties?.Environment as
      | { Variables: Record<string, unknown> }
      | undefined;
    expect(environment?.Variables.REMINDER_THRESHOLDS).toBe("60,30,14,7,1");
  });

  it("gives every rule target a dead-letter queue and a retry policy", () => {
    const rules = resourcesOfType(built.template, "AWS::Events::Rule");
    const queueIds = new Set(resourcesOfType(built.template, "AWS::SQS::Queue").map(([id]) => id));
    for (const [id, rule] of rules) {
      const targets = rule.Properties?.Targets as Record<string, unknown>[];
      expect(targets.length, id).toBeGreaterThan(0);
      for (const target of targets) {
        const dlq = target.DeadLetterConfig as { Arn: { "Fn::GetAtt": [string, string] } };
        expect(queueIds.has(dlq.Arn["Fn::GetAtt"][0]), id).toBe(true);
        expect(target.RetryPolicy, id).toEqual({
          MaximumRetryAttempts: expect.any(Number),
          MaximumEventAgeInSeconds: expect.any(Number),
        });
      }
    }
  });

  it("puts every rule on the custom bus, which only configured accounts may write to", () => {
    const [busId, bus] = resourcesOfType(built.template, "AWS::Events::EventBus")[0] ?? [];
    expect(bus?.Properties?.Name).toBe(TEST_CONTEXT.busName);
    for (const [, rule] of resourcesOfType(built.template, "AWS::Events::Rule")) {
      expect(rule.Properties?.EventBusName).toEqual({ Ref: busId });
    }
    const policies = resourcesOfType(built.template, "AWS::Events::EventBusPolicy").filter(
      ([, p]) => effectOf(p) === "Allow",
    );
    expect(policies).toHaveLength(1);
    const statement = policies[0]?.[1].Properties?.Statement as {
      Principal: { AWS: unknown };
      Action: string;
      Condition: unknown;
    };
    const principals = JSON.stringify(statement.Principal.AWS);
    for (const account of TEST_CONTEXT.allowedAccountIds) expect(principals).toContain(account);
    expect(principals).not.toContain('"*"');
    expect(statement.Action).toBe("events:PutEvents");
    // events:source is multivalued (one value per entry): every entry's source, and present.
    expect(statement.Condition).toEqual({
      "ForAllValues:StringEquals": { "events:source": [SOURCES.upstream] },
      Null: { "events:source": "false" },
    });
  });

  const effectOf = (policy: { Properties?: Record<string, unknown> }) =>
    (policy.Properties?.Statement as { Effect?: string } | undefined)?.Effect;

  it("allows no other account when none is configured", () => {
    const alone = buildStack({ context: { allowedAccountIds: [] }, bundle: false });
    const allows = resourcesOfType(alone.template, "AWS::Events::EventBusPolicy").filter(
      ([, p]) => effectOf(p) === "Allow",
    );
    expect(allows).toEqual([]);
  });

  it("denies the product's own source to every principal but the functions that publish it", () => {
    // Prepare: the roles of the functions that publish the product's own events (the tracker's
    // status changes, the scan's reminders); the connector publishes upstream events only
    const roleId = (functionId: FunctionId) => {
      const fn = built.stack.functions[functionId];
      return built.stack.getLogicalId(fn.role.node.defaultChild as CfnElement);
    };
    const deployed = Object.keys(built.stack.functions) as FunctionId[];
    const publishers = deployed
      .filter((id) => ["tracker", "expiryScan"].includes(FUNCTIONS[id].env))
      .map(roleId);
    const others = deployed
      .filter((id) => !["tracker", "expiryScan"].includes(FUNCTIONS[id].env))
      .map(roleId);
    const denies = resourcesOfType(built.template, "AWS::Events::EventBusPolicy").filter(
      ([, p]) => effectOf(p) === "Deny",
    );

    // Assess
    expect(denies).toHaveLength(1);
    const deny = denies[0]?.[1].Properties?.Statement as {
      Principal: unknown;
      Action: string;
      Condition: {
        "ForAnyValue:StringEquals": Record<string, unknown>;
        ArnNotEquals: { "aws:PrincipalArn": { "Fn::GetAtt": [string, string] }[] };
      };
    };
    expect(deny.Principal).toEqual({ AWS: "*" });
    expect(deny.Action).toBe("events:PutEvents");
    expect(deny.Condition["ForAnyValue:StringEquals"]).toEqual({
      "events:source": [SOURCES.tracker],
    });
    const exempt = deny.Condition.ArnNotEquals["aws:PrincipalArn"].map((a) => a["Fn::GetAtt"]);
    expect(exempt.every(([, attribute]) => attribute === "Arn")).toBe(true);
    expect(exempt.map(([role]) => role).sort()).toEqual(publishers.sort());
    expect(publishers.length).toBeGreaterThan(0);
    expect(others.length).toBeGreaterThan(0);
    for (const role of others) expect(exempt.map(([r]) => r)).not.toContain(role);
  });

  it("archives the bus's events for replay", () => {
    built.template.hasResourceProperties("AWS::Events::Archive", {
      EventPattern: { source: Object.values(SOURCES) },
      RetentionDays: Match.anyValue(),
    });
  });
});

describe("dead-letter queues", () => {
  it("are encrypted, TLS-only, and alarmed on their first message", () => {
    const queues = resourcesOfType(built.template, "AWS::SQS::Queue");
    // One per function, the two schedules' (scan, reconciliation), the alarm email subscription's.
    expect(queues).toHaveLength(FUNCTION_COUNT + 3);
    const policies = resourcesOfType(built.template, "AWS::SQS::QueuePolicy");
    const alarms = resourcesOfType(built.template, "AWS::CloudWatch::Alarm");
    for (const [id, queue] of queues) {
      expect(queue.Properties?.SqsManagedSseEnabled, id).toBe(true);
      const tlsOnly = policies.some(([, p]) => {
        const props = p.Properties as {
          Queues: unknown[];
          PolicyDocument: { Statement: unknown[] };
        };
        return (
          JSON.stringify(props.Queues).includes(id) &&
          props.PolicyDocument.Statement.some(
            (s) =>
              JSON.stringify(s).includes('"aws:SecureTransport":"false"') &&
              (s as { Effect: string }).Effect === "Deny",
          )
        );
      });
      expect(tlsOnly, `${id} enforces TLS`).toBe(true);
      const depthAlarm = alarms.some(
        ([, a]) =>
          a.Properties?.MetricName === "ApproximateNumberOfMessagesVisible" &&
          JSON.stringify(a.Properties?.Dimensions).includes(id),
      );
      expect(depthAlarm, `${id} has a depth alarm`).toBe(true);
    }
  });
});

describe("functions", () => {
  it("builds every catalogue function on Node.js 24, ARM64, traced, with its own log group and DLQ", () => {
    const functions = resourcesOfType(built.template, "AWS::Lambda::Function");
    expect(functions).toHaveLength(FUNCTION_COUNT);
    const logGroups = new Map(resourcesOfType(built.template, "AWS::Logs::LogGroup"));
    for (const [id, fn] of functions) {
      const props = fn.Properties as Record<string, unknown>;
      expect(props.Runtime, id).toBe("nodejs24.x");
      expect(props.Architectures, id).toEqual(["arm64"]);
      expect(props.Handler, id).toBe("index.handler");
      expect(props.TracingConfig, id).toEqual({ Mode: "Active" });
      expect(props.MemorySize, id).toEqual(expect.any(Number));
      expect(props.Timeout, id).toEqual(expect.any(Number));
      expect(props.DeadLetterConfig, id).toEqual({
        TargetArn: { "Fn::GetAtt": [expect.any(String), "Arn"] },
      });
      const logGroupRef = (props.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(logGroups.get(logGroupRef)?.Properties?.RetentionInDays, id).toEqual(
        expect.any(Number),
      );
    }
  });

  it("sets exactly the variables each function's zod schema reads, plus source maps and metrics", () => {
    for (const [functionId, definition] of Object.entries(FUNCTIONS)) {
      const id = functionLogicalId(definition.description);
      const fn = built.template.findResources("AWS::Lambda::Function")[id] as {
        Properties: { Environment: { Variables: Record<string, unknown> } };
      };
      const variables = fn.Properties.Environment.Variables;
      const expected = Object.keys(ENV_SCHEMAS[definition.env].shape);
      expect(Object.keys(variables).sort(), functionId).toEqual(
        [...expected, "NODE_OPTIONS", "POWERTOOLS_METRICS_NAMESPACE"].sort(),
      );
      expect(variables.POWERTOOLS_SERVICE_NAME).toBe("csp-transfer-tracker");
      expect(variables.LOG_LEVEL).toBe(TEST_CONTEXT.logLevel);
      expect(variables.NODE_OPTIONS).toBe("--enable-source-maps");
    }
  });

  it("alarms on every function's errors and throttles, notifying the alarm topic", () => {
    const alarms = resourcesOfType(built.template, "AWS::CloudWatch::Alarm");
    const [topicId] = resourcesOfType(built.template, "AWS::SNS::Topic")[0] ?? [];
    for (const [id] of resourcesOfType(built.template, "AWS::Lambda::Function")) {
      for (const metric of ["Errors", "Throttles"]) {
        const alarm = alarms.find(
          ([, a]) =>
            a.Properties?.MetricName === metric &&
            JSON.stringify(a.Properties?.Dimensions).includes(id),
        );
        expect(alarm, `${id} ${metric}`).toBeDefined();
      }
    }
    for (const [id, alarm] of alarms) {
      expect(alarm.Properties?.AlarmActions, id).toEqual([{ Ref: topicId }]);
    }
    built.template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: TEST_CONTEXT.alarmEmail,
      RedrivePolicy: Match.anyValue(),
    });
    built.template.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
  });
});

describe("IAM", () => {
  it('allows Resource "*" only for the named exceptions', () => {
    const offenders = iamStatements(built.template).filter(({ statement }) => {
      if (statement.Effect !== "Allow") return false;
      if (!asArray(statement.Resource).includes("*")) return false;
      const actions = asArray(statement.Action);
      return !STAR_RESOURCE_EXCEPTIONS.some((exception) =>
        actions.every((action) => exception.actions.includes(action)),
      );
    });
    expect(offenders).toEqual([]);
  });

  it("never allows a wildcard action", () => {
    const wildcards = iamStatements(built.template).filter(({ statement }) =>
      asArray(statement.Action).some((action) => action === "*" || action.endsWith(":*")),
    );
    expect(wildcards).toEqual([]);
  });

  it("allows events:PutEvents on the transfer bus only", () => {
    const [busId] = resourcesOfType(built.template, "AWS::Events::EventBus")[0] ?? [];
    const putEvents = iamStatements(built.template).filter(({ statement }) =>
      asArray(statement.Action).includes("events:PutEvents"),
    );
    expect(putEvents.length).toBeGreaterThan(0);
    for (const { statement } of putEvents) {
      expect(statement.Resource).toEqual(getAtt(busId ?? "?"));
    }
  });

  it("lets only the notifier send email, from the configured address and identity only", () => {
    const notifierId = functionLogicalId(FUNCTIONS.notifier.description);
    const send = iamStatements(built.template).filter(({ statement }) =>
      asArray(statement.Action).some((action) => action.startsWith("ses:")),
    );
    expect(send).toHaveLength(1);
    const [{ policy, statement }] = send as [(typeof send)[number]];
    expect(policy.startsWith(notifierId.replace(/Function[0-9A-F]{8}$/, "Role"))).toBe(true);
    expect(statement.Condition).toEqual({
      StringEquals: { "ses:FromAddress": TEST_CONTEXT.senderEmail },
    });
    const resources = JSON.stringify(statement.Resource);
    expect(resources).toContain(`:identity/${TEST_CONTEXT.senderEmail}`);
    expect(resources).not.toContain('"*"');
    built.template.hasResourceProperties("AWS::SES::EmailIdentity", {
      EmailIdentity: TEST_CONTEXT.senderEmail,
    });
  });

  it("does not create the SES identity unless asked", () => {
    const noIdentity = buildStack({ context: { createSesIdentity: false }, bundle: false });
    noIdentity.template.resourceCountIs("AWS::SES::EmailIdentity", 0);
  });

  it("uses no AWS managed policies", () => {
    for (const [id, role] of resourcesOfType(built.template, "AWS::IAM::Role")) {
      expect(role.Properties?.ManagedPolicyArns, id).toBeUndefined();
    }
  });
});

describe("table", () => {
  it("is on-demand, point-in-time recoverable, deletion-protected and retained", () => {
    built.template.hasResource("AWS::DynamoDB::Table", {
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
      Properties: Match.objectLike({
        BillingMode: "PAY_PER_REQUEST",
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        KeySchema: [
          { AttributeName: TABLE_KEYS.partitionKey, KeyType: "HASH" },
          { AttributeName: TABLE_KEYS.sortKey, KeyType: "RANGE" },
        ],
      }),
    });
  });

  it("has the shared definition's indexes, each with its projection", () => {
    const [, table] = resourcesOfType(built.template, "AWS::DynamoDB::Table")[0] ?? [];
    const indexes = table?.Properties?.GlobalSecondaryIndexes as {
      IndexName: string;
      KeySchema: unknown;
      Projection: unknown;
    }[];
    expect(indexes.map((i) => i.IndexName).sort()).toEqual(
      GLOBAL_INDEXES.map((i) => i.indexName).sort(),
    );
    for (const index of GLOBAL_INDEXES) {
      expect(indexes.find((i) => i.IndexName === index.indexName)).toEqual(indexSpec(index));
    }
  });

  it("grants no dynamodb:Scan and no index wildcard", () => {
    for (const { statement } of iamStatements(built.template)) {
      const actions = asArray(statement.Action);
      if (!actions.some((a) => a.startsWith("dynamodb:"))) continue;
      expect(actions).not.toContain("dynamodb:Scan");
      expect(JSON.stringify(statement.Resource)).not.toContain("/index/*");
    }
  });
});

describe("scheduled expiry scan", () => {
  it("runs the scan function on the configured schedule, with retries and its own DLQ", () => {
    const scanArn = JSON.stringify(getAtt(functionLogicalId(FUNCTIONS.expiryScan.description)));
    const schedules = resourcesOfType(built.template, "AWS::Scheduler::Schedule").filter(
      ([, s]) =>
        JSON.stringify((s.Properties?.Target as { Arn: unknown } | undefined)?.Arn) === scanArn,
    );
    expect(schedules).toHaveLength(1);
    const props = schedules[0]?.[1].Properties as {
      ScheduleExpression: string;
      State: string;
      Target: {
        Arn: unknown;
        DeadLetterConfig: { Arn: { "Fn::GetAtt": [string, string] } };
        RetryPolicy: { MaximumRetryAttempts: number; MaximumEventAgeInSeconds: number };
      };
    };
    expect(props.ScheduleExpression).toBe(TEST_CONTEXT.scanSchedule);
    expect(props.State).toBe("ENABLED");
    expect(props.Target.Arn).toEqual(getAtt(functionLogicalId(FUNCTIONS.expiryScan.description)));
    const dlqId = props.Target.DeadLetterConfig.Arn["Fn::GetAtt"][0];
    built.template.hasResource("AWS::SQS::Queue", Match.anyValue());
    expect(built.template.findResources("AWS::SQS::Queue")[dlqId]).toBeDefined();
    // Not one of the functions' own queues.
    for (const [, fn] of resourcesOfType(built.template, "AWS::Lambda::Function")) {
      expect(JSON.stringify(fn.Properties?.DeadLetterConfig)).not.toContain(dlqId);
    }
    expect(props.Target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(props.Target.RetryPolicy.MaximumEventAgeInSeconds).toBeGreaterThanOrEqual(60);
  });
});

describe("schema registry", () => {
  it("publishes one draft-4 JSON Schema per catalogue event", () => {
    const schemas = resourcesOfType(built.template, "AWS::EventSchemas::Schema");
    expect(schemas).toHaveLength(Object.keys(EVENT_CATALOGUE).length);
    for (const [id, schema] of schemas) {
      expect(schema.Properties?.Type, id).toBe("JSONSchemaDraft4");
      const content = JSON.parse(schema.Properties?.Content as string) as Record<string, unknown>;
      expect(content.$schema, id).toBe(DRAFT_04);
    }
    built.template.resourceCountIs("AWS::EventSchemas::Registry", 1);
  });
});

describe("outputs", () => {
  it("exports the bus, the table and one URL per dead-letter queue for the CLI", () => {
    const outputs = built.template.findOutputs("*");
    const keys = Object.keys(outputs);
    for (const key of [
      OUTPUT_KEYS.eventBusName,
      OUTPUT_KEYS.eventBusArn,
      OUTPUT_KEYS.tableName,
      OUTPUT_KEYS.scheduleDlqUrl,
    ]) {
      expect(keys).toContain(key);
    }
    const dlqOutputs = keys.filter((k) => k.startsWith(OUTPUT_KEYS.dlqUrlPrefix));
    expect(dlqOutputs).toHaveLength(FUNCTION_COUNT + 1);
    for (const functionId of Object.keys(FUNCTIONS)) {
      const key = `${OUTPUT_KEYS.dlqUrlPrefix}${functionId.charAt(0).toUpperCase()}${functionId.slice(1)}`;
      expect(keys).toContain(key);
      expect(JSON.stringify(outputs[key]?.Value)).toContain("DeadLettersQueue");
    }
  });
});
