/**
 * Reads one customer's tenant (SPEC section 10), in the order the process goes: a token for
 * that tenant (cached), its commercial subscriptions, its subscribed SKUs, the reduction to a
 * `Tenant Observed`. Three requests for a tenant whose lists fit one page each, two once the
 * token is cached. Whatever goes wrong makes the tenant unreadable for this run, with a reason
 * a partner can act on; it never throws.
 */
import type { TenantObserved } from "../events/index.js";
import { type GraphSettings, readGraphSettings } from "./config.js";
import { TenantUnreadableError } from "./errors.js";
import { GraphClient } from "./graph-client.js";
import type { HttpOptions } from "./http.js";
import { reduceTenant, type TransferIds, tenantObservedDetail } from "./mapping.js";
import { GraphTokens } from "./token-provider.js";

export type TenantReadOutcome =
  | { kind: "read"; detail: TenantObserved; changed: boolean }
  | { kind: "unreadable"; reason: string };

/** Time one tenant read may take, retries and Retry-After waits included. */
export const READ_BUDGET_MS = 60_000;

export type TenantReaderOptions = HttpOptions & { budgetMs?: number };

export class TenantReader {
  readonly tokens: GraphTokens;
  readonly graph: GraphClient;

  constructor(
    settings: GraphSettings,
    private readonly options: TenantReaderOptions = {},
  ) {
    this.tokens = new GraphTokens(settings, options);
    this.graph = new GraphClient(settings, this.tokens, options);
  }

  /** Requests sent so far, token requests included. */
  get requests(): number {
    return this.tokens.requests + this.graph.requests;
  }

  /**
   * Reads the tenant of `transfer` as of `observedAt`. `changed` is false when the content is
   * what the transfer already holds (`fingerprint`): nothing needs emitting then.
   */
  async read(
    transfer: TransferIds & { fingerprint: string | null },
    observedAt: string,
  ): Promise<TenantReadOutcome> {
    const now = this.options.now ?? Date.now;
    const deadline = now() + (this.options.budgetMs ?? READ_BUDGET_MS);
    const tenant = transfer.customerTenantId;
    try {
      const subscriptions = await this.graph.subscriptions(tenant, deadline);
      const skus = await this.graph.subscribedSkus(tenant, deadline);
      const detail = tenantObservedDetail(
        transfer,
        reduceTenant(transfer, subscriptions, skus),
        observedAt,
      );
      return { kind: "read", detail, changed: detail.fingerprint !== transfer.fingerprint };
    } catch (error) {
      if (error instanceof TenantUnreadableError)
        return { kind: "unreadable", reason: error.reason };
      return { kind: "unreadable", reason: `unexpected failure: ${(error as Error).message}` };
    }
  }
}

/** The reader from the environment and the connector's credentials. */
export function tenantReaderFrom(
  env: NodeJS.ProcessEnv,
  credentials: { clientId: string; clientSecret: string },
  options: TenantReaderOptions = {},
): TenantReader {
  return new TenantReader(readGraphSettings(env, credentials), options);
}
