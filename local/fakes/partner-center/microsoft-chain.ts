/**
 * A signing certificate shaped like Microsoft's (SPEC section 9, step 3): Partner Center's
 * `x-ms-certificate-url` (`https://3psostorageacct.blob.core.windows.net/cert/pcnotifications-dispatch.microsoft.com.cer`)
 * serves one DER certificate, subject O=Microsoft Corporation, issued not by a root but by an
 * issuing CA (Microsoft Azure RSA TLS Issuing CA 03/04/07/08, cross-signed by DigiCert Global
 * Root G2) that the document does not carry; the leaf names that CA's certificate in its
 * Authority Information Access "CA Issuers" URL, an http URL on Microsoft's PKI repository
 * (`http://www.microsoft.com/pkiops/certs/Microsoft%20Azure%20RSA%20TLS%20Issuing%20CA%2004%20-%20xsign.crt`).
 * Here: the test root stands for DigiCert Global Root G2, the issuing CA (path length 0,
 * keyCertSign) is served by the fake CA-issuer host, and the leaf carries the AIA URL.
 */
import type { FakeCaIssuer } from "./ca-issuer.js";
import { type KeyPair, MICROSOFT, type TestAuthority } from "./certificates.js";

export const ISSUING_CA_NAME = "Fake Azure RSA TLS Issuing CA 04";
export const SIGNER_NAME = "pcnotifications-dispatch.microsoft.com";

export type MicrosoftShapedChain = {
  /** The issuing CA (served only by the CA-issuer host). */
  issuing: KeyPair;
  /** The signing certificate; serve `signer.certDer` alone at the certificate URL. */
  signer: KeyPair;
  /** The CA Issuers URL the signing certificate names. */
  issuerUrl: string;
};

export function microsoftShapedChain(
  authority: TestAuthority,
  caIssuer: FakeCaIssuer,
  options: { commonName?: string } = {},
): MicrosoftShapedChain {
  const issuing = authority.issue({
    ca: true,
    pathLength: 0,
    organisation: MICROSOFT,
    commonName: ISSUING_CA_NAME,
  });
  const issuerUrl = caIssuer.put(`${ISSUING_CA_NAME} - xsign.crt`, issuing.certDer);
  const signer = authority.issue(
    { commonName: options.commonName ?? SIGNER_NAME, caIssuersUrl: issuerUrl },
    issuing,
  );
  return { issuing, signer, issuerUrl };
}
