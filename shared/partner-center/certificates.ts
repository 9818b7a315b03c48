/**
 * Certificate basics of the webhook receiver (SPEC section 9, step 3), with node:crypto's
 * X509Certificate parsing: a certificate document is DER or PEM (a PEM may carry the signing
 * certificate followed by its intermediates); the trust anchors are the runtime's root store
 * (plus any extra roots of the deployment) or a configured CA file; validity windows; the
 * subject's organisation. The chain itself is chain.ts.
 */
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";

export const REQUIRED_ORGANISATION = "Microsoft Corporation";

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

/**
 * Certificates to trust: the PEM file named (it replaces the root store), or the runtime's public
 * root store plus `extraPem` (PEM text: roots a deployment adds when Microsoft's chain changes).
 */
export function loadTrustAnchors(pemFile: string | null, extraPem = ""): X509Certificate[] {
  if (pemFile === null) {
    if (extraPem.trim() === "") return rootStore();
    return [...rootStore(), ...parseCertificateDocument(Buffer.from(extraPem, "latin1"))];
  }
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

/** The subject's organisation (O=) values, as node:crypto prints the distinguished name. */
export function subjectOrganisations(cert: X509Certificate): string[] {
  return cert.subject
    .split("\n")
    .filter((line) => line.startsWith("O="))
    .map((line) => line.slice(2));
}
