import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { NagSuppressions } from "cdk-nag";
import { Construct } from "constructs";

export type DeadLetterQueueProps = {
  /** What ends up here, for the alarm description and the dashboard. */
  purpose: string;
};

/**
 * An SQS dead-letter queue: encrypted at rest (SQS-managed keys, which EventBridge, Lambda and
 * Scheduler can all write to without a key policy), TLS enforced, 14 days' retention, and an
 * alarm as soon as one message is waiting.
 */
export class DeadLetterQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly depthAlarm: cloudwatch.Alarm;
  readonly purpose: string;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.purpose = props.purpose;
    this.queue = new sqs.Queue(this, "Queue", {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.depthAlarm = new cloudwatch.Alarm(this, "DepthAlarm", {
      alarmDescription: `Dead letters waiting: ${props.purpose}. Inspect with "dlq list", fix, then "dlq redrive".`,
      metric: this.queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    NagSuppressions.addResourceSuppressions(this.queue, [
      {
        id: "Serverless-SQSRedrivePolicy",
        reason:
          "This queue is itself a dead-letter queue; its messages are inspected and redriven by an operator (dlq list / dlq redrive), and its depth alarm fires on the first message.",
      },
    ]);
  }
}
