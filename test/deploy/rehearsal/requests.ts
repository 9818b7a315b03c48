/**
 * What IAM authorizes for one SDK call: the action, the resource ARN(s) as deployed, and the
 * request context that conditions read. One call can be several requests (a PutEvents with
 * entries of two sources, a BatchGetItem over two tables, SES checking the identity and the
 * configuration set).
 */
import type { AwsCall } from "../../../shared/aws/call-observer.js";
import { FAKE_ACCOUNT as A, FAKE_REGION as R } from "./template.js";

export type IamRequest = {
  action: string;
  resource: string;
  context: Record<string, string | string[]>;
};

const SERVICES: Record<string, string> = {
  DynamoDBClient: "dynamodb",
  EventBridgeClient: "events",
  SESv2Client: "ses",
  SecretsManagerClient: "secretsmanager",
  SQSClient: "sqs",
  LambdaClient: "lambda",
  CloudFormationClient: "cloudformation",
};

const table = (name: unknown) => `arn:aws:dynamodb:${R}:${A}:table/${String(name)}`;
const queueArn = (url: unknown) => `arn:aws:sqs:${R}:${A}:${String(url).split("/").pop()}`;
const functionArn = (name: unknown) => {
  const text = String(name);
  return text.startsWith("arn:") ? text : `arn:aws:lambda:${R}:${A}:function:${text}`;
};

/** Transactions authorize each item's own action on its table. */
const TRANSACT_ACTIONS: Record<string, string> = {
  Put: "dynamodb:PutItem",
  Update: "dynamodb:UpdateItem",
  Delete: "dynamodb:DeleteItem",
  ConditionCheck: "dynamodb:ConditionCheckItem",
  Get: "dynamodb:GetItem",
};

export function iamRequestsOf(call: AwsCall): IamRequest[] {
  const service = SERVICES[call.client];
  if (!service) throw new Error(`no IAM mapping for ${call.client}.${call.operation}`);
  const input = call.input;
  const action = `${service}:${call.operation}`;
  const one = (resource: string, context: IamRequest["context"] = {}): IamRequest[] => [
    { action, resource, context },
  ];
  switch (service) {
    case "dynamodb": {
      if (call.operation === "BatchGetItem" || call.operation === "BatchWriteItem") {
        return Object.keys(input.RequestItems as object).map((name) => ({
          action,
          resource: table(name),
          context: {},
        }));
      }
      if (call.operation === "TransactWriteItems" || call.operation === "TransactGetItems") {
        return (input.TransactItems as Record<string, { TableName: string }>[]).flatMap((item) =>
          Object.entries(item).map(([kind, body]) => ({
            action: TRANSACT_ACTIONS[kind] ?? `dynamodb:${kind}`,
            resource: table(body.TableName),
            context: {},
          })),
        );
      }
      const base = table(input.TableName);
      if (call.operation === "UpdateItem") return one(base, updateContext(input));
      return one(input.IndexName ? `${base}/index/${String(input.IndexName)}` : base);
    }
    case "events": {
      if (call.operation !== "PutEvents") break;
      const entries = input.Entries as {
        EventBusName?: string;
        Source?: string;
        DetailType?: string;
      }[];
      const seen = new Map<string, IamRequest>();
      for (const entry of entries) {
        const bus = String(entry.EventBusName ?? "default");
        const resource = bus.startsWith("arn:") ? bus : `arn:aws:events:${R}:${A}:event-bus/${bus}`;
        const context = {
          "events:source": String(entry.Source),
          "events:detail-type": String(entry.DetailType),
        };
        seen.set(JSON.stringify([resource, context]), { action, resource, context });
      }
      return [...seen.values()];
    }
    case "ses": {
      if (call.operation !== "SendEmail") break;
      const from = String(input.FromEmailAddress ?? "");
      const address = /<([^>]+)>/.exec(from)?.[1] ?? from;
      const context = { "ses:FromAddress": address, "ses:ApiVersion": "2" };
      const identity = String(input.FromEmailAddressIdentityArn ?? "") || address;
      const requests: IamRequest[] = [
        {
          action,
          resource: identity.startsWith("arn:")
            ? identity
            : `arn:aws:ses:${R}:${A}:identity/${identity}`,
          context,
        },
      ];
      if (input.ConfigurationSetName) {
        requests.push({
          action,
          resource: `arn:aws:ses:${R}:${A}:configuration-set/${String(input.ConfigurationSetName)}`,
          context,
        });
      }
      return requests;
    }
    case "secretsmanager":
      return one(String(input.SecretId));
    case "sqs":
      return one(queueArn(input.QueueUrl));
    case "lambda":
      if (call.operation === "Invoke") {
        return [
          {
            action: "lambda:InvokeFunction",
            resource: functionArn(input.FunctionName),
            context: {},
          },
        ];
      }
      break;
    case "cloudformation":
      return one(
        String(input.StackName).startsWith("arn:")
          ? String(input.StackName)
          : `arn:aws:cloudformation:${R}:${A}:stack/${String(input.StackName)}/00000000-0000-4000-8000-000000000000`,
      );
  }
  throw new Error(`no IAM mapping for ${call.client}.${call.operation}`);
}

/** Words of an update's expressions that are syntax, not attribute names. */
const EXPRESSION_WORDS = new Set([
  "SET",
  "REMOVE",
  "ADD",
  "DELETE",
  "AND",
  "OR",
  "NOT",
  "BETWEEN",
  "IN",
  "attribute_exists",
  "attribute_not_exists",
  "attribute_type",
  "begins_with",
  "contains",
  "size",
  "if_not_exists",
  "list_append",
]);

/**
 * The fine-grained keys DynamoDB puts in an UpdateItem's request context: `dynamodb:Attributes`
 * (the key and every top-level attribute its expressions name, `#names` resolved) and
 * `dynamodb:ReturnValues` when asked for.
 */
function updateContext(input: Record<string, unknown>): IamRequest["context"] {
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const attributes = new Set(Object.keys((input.Key ?? {}) as object));
  for (const expression of [input.UpdateExpression, input.ConditionExpression]) {
    // Values (:v) are not names; a path's first element is its top-level attribute.
    const text = String(expression ?? "")
      .replace(/:[A-Za-z0-9_]+/g, " ")
      .replace(/\[\d+\]|\.#?[A-Za-z_][A-Za-z0-9_]*/g, "");
    for (const [word] of text.matchAll(/#?[A-Za-z_][A-Za-z0-9_]*/g)) {
      if (EXPRESSION_WORDS.has(word)) continue;
      attributes.add(word.startsWith("#") ? (names[word] ?? word) : word);
    }
  }
  return {
    "dynamodb:Attributes": [...attributes].sort(),
    ...(input.ReturnValues ? { "dynamodb:ReturnValues": String(input.ReturnValues) } : {}),
  };
}
