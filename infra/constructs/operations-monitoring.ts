import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import { NagSuppressions } from "cdk-nag";
import { Construct } from "constructs";
import { BUSINESS_METRICS, type BusinessMetric } from "../../shared/metrics.js";
import { DeadLetterQueue } from "./dead-letter-queue.js";
import type { TrackedFunction } from "./tracked-function.js";

export type OperationsMonitoringProps = {
  dashboardName: string;
  /** Email address alarm notifications go to; empty: the topic has no subscriber. */
  alarmEmail: string;
  functions: readonly TrackedFunction[];
  deadLetterQueues: readonly DeadLetterQueue[];
  /** Where the functions' business metrics go (shared/metrics.ts: EMF in their logs). */
  metrics: { namespace: string; serviceName: string };
  /** The Partner Center connector is deployed (webhook and tenant counts). */
  partnerCenter: boolean;
};

/** Webhook refusals in five minutes above which someone is forging requests (or certs broke). */
export const WEBHOOK_REFUSALS_ALARM_THRESHOLD = 20;

/**
 * What an operator watches: every alarm (dead letters waiting, function errors, throttles)
 * notifies one SNS topic, emailed to the configured address, and a dashboard shows the same
 * signals side by side.
 */
export class OperationsMonitoring extends Construct {
  readonly topic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[];
  readonly noDigestAlarm: cloudwatch.Alarm;

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

    const business = (name: BusinessMetric, period: Duration, label?: string) =>
      new cloudwatch.Metric({
        namespace: props.metrics.namespace,
        metricName: BUSINESS_METRICS[name],
        dimensionsMap: { service: props.metrics.serviceName },
        statistic: cloudwatch.Stats.SUM,
        period,
        ...(label === undefined ? {} : { label }),
      });
    const day = Duration.days(1);
    // Reminders were due today but no digest went out: SES, the notifier or its rule is broken.
    this.noDigestAlarm = new cloudwatch.Alarm(this, "NoDigestSentAlarm", {
      alarmDescription:
        "The expiry scan made reminders due today but no reminder digest was sent. Check the notifier's errors and dead letters, and SES sending.",
      metric: new cloudwatch.MathExpression({
        expression: "IF(FILL(due, 0) > 0 AND FILL(sent, 0) == 0, 1, 0)",
        usingMetrics: { due: business("remindersDue", day), sent: business("digestsSent", day) },
        period: day,
        label: "due reminders without a digest",
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const businessAlarms = [this.noDigestAlarm];
    if (props.partnerCenter) {
      businessAlarms.push(
        new cloudwatch.Alarm(this, "WebhookRefusalsAlarm", {
          alarmDescription: `More than ${WEBHOOK_REFUSALS_ALARM_THRESHOLD} Partner Center webhook requests refused in 5 minutes: forged requests, or the certificate settings no longer match Microsoft's. See the webhook function's log (why each was refused).`,
          metric: business("webhooksRefused", Duration.minutes(5)),
          threshold: WEBHOOK_REFUSALS_ALARM_THRESHOLD,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    this.alarms = [
      ...props.functions.flatMap((fn) => [fn.errorsAlarm, fn.throttlesAlarm]),
      ...[...props.deadLetterQueues, ...ownQueues].map((dlq) => dlq.depthAlarm),
      ...businessAlarms,
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
    const hour = Duration.hours(1);
    const deadLettered = new cloudwatch.MathExpression({
      expression: "SUM(METRICS())",
      usingMetrics: Object.fromEntries(
        props.deadLetterQueues.map((dlq, i) => [
          `q${i}`,
          dlq.queue.metricNumberOfMessagesSent({ period: hour, statistic: cloudwatch.Stats.SUM }),
        ]),
      ),
      period: hour,
      label: "dead-lettered",
    });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: "Events applied and dead-lettered (per hour)",
        left: [business("eventsApplied", hour, "applied")],
        right: [deadLettered, business("eventsRefused", hour, "refused as invalid")],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: "Reminders (per day)",
        left: [
          business("remindersDue", day, "reminders due"),
          business("remindersSent", day, "reminders sent"),
        ],
        right: [business("digestsSent", day, "digests sent")],
        width: 12,
      }),
    );
    if (props.partnerCenter) {
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: "Partner Center",
          left: [business("webhooksRefused", Duration.minutes(5), "webhooks refused (5 min)")],
          right: [business("tenantsUnreadable", day, "tenants unreadable (per day)")],
          width: 24,
        }),
      );
    }
  }
}
