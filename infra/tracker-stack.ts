import { CfnOutput, Duration, Stack, type StackProps } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import type * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import type { EnvKind, FunctionId } from "../shared/functions.js";
import { FUNCTIONS, RULES } from "../shared/functions.js";
import { OUTPUT_KEYS } from "../shared/stack-outputs.js";
import type { DeployConfig } from "./config.js";
import type { DeadLetterQueue } from "./constructs/dead-letter-queue.js";
import { EventSchemaRegistry } from "./constructs/event-schema-registry.js";
import { ExpiryScanSchedule } from "./constructs/expiry-scan-schedule.js";
import { OperationsMonitoring } from "./constructs/operations-monitoring.js";
import { OperatorAccess } from "./constructs/operator-access.js";
import { PartnerCenterConnector } from "./constructs/partner-center-connector.js";
import { ReminderEmail } from "./constructs/reminder-email.js";
import { TrackedFunction } from "./constructs/tracked-function.js";
import { TransferEventBus } from "./constructs/transfer-event-bus.js";
import { TransferTable } from "./constructs/transfer-table.js";
import { WebApp } from "./constructs/web-app.js";
import { functionEnvironment } from "./function-environment.js";

export const SERVICE_NAME = "csp-transfer-tracker";

/** Per environment kind: how long a function may run and how much memory it gets. */
const SIZING: Record<EnvKind, { timeout: Duration; memorySize: number }> = {
  tracker: { timeout: Duration.seconds(30), memorySize: 512 },
  // The scan stops 30 s before its limit; 15 minutes handles about 200,000 due originals a run.
  expiryScan: { timeout: Duration.minutes(15), memorySize: 512 },
  notifier: { timeout: Duration.seconds(30), memorySize: 256 },
  // Partner Center calls retry with backoff inside the invocation; reconcile walks every transfer.
  partnerCenter: { timeout: Duration.minutes(5), memorySize: 256 },
  partnerCenterWebhook: { timeout: Duration.seconds(15), memorySize: 256 },
};

export type TrackerStackProps = StackProps & {
  config: DeployConfig;
  /** Repository root (handler paths in shared/functions.ts are relative to it). */
  projectRoot: string;
};

export function stackNameFor(stage: string): string {
  return `CspTransferTracker-${stage}`;
}

/** The whole product in one stack (SPEC.md section 7). */
export class TrackerStack extends Stack {
  readonly functions: Record<FunctionId, TrackedFunction>;

