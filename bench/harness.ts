/** Shared set-up for benchmarks: a real DynamoDB Local on a free port and request counting. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type DynamoDbLocal, startDynamoDbLocal } from "../local/dynamodb-local.js";
import { freePort } from "../local/free-port.js";
import { documentClient } from "../shared/store/clients.js";
import { createTableIfMissing } from "../shared/store/create-table.js";

export type BenchDynamo = {
  dynamo: DynamoDbLocal;
  clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  newTable: (name: string) => Promise<string>;
};

export async function startBenchDynamo(): Promise<BenchDynamo> {
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  const clientConfig = {
    endpoint: dynamo.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
  };
  const admin = new DynamoDBClient(clientConfig);
  return {
    dynamo,
    clientConfig,
    newTable: async (name) => {
      await createTableIfMissing(admin, name);
      return name;
    },
  };
}

/** A document client that counts every request it sends, by command name. */
export function countingClient(config: BenchDynamo["clientConfig"]): {
  db: DynamoDBDocumentClient;
  counts: Map<string, number>;
  total: () => number;
  reset: () => void;
} {
  const db = documentClient(config);
  const counts = new Map<string, number>();
  // finalizeRequest runs once per HTTP attempt, so SDK retries are counted too.
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: "finalizeRequest", name: "benchRequestCounter", priority: "low" },
  );
  return {
    db,
    counts,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    reset: () => counts.clear(),
  };
}

export const progress = (message: string) => process.stderr.write(`  … ${message}\n`);
