/**
 * The local runtime for the web app's tests and screenshots: started in this process on free
 * ports, sharing the run's DynamoDB Local (or a given one) with a table of its own, and loaded
 * with fixture transfers through the real events endpoint.
 */
import { randomUUID } from "node:crypto";
import type { LocalRuntime } from "../../local/runtime.js";
import {
  cliEnv,
  drain,
  eventBridge,
  freeRuntimePorts,
  type Ports,
  putAll,
  startTestRuntime,
} from "../e2e/helpers.js";
import type { FixtureTransfer } from "./fixtures.js";

export type WebRuntime = {
  runtime: LocalRuntime;
  ports: Ports;
  tableName: string;
  /** Environment for the CLI pointed at this runtime. */
  env: Record<string, string>;
  web: string;
  load: (transfers: readonly FixtureTransfer[]) => Promise<void>;
  stop: () => Promise<void>;
};

export async function startWebRuntime(
  dynamoEndpoint: string,
  options: { dataDir?: string | null } = {},
): Promise<WebRuntime> {
  const ports = await freeRuntimePorts(dynamoEndpoint);
  const tableName = `web-${randomUUID()}`;
  const runtime = await startTestRuntime(ports, dynamoEndpoint, tableName, {
    dataDir: options.dataDir ?? null,
  });
  const client = eventBridge(ports.events);
  return {
    runtime,
    ports,
    tableName,
    env: cliEnv(ports, tableName),
    web: runtime.endpoints.web,
    load: async (transfers) => {
      await putAll(
        client,
        transfers.flatMap((t) => t.events),
      );
      const result = await drain(ports.events);
      if (result.deadLettered > 0) throw new Error(`dead-lettered: ${JSON.stringify(result)}`);
    },
    stop: async () => {
      client.destroy();
      await runtime.stop();
    },
  };
}
