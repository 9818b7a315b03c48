import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CfnOutput, Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as cloudfront from "aws-cdk-lib/aws-cloudfront";
import * as origins from "aws-cdk-lib/aws-cloudfront-origins";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as s3deploy from "aws-cdk-lib/aws-s3-deployment";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type * as sns from "aws-cdk-lib/aws-sns";
import { NagSuppressions } from "cdk-nag";
import { Construct } from "constructs";
import type { z } from "zod";
import { WEB_OUTPUT_KEYS } from "../../shared/stack-outputs.js";
import { READ_SIDE_INDEXES } from "../../shared/store/table-definition.js";
import { FORWARDED_AUTHORIZATION_HEADER, type WebApiEnv } from "../../shared/web/web-api.js";
import { writeSpaSite } from "../../web/build.js";
import { HANDLER_EXPORT, RUNTIME_NODE_OPTIONS } from "../bundling.js";
import { DeadLetterQueue } from "./dead-letter-queue.js";
import { LAMBDA_RUNTIME, lambdaBundling } from "./tracked-function.js";

export type WebAppProps = {
  projectRoot: string;
  table: dynamodb.ITable;
  tenantId: string;
  clientId: string;
  appRole: string;
  reminderThresholds: string;
  logLevel: string;
  serviceName: string;
  /** Where the web API's alarms (errors, throttles, dead letters) notify. */
  alarmTopic: sns.ITopic;
};

/**
 * Security headers of every answer (pages, assets, API): the same CSP as the local server, plus
 * Microsoft sign-in as a place the app may talk to; HSTS; no framing; no sniffing; no referrer.
 */
export const WEB_APP_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self' https://login.microsoftonline.com; form-action 'self'; base-uri 'none'; " +
  "frame-ancestors 'none'";

/** Viewer-request code of the site: every app path (no file extension) serves index.html. */
const SPA_REWRITE = `function handler(event) {
  var request = event.request;
  if (request.uri.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}`;

/**
 * Viewer-request code of /api/*: CloudFront signs the request to the function URL (origin access
 * control) in the Authorization header, so the viewer's bearer token travels in its own header.
 * Whatever a viewer sends in that header is replaced, so only the Authorization header counts.
 */
const MOVE_BEARER = `function handler(event) {
  var headers = event.request.headers;
  delete headers['${FORWARDED_AUTHORIZATION_HEADER}'];
  if (headers.authorization) {
    headers['${FORWARDED_AUTHORIZATION_HEADER}'] = { value: headers.authorization.value };
    delete headers.authorization;
  }
  return event.request;
}`;

/**
 * The partner web app deployed (SPEC section 8): the signed-in single-page app in a private S3
 * bucket behind CloudFront (origin access control); /api/* and /calendar/* through CloudFront to
 * the web-api Lambda's function URL (IAM auth, reachable only through this distribution's origin
 * access control), which checks the Entra ID token itself; the calendar secret in Secrets
 * Manager; security headers on every answer; access logs for the bucket and the distribution.
 */
