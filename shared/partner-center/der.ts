/**
 * A small DER reader for the three certificate extensions node:crypto's X509Certificate does not
 * expose as data: basic constraints (cA and its path length), key usage (keyCertSign) and
 * Authority Information Access (the "CA Issuers" URLs). Only definite-length DER is read; anything
 * else is a DerError, so a malformed certificate is refused, never half-read.
 */

export class DerError extends Error {
  override readonly name = "DerError";
}

export type Tlv = { tag: number; start: number; contentStart: number; end: number };

/** Reads one tag-length-value at `offset` (single-byte tags, definite lengths up to 4 bytes). */
export function readTlv(bytes: Uint8Array, offset: number, limit = bytes.length): Tlv {
  if (offset + 2 > limit) throw new DerError("truncated DER");
  const tag = bytes[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError("multi-byte DER tags are not supported");
  let length = bytes[offset + 1] as number;
  let contentStart = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new DerError("unsupported DER length");
    if (contentStart + count > limit) throw new DerError("truncated DER");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[contentStart + i] as number);
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) throw new DerError("DER length runs past its container");
  return { tag, start: offset, contentStart, end };
}

/** The elements inside a constructed TLV. */
export function children(bytes: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let offset = parent.contentStart;
  while (offset < parent.end) {
    const child = readTlv(bytes, offset, parent.end);
    out.push(child);
    offset = child.end;
  }
  return out;
}

const content = (bytes: Uint8Array, tlv: Tlv) => bytes.subarray(tlv.contentStart, tlv.end);

const SEQUENCE = 0x30;
const BOOLEAN = 0x01;
const INTEGER = 0x02;
const OCTET_STRING = 0x04;
const BIT_STRING = 0x03;
const OID = 0x06;
/** [3] EXPLICIT: the extensions of a TBSCertificate. */
const EXTENSIONS = 0xa3;
/** GeneralName uniformResourceIdentifier, [6] IMPLICIT IA5String. */
const URI = 0x86;

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const OIDS = {
  basicConstraints: "551d13", // 2.5.29.19
  keyUsage: "551d0f", // 2.5.29.15
  authorityInfoAccess: "2b06010505070101", // 1.3.6.1.5.5.7.1.1
  caIssuers: "2b06010505073002", // 1.3.6.1.5.5.7.48.2
};

export type CertificateExtensions = {
  /** null when the certificate has no basic constraints extension. */
  basicConstraints: { ca: boolean; pathLength: number | null } | null;
  /** null when the certificate has no key usage extension. */
  keyUsage: { digitalSignature: boolean; keyCertSign: boolean } | null;
  /** The AIA "CA Issuers" URIs, in the certificate's order. */
  caIssuers: string[];
};

function expect(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (!tlv || tlv.tag !== tag) throw new DerError(`expected ${what}`);
  return tlv;
}

function integer(bytes: Uint8Array, tlv: Tlv): number {
  const value = content(bytes, tlv);
  if (value.length === 0 || value.length > 4 || ((value[0] as number) & 0x80) !== 0) {
    throw new DerError("path length is not a small non-negative INTEGER");
  }
  let n = 0;
  for (const b of value) n = n * 256 + b;
  return n;
}

function basicConstraints(
  bytes: Uint8Array,
  value: Tlv,
): CertificateExtensions["basicConstraints"] {
  const seq = expect(readTlv(bytes, value.contentStart, value.end), SEQUENCE, "a SEQUENCE");
  let ca = false;
  let pathLength: number | null = null;
  for (const item of children(bytes, seq)) {
    if (item.tag === BOOLEAN) ca = (content(bytes, item)[0] ?? 0) !== 0;
    else if (item.tag === INTEGER) pathLength = integer(bytes, item);
    else throw new DerError("unexpected element in basic constraints");
  }
  return { ca, pathLength };
}

function keyUsage(bytes: Uint8Array, value: Tlv): CertificateExtensions["keyUsage"] {
  const bits = content(
    bytes,
    expect(readTlv(bytes, value.contentStart, value.end), BIT_STRING, "a BIT STRING"),
  );
  // bits[0] is the count of unused bits; bit 0 (digitalSignature) is the first byte's MSB.
  const first = bits[1] ?? 0;
  return { digitalSignature: (first & 0x80) !== 0, keyCertSign: (first & 0x04) !== 0 };
}

function caIssuers(bytes: Uint8Array, value: Tlv): string[] {
  const seq = expect(readTlv(bytes, value.contentStart, value.end), SEQUENCE, "a SEQUENCE");
  const urls: string[] = [];
  for (const description of children(bytes, seq)) {
    const [method, location] = children(
      bytes,
      expect(description, SEQUENCE, "an AccessDescription"),
    );
    if (hex(content(bytes, expect(method, OID, "an OID"))) !== OIDS.caIssuers) continue;
    if (location?.tag === URI) urls.push(Buffer.from(content(bytes, location)).toString("latin1"));
  }
  return urls;
}

/** The extensions of a DER certificate (X509Certificate.raw). */
export function certificateExtensions(der: Uint8Array): CertificateExtensions {
  const certificate = expect(readTlv(der, 0), SEQUENCE, "a Certificate SEQUENCE");
  const tbs = expect(children(der, certificate)[0], SEQUENCE, "a TBSCertificate");
  const result: CertificateExtensions = { basicConstraints: null, keyUsage: null, caIssuers: [] };
  const wrapper = children(der, tbs).find((t) => t.tag === EXTENSIONS);
  if (!wrapper) return result;
  const list = expect(readTlv(der, wrapper.contentStart, wrapper.end), SEQUENCE, "Extensions");
  for (const extension of children(der, list)) {
    const parts = children(der, expect(extension, SEQUENCE, "an Extension"));
    const id = hex(content(der, expect(parts[0], OID, "an extension OID")));
    const value = expect(parts[parts.length - 1], OCTET_STRING, "an extension value");
    if (id === OIDS.basicConstraints) result.basicConstraints = basicConstraints(der, value);
    else if (id === OIDS.keyUsage) result.keyUsage = keyUsage(der, value);
    else if (id === OIDS.authorityInfoAccess) result.caIssuers = caIssuers(der, value);
  }
  return result;
}
