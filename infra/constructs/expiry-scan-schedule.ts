import { Duration, Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as scheduler from "aws-cdk-lib/aws-scheduler";
import * as targets from "aws-cdk-lib/aws-scheduler-targets";
import { NagSuppressions } from "cdk-nag";
import { Construct } from "constructs";
import { DeadLetterQueue } from "./dead-letter-queue.js";

export type ExpiryScanScheduleProps = {
  scanFunction: lambda.IFunction;
  /** EventBridge Scheduler expression, e.g. "cron(0 6 * * ? *)" (UTC). */
  expression: string;
};

/**
 * Runs the expiry scan on a schedule (EventBridge Scheduler). Invocations Scheduler cannot
 * deliver are retried, then land in the schedule's own dead-letter queue.
 */
export class ExpiryScanSchedule extends Construct {
  readonly schedule: scheduler.Schedule;
  readonly deadLetters: DeadLetterQueue;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ExpiryScanScheduleProps) {
    super(scope, id);
    this.deadLetters = new DeadLetterQueue(this, "DeadLetters", {
      purpose: "scheduled expiry scans EventBridge Scheduler could not start",
    });
    this.role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("scheduler.amazonaws.com", {
        conditions: { StringEquals: { "aws:SourceAccount": Stack.of(this).account } },
      }),
      description: "Lets EventBridge Scheduler invoke the expiry scan",
    });
    this.schedule = new scheduler.Schedule(this, "Schedule", {
      description: "Daily scan for original subscriptions approaching expiry",
      schedule: scheduler.ScheduleExpression.expression(props.expression),
      timeWindow: scheduler.TimeWindow.off(),
      target: new targets.LambdaInvoke(props.scanFunction, {
        role: this.role,
        deadLetterQueue: this.deadLetters.queue,
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    });
    // LambdaInvoke grants lambda:InvokeFunction on the function and on `<arn>:*` (its versions
    // and aliases); the suppression covers exactly that resource on this role's policy.
    NagSuppressions.addResourceSuppressions(this.role.node.findChild("DefaultPolicy"), [
      {
        id: "AwsSolutions-IAM5",
        reason:
          "aws-scheduler-targets LambdaInvoke grants invoke on the scan function's qualified ARNs (<arn>:*, its versions and aliases) besides the function itself; nothing else is invokable.",
        appliesTo: [{ regex: "/^Resource::<.*ExpiryScanFunction.*\\.Arn>:\\*$/g" }],
      },
    ]);
    NagSuppressions.addResourceSuppressions(this.deadLetters.queue, [
      {
        id: "AwsSolutions-SQS3",
        reason:
          "This queue is the dead-letter queue of the EventBridge Scheduler schedule (a relationship cdk-nag cannot see); it is not a work queue needing a dead-letter queue of its own.",
      },
    ]);
  }
}
