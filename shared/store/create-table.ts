import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  ResourceInUseException,
  UpdateTableCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { backfillIndexKeys } from "./index-backfill.js";
import { GLOBAL_INDEXES, type IndexDefinition, TABLE_KEYS } from "./table-definition.js";

const attribute = (name: string) => ({ AttributeName: name, AttributeType: "S" as const });

/** The index as DynamoDB's API describes it (the CDK construct builds the same). */
export function indexSpec(index: IndexDefinition): GlobalSecondaryIndex {
  return {
    IndexName: index.indexName,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: "HASH" },
      { AttributeName: index.sortKey, KeyType: "RANGE" },
    ],
    Projection:
      index.projection === "ALL"
        ? { ProjectionType: "ALL" }
        : { ProjectionType: "INCLUDE", NonKeyAttributes: [...index.projection] },
  };
}

/** Creates the table with these indexes (today's, or an earlier layout's in a migration test). */
export async function createTable(
  client: DynamoDBClient,
  tableName: string,
  indexes: readonly IndexDefinition[],
): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        attribute(TABLE_KEYS.partitionKey),
        attribute(TABLE_KEYS.sortKey),
        ...indexes.flatMap((i) => [attribute(i.partitionKey), attribute(i.sortKey)]),
      ],
      KeySchema: [
        { AttributeName: TABLE_KEYS.partitionKey, KeyType: "HASH" },
        { AttributeName: TABLE_KEYS.sortKey, KeyType: "RANGE" },
      ],
      GlobalSecondaryIndexes: indexes.map(indexSpec),
    }),
  );
}

/**
 * Creates the table (for DynamoDB Local and tests) if it does not exist yet, and brings a table
 * an earlier version created (a kept data folder) to today's indexes: each missing index is
 * added and an index no longer defined is dropped, one at a time as DynamoDB requires, and the
 * items written before get their index keys (index-backfill.ts).
 */
export async function createTableIfMissing(client: DynamoDBClient, tableName: string) {
  try {
    await createTable(client, tableName, GLOBAL_INDEXES);
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
    await upgradeIndexes(client, tableName);
    return;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
}

/**
 * Adds the missing indexes, gives the items written before them their keys, and only then drops
 * the indexes no longer defined: a start-up killed anywhere before the drop finds the old index
 * still there and runs the (idempotent) backfill again, so no item is left without its keys.
 */
export async function upgradeIndexes(client: DynamoDBClient, tableName: string): Promise<boolean> {
  // An index a killed start-up was creating or dropping settles first.
  await waitUntilActive(client, tableName);
  const existing = await indexNames(client, tableName);
  const wanted = new Set(GLOBAL_INDEXES.map((i) => i.indexName));
  const missing = GLOBAL_INDEXES.filter((i) => !existing.has(i.indexName));
  const obsolete = [...existing].filter((name) => !wanted.has(name));
  for (const index of missing) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [attribute(index.partitionKey), attribute(index.sortKey)],
        GlobalSecondaryIndexUpdates: [{ Create: indexSpec(index) }],
      }),
    );
    await waitUntilActive(client, tableName);
  }
  if (missing.length > 0 || obsolete.length > 0) {
    await backfillIndexKeys(DynamoDBDocumentClient.from(client), tableName);
  }
  for (const name of obsolete) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: name } }],
      }),
    );
    await waitUntilActive(client, tableName);
  }
  return missing.length > 0 || obsolete.length > 0;
}

async function indexNames(client: DynamoDBClient, tableName: string): Promise<Set<string>> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  return new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => String(i.IndexName)));
}

export async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const busy =
      Table?.TableStatus !== "ACTIVE" ||
      (Table.GlobalSecondaryIndexes ?? []).some((i) => i.IndexStatus !== "ACTIVE");
    if (!busy) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}
