import { CfnOutput, Duration, Stack } from "aws-cdk-lib";
import type * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as scheduler from "aws-cdk-lib/aws-scheduler";
import * as targets from "aws-cdk-lib/aws-scheduler-targets";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { NagSuppressions } from "cdk-nag";
import { Construct } from "constructs";
import type { FunctionId } from "../../shared/functions.js";
import type { PartnerCenterSettings } from "../partner-center-config.js";
import { DeadLetterQueue } from "./dead-letter-queue.js";
import type { TrackedFunction } from "./tracked-function.js";
import type { TransferTable } from "./transfer-table.js";

export type PartnerCenterConnectorProps = { settings: PartnerCenterSettings };

/** Output keys of the connector (not under the DLQ prefix the CLI's `dlq` commands read). */
export const PARTNER_CENTER_OUTPUTS = {
  webhookUrl: "PartnerCenterWebhookUrl",
  clientSecretArn: "PartnerCenterClientSecretArn",
  scheduleDlqUrl: "PartnerCenterReconcileScheduleDeadLetters",
} as const;

/**
 * The Partner Center connector (SPEC section 9), deployed only when configured: the client
 * secret in Secrets Manager (the deployer puts the value), the webhook receiver behind a Lambda
 * Function URL without AWS auth (the signature is the auth) and throttled by reserved
 * concurrency, and the daily reconciliation on EventBridge Scheduler with its own dead-letter
 * queue. The processor is an ordinary catalogue function routed by the shared rules.
 */
export class PartnerCenterConnector extends Construct {
  readonly clientSecret: secretsmanager.Secret;
  private readonly settings: PartnerCenterSettings;
  scheduleDeadLetters: DeadLetterQueue | null = null;

  constructor(scope: Construct, id: string, props: PartnerCenterConnectorProps) {
    super(scope, id);
    this.settings = props.settings;
    this.clientSecret = new secretsmanager.Secret(this, "ClientSecret", {
      description:
        "Client secret of the Entra app the Partner Center connector signs in with (client credentials). Put the value with `aws secretsmanager put-secret-value`.",
    });
    NagSuppressions.addResourceSuppressions(this.clientSecret, [
      {
        id: "AwsSolutions-SMG4",
        reason:
          "The value is an Entra app client secret: it is rotated in Entra ID (which issues the new secret), then put here; a Lambda rotation function cannot create one.",
      },
    ]);
  }

  /** Environment of the processor and reconciliation (checked at synth against its schema). */
  apiEnvironment() {
    return {
      PARTNER_CENTER_PARTNER_ID: this.settings.partnerId,
      PARTNER_CENTER_API_URL: this.settings.apiUrl,
      PARTNER_CENTER_TOKEN_URL: this.settings.tokenUrl,
      PARTNER_CENTER_CLIENT_ID: this.settings.clientId,
      PARTNER_CENTER_CLIENT_SECRET_ARN: this.clientSecret.secretArn,
      // The reconcile reads customers' tenants through Graph with the same app (SPEC section 10).
      GRAPH_TOKEN_URL: this.settings.graphTokenUrl,
      GRAPH_API_URL: this.settings.graphApiUrl,
    };
  }

  /** Environment of the webhook receiver. */
  webhookEnvironment() {
    return {
      PARTNER_CENTER_CERT_HOSTS: this.settings.certificateHosts.join(","),
      PARTNER_CENTER_CA_ISSUER_HOSTS: this.settings.caIssuerHosts.join(","),
      PARTNER_CENTER_EXTRA_ROOTS: this.settings.extraTrustedRoots.join("\n"),
    };
  }

  /** Least privilege per function: the API functions read the table and the secret. */
  grant(
    functionId: FunctionId,
    fn: lambda.IFunction,
    resources: { table: TransferTable; bus: events.IEventBus },
  ): void {
    resources.bus.grantPutEventsTo(fn);
    if (functionId === "partnerCenterWebhook") return;
    resources.table.grantReadData(fn);
    this.clientSecret.grantRead(fn);
    if (functionId === "partnerCenterReconcile") {
      // The tenant read log (shared/tenant/read-log.ts): one UpdateItem per tenant read.
      iam.Grant.addToPrincipal({
        grantee: fn,
        actions: ["dynamodb:UpdateItem"],
        resourceArns: [resources.table.table.tableArn],
      });
    }
  }

  /** The Function URL, the receiver's throttle and the reconciliation schedule. */
  connect(functions: Partial<Record<FunctionId, TrackedFunction>>): void {
    const webhook = functions.partnerCenterWebhook;
    const reconcile = functions.partnerCenterReconcile;
    if (!webhook || !reconcile) throw new Error("the Partner Center functions were not built");
    const cfn = webhook.function.node.defaultChild as lambda.CfnFunction;
    cfn.reservedConcurrentExecutions = this.settings.webhookConcurrency;
    const url = webhook.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    new CfnOutput(Stack.of(this), PARTNER_CENTER_OUTPUTS.webhookUrl, {
      value: `${url.url}partner-center/webhook`,
      description: "Register this URL with Partner Center (POST /webhooks/v1/registration)",
    });
    new CfnOutput(Stack.of(this), PARTNER_CENTER_OUTPUTS.clientSecretArn, {
      value: this.clientSecret.secretArn,
      description: "Put the Entra app's client secret here",
    });

    const deadLetters = new DeadLetterQueue(this, "ReconcileScheduleDeadLetters", {
      purpose: "scheduled Partner Center reconciliations EventBridge Scheduler could not start",
    });
    this.scheduleDeadLetters = deadLetters;
    const role = new iam.Role(this, "ReconcileScheduleRole", {
      assumedBy: new iam.ServicePrincipal("scheduler.amazonaws.com", {
        conditions: { StringEquals: { "aws:SourceAccount": Stack.of(this).account } },
      }),
      description: "Lets EventBridge Scheduler invoke the Partner Center reconciliation",
    });
    new scheduler.Schedule(this, "ReconcileSchedule", {
      description: "Daily reconciliation of transfers in progress with Partner Center",
      schedule: scheduler.ScheduleExpression.expression(this.settings.reconcileSchedule),
      timeWindow: scheduler.TimeWindow.off(),
      target: new targets.LambdaInvoke(reconcile.function, {
        role,
        deadLetterQueue: deadLetters.queue,
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
      }),
    });
    new CfnOutput(Stack.of(this), PARTNER_CENTER_OUTPUTS.scheduleDlqUrl, {
      value: deadLetters.queue.queueUrl,
      description: "Scheduled reconciliations EventBridge Scheduler could not start",
    });
    NagSuppressions.addResourceSuppressions(role.node.findChild("DefaultPolicy"), [
      {
        id: "AwsSolutions-IAM5",
        reason:
          "aws-scheduler-targets LambdaInvoke grants invoke on the reconcile function's qualified ARNs (<arn>:*, its versions and aliases) besides the function itself; nothing else is invokable.",
        appliesTo: [{ regex: "/^Resource::<.*PartnerCenterReconcile.*\\.Arn>:\\*$/g" }],
      },
    ]);
    NagSuppressions.addResourceSuppressions(deadLetters.queue, [
      {
        id: "AwsSolutions-SQS3",
        reason:
          "This queue is the dead-letter queue of the reconciliation schedule (a relationship cdk-nag cannot see); it is not a work queue needing a dead-letter queue of its own.",
      },
    ]);
  }
}
