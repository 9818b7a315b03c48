/** A fresh table in the run's DynamoDB Local for one test file. */
import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { inject } from "vitest";
import { documentClient } from "../../shared/store/clients.js";
import { createTableIfMissing } from "../../shared/store/create-table.js";

export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

export function localDynamoConfig() {
  return {
    endpoint: inject("dynamoEndpoint"),
    region: "us-east-1",
    credentials: LOCAL_CREDENTIALS,
  };
}

export async function freshTable(
  label: string,
): Promise<{ tableName: string; db: DynamoDBDocumentClient }> {
  const tableName = `${label}-${randomUUID().slice(0, 8)}`;
  await createTableIfMissing(new DynamoDBClient(localDynamoConfig()), tableName);
  return { tableName, db: documentClient(localDynamoConfig()) };
}
