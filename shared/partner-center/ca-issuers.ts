/**
 * Issuers fetched from a certificate's Authority Information Access "CA Issuers" URL (SPEC
 * section 9, step 3): http or https — the chain's signatures, not the transport, make them
 * trustworthy, and Microsoft's own AIA URLs are http — but only on an allowed CA-issuer host
 * (`host` or `host:port`; a host without a port allows the scheme's default port only), never
 * with credentials in the URL, never following a redirect; same size and time limits as the
 * certificate fetch; cached per URL (an hour), a failure remembered for a minute.
 */
import type { X509Certificate } from "node:crypto";
import { type FetchLimits, fetchCertificateDocument } from "./certificate-fetch.js";
import type { IssuerFetcher } from "./chain.js";
import { UrlMemo } from "./url-memo.js";

export type CaIssuerPolicy = {
  /** `host` or `host:port`, lower case. */
  allowedHosts: readonly string[];
};

/** Why a CA Issuers URL is refused, or null when it may be fetched. */
export function refuseCaIssuerUrl(raw: string, policy: CaIssuerPolicy): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not a URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `scheme ${url.protocol} is not http or https`;
  }
  if (url.username !== "" || url.password !== "") return "the URL carries credentials";
  if (!policy.allowedHosts.includes(url.host)) {
    return `the host ${url.host} is not an allowed CA-issuer host`;
  }
  return null;
}

const HOUR = 60 * 60 * 1000;
const MINUTE = 60 * 1000;

export class CaIssuerSource implements IssuerFetcher {
  private readonly memo: UrlMemo<X509Certificate[]>;

  constructor(
    private readonly policy: CaIssuerPolicy,
    private readonly limits: FetchLimits & { now?: () => number } = {},
  ) {
    this.memo = new UrlMemo({
      successTtlMs: HOUR,
      failureTtlMs: MINUTE,
      maxSuccesses: 32,
      maxFailures: 4096,
      ...(limits.now ? { now: limits.now } : {}),
    });
  }

  /** Network fetches made, for the tests. */
  get fetches(): number {
    return this.memo.loads;
  }

  refuse(url: string): string | null {
    return refuseCaIssuerUrl(url, this.policy);
  }

  get(url: string): Promise<X509Certificate[]> {
    return this.memo.get(url, () => fetchCertificateDocument(url, "CA issuer", this.limits));
  }
}
