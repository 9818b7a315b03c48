import * as path from "node:path";
import { type CfnResource, Duration, Lazy, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import { NagSuppressions } from "cdk-nag";
import { Construct } from "constructs";
import { FUNCTIONS, type FunctionId, handlerPath } from "../../shared/functions.js";
import { BUNDLE_OPTIONS, HANDLER_EXPORT, RUNTIME_NODE_OPTIONS } from "../bundling.js";
import { DeadLetterQueue } from "./dead-letter-queue.js";

export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;

export type TrackedFunctionProps = {
  functionId: FunctionId;
  /** Repository root: handler paths in shared/functions.ts are relative to it. */
  projectRoot: string;
  /** Validated by `functionEnvironment` against the function's zod schema. */
  environment: Record<string, string>;
  timeout: Duration;
  memorySize: number;
  logRetention: logs.RetentionDays;
  /** CloudWatch namespace of the business metrics (shared/metrics.ts). */
  metricsNamespace: string;
};

/** esbuild options of every Lambda bundle, the same ones the bundle benchmark uses. */
export function lambdaBundling(): nodejs.BundlingOptions {
  return {
    format: nodejs.OutputFormat.ESM,
    target: BUNDLE_OPTIONS.target,
    minify: BUNDLE_OPTIONS.minify,
    sourceMap: BUNDLE_OPTIONS.sourcemap,
    sourceMapMode: nodejs.SourceMapMode.DEFAULT,
    sourcesContent: BUNDLE_OPTIONS.sourcesContent,
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    banner: BUNDLE_OPTIONS.banner,
    externalModules: [...BUNDLE_OPTIONS.external],
    bundleAwsSDK: true,
    forceDockerBundling: false,
    logLevel: nodejs.LogLevel.WARNING,
  };
}

/**
 * One Lambda function of the catalogue, with everything it needs to run unattended: an esbuild
 * bundle (no Docker; options shared with the bundle benchmark), ARM64 on Node.js 24, its own log
 * group with retention, X-Ray tracing, Powertools settings, a role that can write only to its own
 * log group, a dead-letter queue for failed asynchronous invocations (the same queue takes the
 * events its EventBridge rules could not deliver), and alarms on errors and throttles.
 */
export class TrackedFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly deadLetters: DeadLetterQueue;
  readonly errorsAlarm: cloudwatch.Alarm;
  readonly throttlesAlarm: cloudwatch.Alarm;
  readonly functionId: FunctionId;

  constructor(scope: Construct, id: string, props: TrackedFunctionProps) {
    super(scope, id);
    const definition = FUNCTIONS[props.functionId];
    this.functionId = props.functionId;

    this.logGroup = new logs.LogGroup(this, "Logs", {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // A role of our own instead of AWSLambdaBasicExecutionRole: logs go to this log group only.
    this.role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: `Runs the ${definition.folder} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.deadLetters = new DeadLetterQueue(this, "DeadLetters", {
      purpose: `events the ${definition.folder} function could not process`,
    });

    this.function = new nodejs.NodejsFunction(this, "Function", {
      entry: path.join(props.projectRoot, handlerPath(props.functionId)),
      handler: HANDLER_EXPORT,
      projectRoot: props.projectRoot,
      depsLockFilePath: path.join(props.projectRoot, "package-lock.json"),
      description: definition.description,
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      deadLetterQueue: this.deadLetters.queue,
      environment: {
        ...props.environment,
        NODE_OPTIONS: RUNTIME_NODE_OPTIONS,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
      },
      bundling: lambdaBundling(),
    });

    dropDependencyImpliedByRole(this.function, this.role);

    const fiveMinuteSum = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    /** Fires on the first occurrence in five minutes. */
    const anyOccurrence = (id: string, alarmDescription: string, metric: cloudwatch.IMetric) =>
      new cloudwatch.Alarm(this, id, {
        alarmDescription,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.errorsAlarm = anyOccurrence(
      "ErrorsAlarm",
      `The ${definition.folder} function failed (invocation errors). See its log group and dead-letter queue.`,
      this.function.metricErrors(fiveMinuteSum),
    );
    this.throttlesAlarm = anyOccurrence(
      "ThrottlesAlarm",
      `The ${definition.folder} function was throttled (account or reserved concurrency exhausted).`,
      this.function.metricThrottles(fiveMinuteSum),
    );

    // Tracing.ACTIVE adds the X-Ray statement to the role's default policy (created above by
    // grantWrite); the suppression sits on that one policy resource and on "Resource::*" only.
    const defaultPolicy = this.role.node.findChild("DefaultPolicy");
    NagSuppressions.addResourceSuppressions(defaultPolicy, [
      {
        id: "AwsSolutions-IAM5",
        reason:
          "X-Ray tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions (Resource must be *).",
        appliesTo: ["Resource::*"],
      },
    ]);
  }
}

/**
 * CDK makes a function depend on its whole role construct: the role's policy, which must exist
 * before the function runs, and the role itself, which the function's `Role: GetAtt` already
 * implies. cfn-lint flags that second one (W3005, redundant DependsOn); keep every other
 * dependency. Rendered lazily, since dependencies are only known once the app is prepared.
 */
function dropDependencyImpliedByRole(fn: lambda.Function, role: iam.Role): void {
  const resource = fn.node.defaultChild as lambda.CfnFunction;
  const roleResource = role.node.defaultChild as CfnResource;
  const stack = Stack.of(fn);
  resource.addOverride(
    "DependsOn",
    Lazy.list(
      {
        produce: () =>
          resource
            .obtainDependencies()
            .filter((d): d is CfnResource => d !== roleResource && !(d instanceof Stack))
            .map((d) => stack.resolve(d.logicalId) as string)
            .sort(),
      },
      { omitEmpty: true },
    ),
  );
}
