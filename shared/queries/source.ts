import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/** Where the read side reads from: the transfer table through a document client. */
export type ReadSource = { db: DynamoDBDocumentClient; tableName: string };
