/** A fake Graph with one customer tenant, and a reader pointed at it (sleeps recorded, not slept). */
import { FakeGraph } from "../../local/fakes/graph/server.js";
import { TenantReader, type TenantReaderOptions } from "../../shared/tenant/reader.js";

export const PARTNER = "5b6f1c2a-0d3e-4f5a-8b9c-1d2e3f4a5b6c";
export const STANDARDPACK = "18181a46-0d4e-45cd-891e-60aabd171b4e";
export const ENTERPRISEPACK = "6fd2c87f-b296-42f0-b197-1e91e994b900";

export function readerFor(graph: FakeGraph, options: TenantReaderOptions = {}) {
  const sleeps: number[] = [];
  const reader = new TenantReader(
    {
      tokenUrl: graph.tokenUrl,
      apiUrl: graph.url,
      clientId: graph.clientId,
      clientSecret: graph.clientSecret,
    },
    {
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...options,
    },
  );
  return { reader, sleeps };
}

/** The transfer as the reduction sees it: its originals and known new subscriptions. */
export function transferIds(
  customerTenantId: string,
  originals: string[],
  knownNew: string[] = [],
) {
  return {
    partnerId: PARTNER,
    customerTenantId,
    originalIds: new Set(originals.map((id) => id.toLowerCase())),
    knownNewIds: new Set(knownNew.map((id) => id.toLowerCase())),
    fingerprint: null,
  };
}

export async function startGraph(pageSize?: number) {
  return new FakeGraph(pageSize === undefined ? {} : { pageSize }).start();
}