  constructor(scope: Construct, id: string, props: TrackerStackProps) {
    super(scope, id, props);
    const { config } = props;

    const bus = new TransferEventBus(this, "Events", {
      busName: config.busName,
      allowedAccountIds: config.allowedAccountIds,
      archiveRetention: Duration.days(365),
    });
    const table = new TransferTable(this, "Transfers");
    const email = new ReminderEmail(this, "ReminderEmail", {
      senderEmail: config.senderEmail,
      sesIdentity: config.sesIdentity,
      createIdentity: config.createSesIdentity,
    });

    const connector = config.partnerCenter
      ? new PartnerCenterConnector(this, "PartnerCenter", { settings: config.partnerCenter })
      : null;
    const connectorOnly = () => {
      if (!connector) throw new Error("Partner Center functions need the partnerCenter context");
      return connector;
    };

    const common = {
      TABLE_NAME: table.table.tableName,
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      LOG_LEVEL: config.logLevel,
    };
    const environments: Record<EnvKind, () => Record<string, string>> = {
      tracker: () =>
        functionEnvironment("tracker", {
          ...common,
          EVENT_BUS_NAME: bus.bus.eventBusName,
          REMINDER_THRESHOLDS: config.reminderThresholds,
        }),
      expiryScan: () =>
        functionEnvironment("expiryScan", {
          ...common,
          EVENT_BUS_NAME: bus.bus.eventBusName,
          REMINDER_THRESHOLDS: config.reminderThresholds,
        }),
      notifier: () =>
        functionEnvironment("notifier", {
          ...common,
          SENDER_EMAIL: config.senderEmail,
          SES_CONFIGURATION_SET: email.configurationSet.configurationSetName,
          REMINDER_THRESHOLDS: config.reminderThresholds,
        }),
      partnerCenter: () =>
        functionEnvironment("partnerCenter", {
          ...common,
          EVENT_BUS_NAME: bus.bus.eventBusName,
          ...connectorOnly().apiEnvironment(),
        }),
      partnerCenterWebhook: () =>
        functionEnvironment("partnerCenterWebhook", {
          POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
          LOG_LEVEL: config.logLevel,
          EVENT_BUS_NAME: bus.bus.eventBusName,
          ...connectorOnly().webhookEnvironment(),
        }),
    };

    const metricsNamespace = `${SERVICE_NAME}/${config.stage}`;
    // The roles of the functions that publish the product's own events (see reserveTrackerSource).
    const publisherRoles: iam.IRole[] = [];
    const deployed = (Object.keys(FUNCTIONS) as FunctionId[]).filter(
      (functionId) => connector !== null || !("feature" in FUNCTIONS[functionId]),
    );
    const built = deployed.map((functionId) => {
      const kind = FUNCTIONS[functionId].env;
      const fn = new TrackedFunction(this, pascal(functionId), {
        functionId,
        projectRoot: props.projectRoot,
        environment: environments[kind](),
        ...SIZING[kind],
        logRetention: logs.RetentionDays.THREE_MONTHS,
        metricsNamespace,
      });
      // Least privilege per kind: what each handler does and nothing more.
      switch (kind) {
        case "tracker":
          table.grantReadWriteData(fn.function);
          bus.bus.grantPutEventsTo(fn.function);
          publisherRoles.push(fn.role);
          break;
        case "expiryScan":
          // Queries the reminder index, then claims each reminder with a conditional write.
          table.grantReadWriteData(fn.function);
          bus.bus.grantPutEventsTo(fn.function);
          publisherRoles.push(fn.role);
          break;
        case "notifier":
          table.grantReadWriteData(fn.function);
          email.grantSend(fn.function);
          break;
        case "partnerCenter":
        case "partnerCenterWebhook":
          connectorOnly().grant(functionId, fn.function, { table, bus: bus.bus });
          break;
      }
      return [functionId, fn] as const;
    });
    this.functions = Object.fromEntries(built) as Record<FunctionId, TrackedFunction>;
    bus.reserveTrackerSource(publisherRoles);
    connector?.connect(this.functions);

    // One rule per (function, triggering detail-type), patterns from the shared registry.
    for (const rule of RULES) {
      const target = this.functions[rule.functionId] as TrackedFunction | undefined;
      if (!target) continue;
      new events.Rule(
        this,
        `Route${pascal(rule.functionId)}${rule.detailType.replaceAll(" ", "")}`,
        {
          eventBus: bus.bus,
          description: `${rule.detailType} → ${FUNCTIONS[rule.functionId].folder}`,
          eventPattern: { source: rule.pattern.source, detailType: rule.pattern["detail-type"] },
          targets: [
            new targets.LambdaFunction(target.function, {
              deadLetterQueue: target.deadLetters.queue,
              retryAttempts: 8,
              maxEventAge: Duration.hours(6),
            }),
          ],
        },
      );
    }

    const scan = new ExpiryScanSchedule(this, "ExpiryScanSchedule", {
      scanFunction: this.functions.expiryScan.function,
      expression: config.scanSchedule,
    });

    new EventSchemaRegistry(this, "EventSchemas", {
      registryName: `${SERVICE_NAME}-${config.stage}`,
    });

    const trackedFunctions = Object.values(this.functions);
    const monitoring = new OperationsMonitoring(this, "Monitoring", {
      dashboardName: `${SERVICE_NAME}-${config.stage}`,
      alarmEmail: config.alarmEmail,
      metrics: { namespace: metricsNamespace, serviceName: SERVICE_NAME },
      partnerCenter: connector !== null,
      functions: trackedFunctions,
      deadLetterQueues: [
        ...trackedFunctions.map((fn): DeadLetterQueue => fn.deadLetters),
        scan.deadLetters,
        ...(connector?.scheduleDeadLetters ? [connector.scheduleDeadLetters] : []),
      ],
    });

    // The partner web app, once its Entra ID app registration is configured (README).
    let webApp: WebApp | undefined;
    if (config.entraTenantId && config.entraClientId) {
      webApp = new WebApp(this, "WebApp", {
        projectRoot: props.projectRoot,
        table: table.table,
        tenantId: config.entraTenantId,
        clientId: config.entraClientId,
        appRole: config.entraAppRole,
        reminderThresholds: config.reminderThresholds,
        logLevel: config.logLevel,
        serviceName: SERVICE_NAME,
        alarmTopic: monitoring.topic,
      });
    }

    new OperatorAccess(this, "Operators", {
      table: table.table,
      bus: bus.bus,
      // The scan (`cli scan`), and every function whose dead letters `cli dlq redrive` hands back.
      invokable: trackedFunctions.map((fn) => fn.function),
      deadLetterQueues: [
        ...trackedFunctions.map((fn) => fn.deadLetters.queue),
        scan.deadLetters.queue,
      ],
      calendarSecret: webApp?.calendarSecret,
    });

    new CfnOutput(this, OUTPUT_KEYS.eventBusName, {
      value: bus.bus.eventBusName,
      description: "Event bus upstream systems put events on",
    });
    new CfnOutput(this, OUTPUT_KEYS.eventBusArn, { value: bus.bus.eventBusArn });
    new CfnOutput(this, OUTPUT_KEYS.tableName, { value: table.table.tableName });
    new CfnOutput(this, OUTPUT_KEYS.alarmTopicArn, { value: monitoring.topic.topicArn });
    new CfnOutput(this, OUTPUT_KEYS.dashboardName, {
      value: monitoring.dashboard.dashboardName,
    });
    new CfnOutput(this, OUTPUT_KEYS.schemaRegistryName, {
      value: `${SERVICE_NAME}-${config.stage}`,
    });
    new CfnOutput(this, OUTPUT_KEYS.expiryScanFunctionName, {
      value: this.functions.expiryScan.function.functionName,
    });
    for (const fn of trackedFunctions) {
      new CfnOutput(this, `${OUTPUT_KEYS.dlqUrlPrefix}${pascal(fn.functionId)}`, {
        value: fn.deadLetters.queue.queueUrl,
        description: `Dead letters of the ${FUNCTIONS[fn.functionId].folder} function (body: the EventBridge event)`,
      });
      new CfnOutput(this, `${OUTPUT_KEYS.functionNamePrefix}${pascal(fn.functionId)}`, {
        value: fn.function.functionName,
        description: `The ${FUNCTIONS[fn.functionId].folder} function (cli dlq redrive invokes it)`,
      });
    }
    new CfnOutput(this, OUTPUT_KEYS.scheduleDlqUrl, {
      value: scan.deadLetters.queue.queueUrl,
      description:
        "Scheduled scans EventBridge Scheduler could not start (body: the schedule input)",
    });
  }
}

function pascal(id: string): string {
  return id.charAt(0).toUpperCase() + id.slice(1);
}
