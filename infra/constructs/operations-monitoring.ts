import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import { NagSuppressions } from "cdk-nag";
import { Construct } from "constructs";
import { DeadLetterQueue } from "./dead-letter-queue.js";
import type { TrackedFunction } from "./tracked-function.js";

export type OperationsMonitoringProps = {
  dashboardName: string;
  /** Email address alarm notifications go to; empty: the topic has no subscriber. */
  alarmEmail: string;
  functions: readonly TrackedFunction[];
  deadLetterQueues: readonly DeadLetterQueue[];
};

/**
 * What an operator watches: every alarm (dead letters waiting, function errors, throttles)
 * notifies one SNS topic, emailed to the configured address, and a dashboard shows the same
 * signals side by side.
 */
export class OperationsMonitoring extends Construct {
  readonly topic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: OperationsMonitoringProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, "AlarmTopic", {
      displayName: "CSP transfer tracker alarms",
      enforceSSL: true,
    });
    const ownQueues: DeadLetterQueue[] = [];
    if (props.alarmEmail !== "") {
      const undelivered = new DeadLetterQueue(this, "UndeliveredAlarmEmails", {
        purpose: "alarm notifications SNS could not email",
      });
      this.topic.addSubscription(
        new subscriptions.EmailSubscription(props.alarmEmail, {
          deadLetterQueue: undelivered.queue,
        }),
      );
      ownQueues.push(undelivered);
      NagSuppressions.addResourceSuppressions(undelivered.queue, [
        {
          id: "AwsSolutions-SQS3",
          reason:
            "This queue is the dead-letter queue of the alarm email subscription (an SNS redrive policy cdk-nag does not follow); it needs no dead-letter queue of its own.",
        },
      ]);
    }

    this.alarms = [
      ...props.functions.flatMap((fn) => [fn.errorsAlarm, fn.throttlesAlarm]),
      ...[...props.deadLetterQueues, ...ownQueues].map((dlq) => dlq.depthAlarm),
    ];
    const notify = new actions.SnsAction(this.topic);
    for (const alarm of this.alarms) {
      alarm.addAlarmAction(notify);
    }

    const period = Duration.minutes(5);
    this.dashboard = new cloudwatch.Dashboard(this, "Dashboard", {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: "Alarms",
        alarms: this.alarms,
        width: 24,
        height: 4,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: "Invocations",
        left: props.functions.map((fn) =>
          fn.function.metricInvocations({ period, label: fn.functionId }),
        ),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: "Errors and throttles",
        left: props.functions.map((fn) =>
          fn.function.metricErrors({ period, label: `${fn.functionId} errors` }),
        ),
        right: props.functions.map((fn) =>
          fn.function.metricThrottles({ period, label: `${fn.functionId} throttles` }),
        ),
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: "Duration p99 (ms)",
        left: props.functions.map((fn) =>
          fn.function.metricDuration({ period, statistic: "p99", label: fn.functionId }),
        ),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: "Dead letters waiting",
        left: props.deadLetterQueues.map((dlq) =>
          dlq.queue.metricApproximateNumberOfMessagesVisible({
            period,
            statistic: cloudwatch.Stats.MAXIMUM,
            label: dlq.purpose,
          }),
        ),
        width: 12,
      }),
    );
  }
}
