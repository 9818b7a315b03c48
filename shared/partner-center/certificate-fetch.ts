/**
 * One certificate fetch, for the signing certificate and for CA issuers alike: no redirect
 * followed (a 3xx is a refusal), a time limit, and the body read through the bounded reader (16
 * KiB: a certificate is 1 to 2 KiB, a chain a few). What arrives is parsed as DER or PEM.
 */
import type { X509Certificate } from "node:crypto";
import { ResponseTooLargeError, readBoundedBytes } from "../http/bounded-body.js";
import { CertificateError, parseCertificateDocument } from "./certificates.js";

export const CERTIFICATE_FETCH_TIMEOUT_MS = 5_000;
export const MAX_CERTIFICATE_BYTES = 16 * 1024;

export type FetchLimits = { timeoutMs?: number; maxBytes?: number };

export async function fetchCertificateDocument(
  url: string,
  what: string,
  limits: FetchLimits = {},
): Promise<X509Certificate[]> {
  const timeoutMs = limits.timeoutMs ?? CERTIFICATE_FETCH_TIMEOUT_MS;
  const maxBytes = limits.maxBytes ?? MAX_CERTIFICATE_BYTES;
  const signal = AbortSignal.timeout(timeoutMs);
  let bytes: Buffer;
  try {
    const response = await fetch(url, { redirect: "manual", signal });
    if (response.status !== 200) {
      await response.body?.cancel();
      const redirect = response.status >= 300 && response.status < 400;
      throw new CertificateError(
        `the ${what} URL answered ${response.status}${redirect ? " (a redirect, not followed)" : ""}`,
      );
    }
    bytes = await readBoundedBytes(response, maxBytes, `the ${what}`);
  } catch (error) {
    if (error instanceof CertificateError) throw error;
    if (error instanceof ResponseTooLargeError) throw new CertificateError(error.message);
    if (signal.aborted) {
      throw new CertificateError(`the ${what} fetch took longer than ${timeoutMs} ms`);
    }
    throw new CertificateError(`the ${what} fetch failed: ${(error as Error).message}`);
  }
  return parseCertificateDocument(bytes);
}
