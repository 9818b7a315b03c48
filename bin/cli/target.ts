/**
 * Where the CLI points: the local runtime (default) or a deployed stack (`--stack NAME --region R`,
 * names read from the stack's outputs). Both give the same SDK clients, so every command has one
 * code path.
 */
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { LOCAL_CREDENTIALS, LOCAL_REGION, localSettings, loopback } from "../../local/config.js";
import { localDlqUrl } from "../../local/events-endpoint.js";
import { observed } from "../../shared/aws/call-observer.js";
import { OUTPUT_KEYS } from "../../shared/stack-outputs.js";
import { documentClient } from "../../shared/store/clients.js";
import { CliError } from "./errors.js";

export type Target = {
  description: string;
  tableName: string;
  busName: string;
  dlqUrls: string[];
  /**
   * A deployed stack: the function each dead-letter queue belongs to, by queue URL. Redrive
   * invokes it with the event (only the tracker's functions may put the tracker's events on the
   * bus, and the letter was that function's alone). Local: empty, redrive puts events back.
   */
  redriveFunctions: Map<string, string>;
  dynamo: DynamoDBDocumentClient;
  events: EventBridgeClient;
  sqs: SQSClient;
  /** Local only: POST here waits until every accepted event is processed. */
  drainUrl: string | null;
  /** Environment for running a function module (the scan) in this process against the target. */
  functionEnv: Record<string, string>;
  /**
   * A deployed stack: its scan function, invoked by `scan` (the stack's own thresholds and
   * permissions; only the tracker's functions may publish the tracker's events). Local: null.
   */
  scanFunction: { name: string; lambda: LambdaClient } | null;
};

export async function resolveTarget(options: {
  stack?: string | undefined;
  region?: string | undefined;
}): Promise<Target> {
  if (options.stack) return stackTarget(options.stack, options.region);
  if (options.region) throw new CliError("--region goes with --stack NAME");
  return localTarget();
}

function localTarget(): Target {
  const settings = localSettings();
  const events = loopback(settings.eventsPort);
  const dynamodb = loopback(settings.dynamoPort);
  const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 2 };
  return {
    description: `local runtime (events ${events}, DynamoDB ${dynamodb})`,
    tableName: settings.tableName,
    busName: settings.busName,
    dlqUrls: [localDlqUrl(events)],
    redriveFunctions: new Map(),
    dynamo: documentClient({ ...common, endpoint: dynamodb }),
    events: observed(new EventBridgeClient({ ...common, endpoint: events })),
    sqs: observed(new SQSClient({ ...common, endpoint: events })),
    drainUrl: `${events}/_local/drain`,
    scanFunction: null,
    functionEnv: {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb,
      AWS_ENDPOINT_URL_EVENTBRIDGE: events,
      TABLE_NAME: settings.tableName,
      EVENT_BUS_NAME: settings.busName,
      LOG_LEVEL: "WARN",
    },
  };
}

async function stackTarget(stack: string, region: string | undefined): Promise<Target> {
  if (!region) throw new CliError("--stack needs --region (the stack's AWS region)");
  const cfn = observed(new CloudFormationClient({ region }));
  const result = await cfn
    .send(new DescribeStacksCommand({ StackName: stack }))
    .finally(() => cfn.destroy());
  const outputs = new Map(
    (result.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? "", o.OutputValue ?? ""]),
  );
  const need = (key: string) => {
    const value = outputs.get(key);
    if (!value) throw new CliError(`stack ${stack} has no output "${key}"`);
    return value;
  };
  const tableName = need(OUTPUT_KEYS.tableName);
  const busName = need(OUTPUT_KEYS.eventBusName);
  const dlqUrls = [...outputs.entries()]
    .filter(
      ([key]) => key.startsWith(OUTPUT_KEYS.dlqUrlPrefix) && key !== OUTPUT_KEYS.scheduleDlqUrl,
    )
    .map(([, value]) => value);
  const redriveFunctions = new Map<string, string>();
  for (const [key, url] of outputs) {
    if (!key.startsWith(OUTPUT_KEYS.dlqUrlPrefix) || key === OUTPUT_KEYS.scheduleDlqUrl) continue;
    const fn = outputs.get(
      `${OUTPUT_KEYS.functionNamePrefix}${key.slice(OUTPUT_KEYS.dlqUrlPrefix.length)}`,
    );
    if (fn) redriveFunctions.set(url, fn);
  }
  return {
    description: `stack ${stack} in ${region}`,
    tableName,
    busName,
    dlqUrls,
    redriveFunctions,
    dynamo: documentClient({ region }),
    events: observed(new EventBridgeClient({ region })),
    // The queue URLs of the outputs name the regional endpoint the client resolves anyway.
    sqs: observed(new SQSClient({ region, useQueueUrlAsEndpoint: false })),
    drainUrl: null,
    functionEnv: { AWS_REGION: region, TABLE_NAME: tableName, EVENT_BUS_NAME: busName },
    scanFunction: {
      name: need(OUTPUT_KEYS.expiryScanFunctionName),
      // The scan may run for minutes (up to the function's 15-minute limit).
      lambda: observed(new LambdaClient({ region, requestHandler: { requestTimeout: 900_000 } })),
    },
  };
}
