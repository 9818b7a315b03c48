/**
 * Where the receiver gets signing certificates (SPEC section 9, steps 2 and 3): only from an
 * allowed host, over https (http for loopback hosts only, and only when the runtime allows it:
 * locally), with a 5 s timeout, at most 16 KiB, no redirects followed, and a cache per URL so
 * a burst of notifications fetches the certificate once.
 */
import type { X509Certificate } from "node:crypto";
import { CertificateError, parseCertificateDocument } from "./certificates.js";

export const CERTIFICATE_FETCH_TIMEOUT_MS = 5_000;
export const MAX_CERTIFICATE_BYTES = 16 * 1024;
/** Cached certificates are fetched again after an hour, so a renewed certificate is picked up. */
const CACHE_TTL_MS = 60 * 60 * 1000;
/** Distinct certificate URLs kept; Partner Center uses one at a time. */
const CACHE_ENTRIES = 16;

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

export type FetchedCertificate = { chain: X509Certificate[]; fetchedAt: number };

export type CertificateSourceOptions = {
  timeoutMs?: number;
  maxBytes?: number;
  now?: () => number;
};

/** Fetches and caches certificate documents by URL (the URL must already have been allowed). */
export class CertificateSource {
  private readonly cache = new Map<string, Promise<FetchedCertificate>>();
  /** Network fetches made (cache misses), for the tests and the benchmark. */
  fetches = 0;

  constructor(private readonly options: CertificateSourceOptions = {}) {}

  get(url: string): Promise<FetchedCertificate> {
    const now = this.options.now?.() ?? Date.now();
    const cached = this.cache.get(url);
    if (cached)
      return cached.then((entry) =>
        now - entry.fetchedAt < CACHE_TTL_MS ? entry : this.refresh(url),
      );
    return this.refresh(url);
  }

  private refresh(url: string): Promise<FetchedCertificate> {
    const pending = this.fetch(url);
    this.cache.delete(url);
    this.cache.set(url, pending);
    while (this.cache.size > CACHE_ENTRIES) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
    // A failed fetch is not cached: the next notification tries again.
    pending.catch(() => {
      if (this.cache.get(url) === pending) this.cache.delete(url);
    });
    return pending;
  }

  private async fetch(url: string): Promise<FetchedCertificate> {
    this.fetches++;
    const timeoutMs = this.options.timeoutMs ?? CERTIFICATE_FETCH_TIMEOUT_MS;
    const maxBytes = this.options.maxBytes ?? MAX_CERTIFICATE_BYTES;
    const signal = AbortSignal.timeout(timeoutMs);
    let bytes: Buffer;
    try {
      const response = await fetch(url, { redirect: "manual", signal });
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new CertificateError(`the certificate URL answered ${response.status}`);
      }
      bytes = await readCapped(response, maxBytes);
    } catch (error) {
      if (error instanceof CertificateError) throw error;
      if (signal.aborted) {
        throw new CertificateError(`the certificate fetch took longer than ${timeoutMs} ms`);
      }
      throw new CertificateError(`the certificate fetch failed: ${(error as Error).message}`);
    }
    return {
      chain: parseCertificateDocument(bytes),
      fetchedAt: this.options.now?.() ?? Date.now(),
    };
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new CertificateError(`the certificate is larger than ${maxBytes} bytes`);
  }
  const reader = response.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new CertificateError(`the certificate is larger than ${maxBytes} bytes`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}