export class WebApp extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly bucket: s3.Bucket;
  readonly apiFunction: nodejs.NodejsFunction;
  readonly calendarSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: WebAppProps) {
    super(scope, id);

    const logBucket = new s3.Bucket(this, "AccessLogs", {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront standard logging writes with ACLs.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      // `cdk destroy` keeps only the table (SPEC section 7): the logs go with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    NagSuppressions.addResourceSuppressions(logBucket, [
      {
        id: "AwsSolutions-S1",
        reason:
          "This bucket is the access-log destination of the site bucket and the distribution; logging it to itself would loop.",
      },
    ]);

    this.bucket = new s3.Bucket(this, "Site", {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: logBucket,
      serverAccessLogsPrefix: "site/",
      removalPolicy: RemovalPolicy.DESTROY,
      // Emptied on delete (a bucket with objects cannot be deleted); the files are rebuilt anyway.
      autoDeleteObjects: true,
    });

    this.calendarSecret = new secretsmanager.Secret(this, "CalendarSecret", {
      description:
        "HMAC key of the partners' calendar feed URLs (/calendar/{partnerId}.ics?token=)",
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    NagSuppressions.addResourceSuppressions(this.calendarSecret, [
      {
        id: "AwsSolutions-SMG4",
        reason:
          "The key signs calendar URLs partners have subscribed to; rotating it invalidates every subscription, so it is rotated by hand (README) when a URL leaks.",
      },
    ]);

    const logGroup = new logs.LogGroup(this, "ApiLogs", {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, "ApiRole", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: "Runs the web-api function (reads transfers, the calendar secret)",
    });
    logGroup.grantWrite(role);
    const deadLetters = new DeadLetterQueue(this, "ApiDeadLetters", {
      purpose: "asynchronous invocations of the web-api function that failed",
    });
    const environment: { [K in keyof z.input<typeof WebApiEnv>]-?: string } = {
      TABLE_NAME: props.table.tableName,
      CALENDAR_SECRET_ARN: this.calendarSecret.secretArn,
      ENTRA_TENANT_ID: props.tenantId,
      ENTRA_CLIENT_ID: props.clientId,
      ENTRA_REQUIRED_ROLE: props.appRole,
      REMINDER_THRESHOLDS: props.reminderThresholds,
      POWERTOOLS_SERVICE_NAME: props.serviceName,
      LOG_LEVEL: props.logLevel,
    };
    this.apiFunction = new nodejs.NodejsFunction(this, "Api", {
      entry: path.join(props.projectRoot, "functions/web-api/handler.ts"),
      handler: HANDLER_EXPORT,
      projectRoot: props.projectRoot,
      depsLockFilePath: path.join(props.projectRoot, "package-lock.json"),
      description: "Partner web app API and calendar feed (behind CloudFront)",
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(15),
      role,
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
      deadLetterQueue: deadLetters.queue,
      environment: { ...environment, NODE_OPTIONS: RUNTIME_NODE_OPTIONS },
      bundling: lambdaBundling(),
    });
    // The read side: keys and Queries of the table (show) and of its read-side indexes (list,
    // due, calendar, history); never a Scan.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ["dynamodb:Query", "dynamodb:GetItem", "dynamodb:BatchGetItem"],
        resources: [
          props.table.tableArn,
          ...READ_SIDE_INDEXES.map((i) => `${props.table.tableArn}/index/${i.indexName}`),
        ],
      }),
    );
    this.calendarSecret.grantRead(role);
    NagSuppressions.addResourceSuppressions(role.node.findChild("DefaultPolicy"), [
      {
        id: "AwsSolutions-IAM5",
        reason:
          "X-Ray tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions (Resource must be *).",
        appliesTo: ["Resource::*"],
      },
    ]);
    const fiveMinuteSum = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    const notify = new actions.SnsAction(props.alarmTopic);
    for (const [alarmId, description, metric] of [
      [
        "ApiErrorsAlarm",
        "The web-api function failed (invocation errors).",
        this.apiFunction.metricErrors(fiveMinuteSum),
      ],
      [
        "ApiThrottlesAlarm",
        "The web-api function was throttled.",
        this.apiFunction.metricThrottles(fiveMinuteSum),
      ],
    ] as const) {
      new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(notify);
    }
    deadLetters.depthAlarm.addAlarmAction(notify);
    const functionUrl = this.apiFunction.addFunctionUrl({
      authType: lambda.FunctionUrlAuthType.AWS_IAM,
    });

    const headers = new cloudfront.ResponseHeadersPolicy(this, "SecurityHeaders", {
      comment: "CSP, HSTS, no framing, no sniffing, no referrer",
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: WEB_APP_CSP, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER,
          override: true,
        },
      },
    });
    const apiOrigin = origins.FunctionUrlOrigin.withOriginAccessControl(functionUrl);
    const apiBehavior = (code: string | null): cloudfront.BehaviorOptions => ({
      origin: apiOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: headers,
      ...(code
        ? {
            functionAssociations: [
              {
                eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
                function: new cloudfront.Function(this, "MoveBearer", {
                  code: cloudfront.FunctionCode.fromInline(code),
                  runtime: cloudfront.FunctionRuntime.JS_2_0,
                  comment: "Moves the bearer token out of the header origin access control signs",
                }),
              },
            ],
          }
        : {}),
    });
    this.distribution = new cloudfront.Distribution(this, "Distribution", {
      comment: "CSP transfer tracker web app",
      defaultRootObject: "index.html",
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket,
      logFilePrefix: "cloudfront/",
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [
          {
            eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
            function: new cloudfront.Function(this, "SpaRewrite", {
              code: cloudfront.FunctionCode.fromInline(SPA_REWRITE),
              runtime: cloudfront.FunctionRuntime.JS_2_0,
              comment: "Serves index.html for the app's pages",
            }),
          },
        ],
      },
      additionalBehaviors: {
        "/api/*": apiBehavior(MOVE_BEARER),
        "/calendar/*": apiBehavior(null),
      },
    });
    NagSuppressions.addResourceSuppressions(this.distribution, [
      {
        id: "AwsSolutions-CFR1",
        reason:
          "Partner staff work from anywhere; every API answer needs sign-in or a calendar token.",
      },
      {
        id: "AwsSolutions-CFR2",
        reason:
          "No AWS WAF web ACL by default (cost); the API refuses any request without a valid Entra ID token, and a WAF can be attached to the distribution by the deployer.",
      },
      {
        id: "AwsSolutions-CFR4",
        reason:
          "The distribution uses the default *.cloudfront.net certificate, whose minimum TLS version CloudFront fixes; a custom domain with TLSv1.2_2021 is set in minimumProtocolVersion once a certificate is attached.",
      },
    ]);

    const site = mkdtempSync(path.join(tmpdir(), "csp-web-app-"));
    writeSpaSite(site);
    // Its own role and log group (no AWS managed policy); objects are served with no-cache, so
    // a deployment needs no CloudFront invalidation (which takes no resource-level permission).
    const deployLogs = new logs.LogGroup(this, "AssetsDeploymentLogs", {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const deployRole = new iam.Role(this, "AssetsDeploymentRole", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: "Copies the web app's files into the site bucket at deployment",
    });
    deployLogs.grantWrite(deployRole);
    new s3deploy.BucketDeployment(this, "Assets", {
      destinationBucket: this.bucket,
      sources: [
        s3deploy.Source.asset(site),
        s3deploy.Source.jsonData("config.json", {
          tenantId: props.tenantId,
          clientId: props.clientId,
          apiScope: `api://${props.clientId}/${props.appRole}`,
          thresholds: props.reminderThresholds.split(",").map(Number),
        }),
      ],
      cacheControl: [s3deploy.CacheControl.noCache()],
      // Deleting the deployment deletes its files, so the bucket can go too.
      retainOnDelete: false,
      role: deployRole,
      logGroup: deployLogs,
      memoryLimit: 256,
    });
    const stack = Stack.of(this);
    // BucketDeployment's handler is a stack-level singleton that aws-cdk-lib creates.
    const deploymentHandler = stack.node.children.find((child) =>
      child.node.id.startsWith("Custom::CDKBucketDeployment"),
    );
    if (!deploymentHandler) throw new Error("BucketDeployment created no handler function");
    NagSuppressions.addResourceSuppressions(
      deploymentHandler,
      [
        {
          id: "AwsSolutions-L1",
          reason: "CDK's BucketDeployment handler runtime is chosen by aws-cdk-lib, not here.",
        },
        {
          id: "Serverless-LambdaDLQ",
          reason:
            "CloudFormation invokes the BucketDeployment handler synchronously and reports its failure.",
        },
        {
          id: "Serverless-LambdaDefaultMemorySize",
          reason: "The BucketDeployment handler's memory is set (memoryLimit: 256).",
        },
        {
          id: "Serverless-LambdaLatestVersion",
          reason: "CDK's BucketDeployment handler runtime is chosen by aws-cdk-lib, not here.",
        },
        {
          id: "Serverless-LambdaTracing",
          reason: "A deployment-time custom resource; tracing it adds nothing to operations.",
        },
      ],
      true,
    );
    const iam5 = (appliesTo: string | { regex: string }, reason: string) => ({
      id: "AwsSolutions-IAM5",
      reason,
      appliesTo: [appliesTo],
    });
    const copying =
      "CDK's BucketDeployment reads the uploaded asset zip and replaces the site's objects; aws-cdk-lib writes these S3 actions with wildcards.";
    NagSuppressions.addResourceSuppressions(deployRole.node.findChild("DefaultPolicy"), [
      ...["s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:DeleteObject*", "s3:Abort*"].map(
        (action) => iam5(`Action::${action}`, copying),
      ),
      iam5(
        { regex: "/^Resource::arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-.*\\/\\*$/g" },
        "The handler reads the asset zip from the CDK bootstrap bucket's objects.",
      ),
      iam5(
        { regex: "/^Resource::<WebAppSite[0-9A-F]+\\.Arn>\\/\\*$/g" },
        "The handler writes and prunes the objects of the site bucket only.",
      ),
    ]);

    new CfnOutput(stack, WEB_OUTPUT_KEYS.webAppUrl, {
      value: `https://${this.distribution.distributionDomainName}`,
      description: "The partner web app (sign in with Microsoft Entra ID)",
    });
    new CfnOutput(stack, WEB_OUTPUT_KEYS.calendarSecretArn, {
      value: this.calendarSecret.secretArn,
      description: "HMAC key of the calendar feed URLs (cli calendar-url --stack)",
    });
  }
}
