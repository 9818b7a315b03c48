/** A fake Partner Center with certificates made for the test, and the env that points at it. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type KeyPair, TestAuthority } from "../../local/fakes/partner-center/certificates.js";
import { FakePartnerCenter } from "../../local/fakes/partner-center/server.js";

export const PARTNER_ID = "5b6f1c2a-0d3e-4f5a-8b9c-1d2e3f4a5b6c";

export type PartnerCenterWorld = {
  fake: FakePartnerCenter;
  authority: TestAuthority;
  signer: KeyPair;
  /** The signing certificate's URL: the DER leaf alone, its issuer behind its AIA URL. */
  certificateUrl: string;
  issuing: KeyPair;
  trustedCaFile: string;
  env: Record<string, string>;
  stop: () => Promise<void>;
};

export async function startPartnerCenterWorld(): Promise<PartnerCenterWorld> {
  const authority = TestAuthority.create();
  const fake = await new FakePartnerCenter({ partnerId: PARTNER_ID }).start();
  const { signer, issuing, certificateUrl } = fake.microsoftShapedCertificate(authority);
  const trustedCaFile = authority.writeRoot();
  return {
    fake,
    authority,
    signer,
    certificateUrl,
    issuing,
    trustedCaFile,
    env: {
      PARTNER_CENTER_PARTNER_ID: PARTNER_ID,
      PARTNER_CENTER_PARTNER_COUNTRY: "GB",
      PARTNER_CENTER_API_URL: fake.url,
      PARTNER_CENTER_TOKEN_URL: fake.tokenUrl,
      PARTNER_CENTER_CLIENT_ID: fake.clientId,
      PARTNER_CENTER_CLIENT_SECRET: fake.clientSecret,
      PARTNER_CENTER_CERT_HOSTS: fake.host,
      PARTNER_CENTER_CA_ISSUER_HOSTS: fake.caIssuer.host,
      PARTNER_CENTER_TRUSTED_CA: trustedCaFile,
    },
    stop: async () => {
      await fake.stop();
      authority.dispose();
    },
  };
}

/** Writes a CSV of originals to a temporary file and returns its path. */
export function writeCsv(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "pc-csv-"));
  const file = join(dir, "originals.csv");
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

export const CSV_HEADER =
  "subscriptionId,offerId,offerName,quantity,commitmentEndDate,autoRenewEnabled,offerDiscontinued,termDuration";
