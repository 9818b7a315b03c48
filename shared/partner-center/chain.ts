/**
 * Completes and checks the signing certificate's chain the way a browser does (SPEC section 9,
 * step 3). From the signing certificate, each issuer is looked for among the trusted roots, then
 * among the certificates served with it, then at the certificate's Authority Information Access
 * "CA Issuers" URL (only on an allowed CA-issuer host; at most 3 fetched issuers). The path found
 * is then checked whole: every signature (while building), every validity window, and for every
 * intermediate: a CA by its basic constraints, allowed to sign certificates (keyCertSign), and a
 * path length that allows the intermediates below it. A loop (A issued by B issued by A) is
 * refused. Every refusal is a CertificateError saying why.
 */
import type { X509Certificate } from "node:crypto";
import { CertificateError, isWithinValidity } from "./certificates.js";
import { certificateExtensions, DerError } from "./der.js";

/** Issuers fetched from CA Issuers URLs for one chain, at most. */
export const MAX_FETCHED_ISSUERS = 3;
/** Certificates in a chain, the signing certificate and the root included, at most. */
const MAX_CHAIN_LENGTH = 6;

/** Where missing issuers come from (ca-issuers.ts): a URL policy and a cached fetch. */
export type IssuerFetcher = {
  /** Why this CA Issuers URL may not be fetched, or null. */
  refuse(url: string): string | null;
  get(url: string): Promise<X509Certificate[]>;
};

export const nameOf = (cert: X509Certificate) => cert.subject.replace(/\n/g, ", ");

/**
 * `issuer` issued `subject`: the names agree and the signature verifies. Not checkIssued: OpenSSL's
 * check also refuses an issuer that is not a CA or lacks keyCertSign, which would hide the reason
 * checkIntermediates gives.
 */
function issued(subject: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return subject.issuer === issuer.subject && subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function extensionsOf(cert: X509Certificate) {
  try {
    return certificateExtensions(cert.raw);
  } catch (error) {
    if (error instanceof DerError) {
      throw new CertificateError(
        `the certificate ${nameOf(cert)} does not parse: ${error.message}`,
      );
    }
    throw error;
  }
}

/**
 * Builds the chain from `leaf` to a trust anchor and checks it; returns the path (the signing
 * certificate first, the anchor last).
 */
export async function verifiedChain(
  leaf: X509Certificate,
  served: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
  issuers: IssuerFetcher | null,
  now: Date,
): Promise<X509Certificate[]> {
  if (anchors.some((anchor) => anchor.fingerprint256 === leaf.fingerprint256)) return [leaf];
  const path: X509Certificate[] = [leaf];
  const seen = new Set<string>([leaf.fingerprint256]);
  let fetched = 0;
  for (;;) {
    const current = path[path.length - 1] as X509Certificate;
    const anchor = anchors.find((a) => a.ca && isWithinValidity(a, now) && issued(current, a));
    if (anchor) {
      path.push(anchor);
      checkIntermediates(path, now);
      return path;
    }
    if (path.length >= MAX_CHAIN_LENGTH) {
      throw new CertificateError(`the chain is longer than ${MAX_CHAIN_LENGTH} certificates`);
    }
    let next = served.find((c) => issued(current, c));
    if (!next) {
      if (fetched >= MAX_FETCHED_ISSUERS) {
        throw new CertificateError(
          `the chain needs more than ${MAX_FETCHED_ISSUERS} issuers fetched from CA Issuers URLs`,
        );
      }
      fetched++;
      next = await fetchIssuer(current, issuers);
    }
    if (seen.has(next.fingerprint256)) {
      throw new CertificateError(
        `the chain loops: ${nameOf(current)} is issued by ${nameOf(next)}, already in the chain`,
      );
    }
    seen.add(next.fingerprint256);
    path.push(next);
  }
}

async function fetchIssuer(
  current: X509Certificate,
  issuers: IssuerFetcher | null,
): Promise<X509Certificate> {
  const urls = extensionsOf(current).caIssuers;
  if (urls.length === 0 || issuers === null) {
    throw new CertificateError(
      `the certificate does not chain to a trusted root (the issuer of ${nameOf(current)} is neither served nor trusted, and it names no CA Issuers URL)`,
    );
  }
  const refusals = urls.map((url) => ({ url, why: issuers.refuse(url) }));
  const allowed = refusals.find((r) => r.why === null);
  if (!allowed) {
    const first = refusals[0] as { url: string; why: string };
    throw new CertificateError(`the CA Issuers URL of ${nameOf(current)} is refused: ${first.why}`);
  }
  const candidates = await issuers.get(allowed.url);
  const issuer = candidates.find((c) => issued(current, c));
  if (!issuer) {
    throw new CertificateError(
      `the certificate served at the CA Issuers URL of ${nameOf(current)} did not issue it`,
    );
  }
  return issuer;
}

/** Validity, CA, keyCertSign and path length of every intermediate (between leaf and anchor). */
function checkIntermediates(path: readonly X509Certificate[], now: Date): void {
  for (let i = 1; i < path.length - 1; i++) {
    const ca = path[i] as X509Certificate;
    if (!isWithinValidity(ca, now)) {
      throw new CertificateError(
        `the intermediate ${nameOf(ca)} is outside its validity window (${ca.validFrom} to ${ca.validTo})`,
      );
    }
    const extensions = extensionsOf(ca);
    if (!extensions.basicConstraints?.ca) {
      throw new CertificateError(`the intermediate ${nameOf(ca)} is not a CA (basic constraints)`);
    }
    if (!extensions.keyUsage?.keyCertSign) {
      throw new CertificateError(
        `the intermediate ${nameOf(ca)} may not sign certificates (no keyCertSign key usage)`,
      );
    }
    const below = i - 1;
    const limit = extensions.basicConstraints.pathLength;
    if (limit !== null && below > limit) {
      throw new CertificateError(
        `the intermediate ${nameOf(ca)} has path length ${limit}, which forbids the ${below} intermediate(s) below it`,
      );
    }
  }
}
