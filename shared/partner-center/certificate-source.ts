/**
 * Where the receiver gets the signing certificate (SPEC section 9, steps 2 and 3): only from an
 * allowed host, over https (http for loopback hosts only, and only when the runtime allows it:
 * locally), fetched with the limits of certificate-fetch.ts, its chain completed and checked
 * (chain.ts), its subject organisation `Microsoft Corporation`. Only a certificate that passed
 * every check is cached (an hour, and never past a validity window in its chain); a URL that
 * failed is remembered for a minute and not fetched again, and failures are kept apart from the
 * verified entries, so a flood of forged URLs costs one fetch per URL per minute and never
 * pushes the real certificate out.
 */
import type { X509Certificate } from "node:crypto";
import { type FetchLimits, fetchCertificateDocument } from "./certificate-fetch.js";
import {
  CertificateError,
  isWithinValidity,
  REQUIRED_ORGANISATION,
  subjectOrganisations,
} from "./certificates.js";
import { type IssuerFetcher, verifiedChain } from "./chain.js";
import { UrlMemo } from "./url-memo.js";

export {
  CERTIFICATE_FETCH_TIMEOUT_MS,
  MAX_CERTIFICATE_BYTES,
} from "./certificate-fetch.js";

export type CertificateUrlPolicy = {
  /** `host` or `host:port`, lower case; a host without a port allows the scheme's default only. */
  allowedHosts: readonly string[];
  /** Accept http:// for loopback hosts (local runtime and tests only). */
  allowHttpLoopback: boolean;
};

const LOOPBACK = /^(127(?:\.\d{1,3}){3}|\[::1\]|localhost)$/;

/** Why a certificate URL is refused, or null when it may be fetched. */
export function refuseCertificateUrl(raw: string, policy: CertificateUrlPolicy): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "the certificate URL is not a URL";
  }
  if (url.username !== "" || url.password !== "") return "the certificate URL carries credentials";
  const loopback = LOOPBACK.test(url.hostname);
  if (url.protocol === "http:") {
    if (!(policy.allowHttpLoopback && loopback)) return "the certificate URL is not https";
  } else if (url.protocol !== "https:") {
    return "the certificate URL is not https";
  }
  if (!policy.allowedHosts.includes(url.host)) {
    return `the certificate host ${url.host} is not an allowed host`;
  }
  return null;
}

/**
 * Checks a fetched certificate document (the signing certificate first, any intermediates after
 * it) and returns the verified chain, or throws CertificateError saying which check failed.
 */
export async function checkSigningCertificate(
  document: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
  issuers: IssuerFetcher | null,
  now: Date,
): Promise<X509Certificate[]> {
  const [leaf, ...served] = document;
  if (!leaf) throw new CertificateError("no certificate");
  if (!isWithinValidity(leaf, now)) {
    throw new CertificateError(
      `the certificate is outside its validity window (${leaf.validFrom} to ${leaf.validTo})`,
    );
  }
  const organisations = subjectOrganisations(leaf);
  if (organisations.length !== 1 || organisations[0] !== REQUIRED_ORGANISATION) {
    throw new CertificateError(
      `the certificate's subject organisation is ${JSON.stringify(organisations)}, not "${REQUIRED_ORGANISATION}"`,
    );
  }
  if (leaf.publicKey.asymmetricKeyType !== "rsa") {
    throw new CertificateError("the certificate's key is not an RSA key");
  }
  return verifiedChain(leaf, served, anchors, issuers, now);
}

export type CertificateSourceOptions = FetchLimits & {
  /** Trust anchors: the runtime's root store or the configured CA file. */
  anchors: readonly X509Certificate[];
  /** Where missing issuers are fetched from (null: never). */
  caIssuers: IssuerFetcher | null;
  now?: () => number;
};

const HOUR = 60 * 60 * 1000;
const MINUTE = 60 * 1000;

/** Verified signing certificates by URL (the URL must already have been allowed). */
export class CertificateSource {
  private readonly memo: UrlMemo<X509Certificate[]>;

  constructor(private readonly options: CertificateSourceOptions) {
    this.memo = new UrlMemo({
      successTtlMs: HOUR,
      failureTtlMs: MINUTE,
      maxSuccesses: 16,
      maxFailures: 4096,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /** Network fetches of signing certificates made (cache misses), for the tests and the bench. */
  get fetches(): number {
    return this.memo.loads;
  }

  /** Whether a verified certificate for `url` is cached (for the tests). */
  holdsVerified(url: string): boolean {
    return this.memo.holds(url);
  }

  private now(): Date {
    return new Date(this.options.now?.() ?? Date.now());
  }

  /** The verified signing certificate at `url`, or a CertificateError saying why not. */
  async signer(url: string): Promise<X509Certificate> {
    const chain = await this.memo.get(
      url,
      async () => {
        const document = await fetchCertificateDocument(url, "certificate", this.options);
        return checkSigningCertificate(
          document,
          this.options.anchors,
          this.options.caIssuers,
          this.now(),
        );
      },
      (chain) => chain.every((c) => isWithinValidity(c, this.now())),
    );
    return chain[0] as X509Certificate;
  }
}
