import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { observed } from "../aws/call-observer.js";

/** A document client that drops undefined attributes (optional fields are simply absent). */
export function documentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(observed(new DynamoDBClient(config)), {
    marshallOptions: { removeUndefinedValues: true },
  });
}
