import { CfnOutput, Stack } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import type * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { SOURCES } from "../../shared/events/registry.js";
import { OUTPUT_KEYS } from "../../shared/stack-outputs.js";
import { BACKFILL_ATTRIBUTES } from "../../shared/store/index-backfill.js";
import { GLOBAL_INDEXES } from "../../shared/store/table-definition.js";
import { onlySources } from "./transfer-event-bus.js";

export type OperatorAccessProps = {
  table: dynamodb.ITable;
  bus: events.IEventBus;
  /** The functions `cli scan` and `cli dlq redrive` invoke. */
  invokable: readonly lambda.IFunction[];
  deadLetterQueues: readonly sqs.IQueue[];
  /** The calendar secret, when the web app is deployed (`cli calendar-url --stack`). */
  calendarSecret?: secretsmanager.ISecret | undefined;
};

/**
 * What the operator CLI needs against this stack (`--stack NAME`), as one managed policy to
 * attach to the operators' role or group: read the stack's outputs and the table, put upstream
 * events (never the tracker's own: the bus refuses those to anyone but its functions), run the
 * scan and redrive through the functions themselves, work the dead-letter queues, read the
 * calendar key, and give old items their index keys (`migrate-table`). Nothing else.
 */
export class OperatorAccess extends Construct {
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: OperatorAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const statements = [
      new iam.PolicyStatement({
        sid: "ReadStackOutputs",
        actions: ["cloudformation:DescribeStacks"],
        resources: [stack.stackId],
      }),
      new iam.PolicyStatement({
        sid: "ReadTransfers",
        // show, list and due read through keys and indexes (the same reads the web API makes).
        actions: ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"],
        resources: [
          props.table.tableArn,
          ...GLOBAL_INDEXES.map((index) => `${props.table.tableArn}/index/${index.indexName}`),
        ],
      }),
      new iam.PolicyStatement({
        sid: "MigrateTableScan",
        // `migrate-table` (README "Deploying"): the one Scan, of the table, never an index.
        actions: ["dynamodb:Scan"],
        resources: [props.table.tableArn],
      }),
      new iam.PolicyStatement({
        sid: "MigrateTableIndexKeys",
        // ... and its updates, which may name the index keys and nothing else of a record.
        actions: ["dynamodb:UpdateItem"],
        resources: [props.table.tableArn],
        conditions: {
          "ForAllValues:StringEquals": { "dynamodb:Attributes": [...BACKFILL_ATTRIBUTES] },
          StringEqualsIfExists: { "dynamodb:ReturnValues": ["NONE", "UPDATED_NEW"] },
        },
      }),
      new iam.PolicyStatement({
        sid: "PutUpstreamEvents",
        actions: ["events:PutEvents"],
        resources: [props.bus.eventBusArn],
        conditions: onlySources([SOURCES.upstream, SOURCES.partnerCenter]),
      }),
      new iam.PolicyStatement({
        sid: "RunScanAndRedrive",
        actions: ["lambda:InvokeFunction"],
        resources: props.invokable.map((fn) => fn.functionArn),
      }),
      new iam.PolicyStatement({
        sid: "WorkDeadLetters",
        actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"],
        resources: props.deadLetterQueues.map((queue) => queue.queueArn),
      }),
    ];
    if (props.calendarSecret) {
      statements.push(
        new iam.PolicyStatement({
          sid: "ReadCalendarKey",
          actions: ["secretsmanager:GetSecretValue"],
          resources: [props.calendarSecret.secretArn],
        }),
      );
    }
    this.policy = new iam.ManagedPolicy(this, "Policy", {
      description: `Operator CLI access to ${stack.stackName} (attach to the operators' role)`,
      statements,
    });
    new CfnOutput(stack, OUTPUT_KEYS.operatorPolicyArn, {
      value: this.policy.managedPolicyArn,
      description: "Attach to the role or group operators run `cli --stack` with",
    });
  }
}
