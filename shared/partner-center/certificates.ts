/**
 * Certificate checks of the webhook receiver (SPEC section 9, step 3), with node:crypto's
 * X509Certificate doing all parsing and signature work (no hand-written ASN.1): the document at
 * the certificate URL is DER or PEM (a PEM may carry the signing certificate followed by its
 * intermediates), the signing certificate must be inside its validity window, chain to a trusted
 * root, and name `Microsoft Corporation` as its subject organisation.
 */
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";

export const REQUIRED_ORGANISATION = "Microsoft Corporation";
/** Longest chain followed from the signing certificate to a trusted root. */
const MAX_CHAIN_DEPTH = 6;

export class CertificateError extends Error {
  override readonly name = "CertificateError";
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Parses a DER certificate or a PEM bundle (first block: the signing certificate). */
export function parseCertificateDocument(bytes: Buffer): X509Certificate[] {
  const text = bytes.toString("latin1");
  if (text.includes("-----BEGIN CERTIFICATE-----")) {
    const blocks = text.match(PEM_BLOCK) ?? [];
    if (blocks.length === 0) throw new CertificateError("the PEM document holds no certificate");
    return blocks.map((block) => parseOne(Buffer.from(block, "latin1")));
  }
  return [parseOne(bytes)];
}

function parseOne(bytes: Buffer): X509Certificate {
  try {
    return new X509Certificate(bytes);
  } catch {
    throw new CertificateError("the certificate does not parse (neither DER nor PEM)");
  }
}

/** Certificates to trust: the PEM file named, or the runtime's public root store. */
export function loadTrustAnchors(pemFile: string | null): X509Certificate[] {
  if (pemFile === null) return rootStore();
  let bytes: Buffer;
  try {
    bytes = readFileSync(pemFile);
  } catch (error) {
    throw new CertificateError(
      `cannot read the trusted CA file ${pemFile}: ${(error as Error).message}`,
    );
  }
  return parseCertificateDocument(bytes);
}

let rootStoreCache: X509Certificate[] | null = null;
function rootStore(): X509Certificate[] {
  rootStoreCache ??= rootCertificates.map((pem) => new X509Certificate(pem));
  return rootStoreCache;
}

export function isWithinValidity(cert: X509Certificate, now: Date): boolean {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  return (
    Number.isFinite(from) && Number.isFinite(to) && from <= now.getTime() && now.getTime() <= to
  );
}

/** `issuer` issued `subject`: names and key identifiers agree and the signature verifies. */
function issued(subject: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * Follows the chain from the signing certificate through the intermediates served with it to a
 * trust anchor. Every certificate on the way must be valid at `now`, and every issuer a CA.
 */
export function chainsToTrustedRoot(
  leaf: X509Certificate,
  intermediates: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
  now: Date,
): boolean {
  if (anchors.some((anchor) => anchor.fingerprint256 === leaf.fingerprint256)) return true;
  let current = leaf;
  const used = new Set<string>([leaf.fingerprint256]);
  for (let depth = 0; depth < MAX_CHAIN_DEPTH; depth++) {
    const anchor = anchors.find((a) => a.ca && isWithinValidity(a, now) && issued(current, a));
    if (anchor) return true;
    const next = intermediates.find(
      (c) => !used.has(c.fingerprint256) && c.ca && isWithinValidity(c, now) && issued(current, c),
    );
    if (!next) return false;
    used.add(next.fingerprint256);
    current = next;
  }
  return false;
}

/** The subject's organisation (O=) values, as node:crypto prints the distinguished name. */
export function subjectOrganisations(cert: X509Certificate): string[] {
  return cert.subject
    .split("\n")
    .filter((line) => line.startsWith("O="))
    .map((line) => line.slice(2));
}

/**
 * Checks a fetched certificate document and returns the signing certificate, or throws
 * CertificateError saying which check failed.
 */
export function checkSigningCertificate(
  chain: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
  now: Date,
): X509Certificate {
  const [leaf, ...intermediates] = chain;
  if (!leaf) throw new CertificateError("no certificate");
  if (!isWithinValidity(leaf, now)) {
    throw new CertificateError(
      `the certificate is outside its validity window (${leaf.validFrom} to ${leaf.validTo})`,
    );
  }
  if (!chainsToTrustedRoot(leaf, intermediates, anchors, now)) {
    throw new CertificateError("the certificate does not chain to a trusted root");
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
  return leaf;
}
