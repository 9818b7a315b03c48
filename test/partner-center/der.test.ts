/**
 * The DER reader of the three extensions node:crypto does not expose, on certificates openssl
 * makes here (path length, keyCertSign, AIA "CA Issuers"), and on broken input.
 */
import { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestAuthority } from "../../local/fakes/partner-center/certificates.js";
import { certificateExtensions, DerError, readTlv } from "../../shared/partner-center/der.js";

let authority: TestAuthority;
beforeAll(() => {
  authority = TestAuthority.create();
}, 60_000);
afterAll(() => authority?.dispose());

const extensionsOf = (der: Buffer) => certificateExtensions(new X509Certificate(der).raw);

describe("certificateExtensions", () => {
  it("reads a CA's path length and keyCertSign, and a leaf's CA Issuers URL", () => {
    const ca = authority.issue({ ca: true, pathLength: 0, commonName: "Issuing CA" });
    expect(extensionsOf(ca.certDer)).toEqual({
      basicConstraints: { ca: true, pathLength: 0 },
      keyUsage: { digitalSignature: false, keyCertSign: true },
      caIssuers: [],
    });
    const url = "http://www.microsoft.com/pkiops/certs/Issuing%20CA%2004%20-%20xsign.crt";
    const leaf = authority.issue({ caIssuersUrl: url }, ca);
    expect(extensionsOf(leaf.certDer)).toEqual({
      basicConstraints: { ca: false, pathLength: null },
      keyUsage: { digitalSignature: true, keyCertSign: false },
      caIssuers: [url],
    });
  });

  it("reads a CA without a path length, and one without keyCertSign", () => {
    const open = authority.issue({ ca: true, commonName: "Open CA" });
    expect(extensionsOf(open.certDer).basicConstraints).toEqual({ ca: true, pathLength: null });
    const crlOnly = authority.issue({ ca: true, caKeyUsage: "cRLSign", commonName: "CRL CA" });
    expect(extensionsOf(crlOnly.certDer).keyUsage?.keyCertSign).toBe(false);
    expect(
      extensionsOf(authority.issue({ ca: true, pathLength: 3 }).certDer).basicConstraints,
    ).toEqual({ ca: true, pathLength: 3 });
  });

  it("agrees with node:crypto's own reading of cA", () => {
    for (const der of [authority.root.certDer, authority.issue().certDer]) {
      expect(extensionsOf(der).basicConstraints?.ca).toBe(new X509Certificate(der).ca);
    }
  });

  it("refuses truncated or overlong DER instead of reading past it", () => {
    const der = authority.issue().certDer;
    expect(() => certificateExtensions(der.subarray(0, der.length - 40))).toThrow(DerError);
    expect(() => readTlv(Uint8Array.from([0x30, 0x85, 1, 1, 1, 1, 1]), 0)).toThrow(DerError);
    expect(() => readTlv(Uint8Array.from([0x30, 0x05, 1]), 0)).toThrow(/past/);
    expect(() => certificateExtensions(Uint8Array.from([0x02, 0x01, 0x00]))).toThrow(DerError);
  });
});
