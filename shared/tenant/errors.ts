/**
 * A tenant that could not be read in this run (SPEC section 10): no consent (token refused),
 * 401/403 from Graph, Graph down after retries, or an answer that is not the documented shape.
 * It changes nothing about the transfer; the reconcile counts it and logs `reason`.
 */
export class TenantUnreadableError extends Error {
  override readonly name = "TenantUnreadableError";
  constructor(
    readonly reason: string,
    readonly status?: number,
  ) {
    super(reason);
  }
}
