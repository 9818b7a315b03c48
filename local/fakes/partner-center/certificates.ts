/**
 * Certificates for the fake Partner Center, the tests and the demo, made with the `openssl`
 * command line (OpenSSL 3): a private root CA, signing certificates issued by it with any subject
 * and validity window, and self-signed ones. Nothing here is trusted anywhere but where a test or
 * the demo points PARTNER_CENTER_TRUSTED_CA at the root.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type KeyPair = { certPem: string; certDer: Buffer; keyPem: string };

export type IssueOptions = {
  organisation?: string;
  commonName?: string;
  /** Validity window; default: from an hour ago for a year. */
  notBefore?: Date;
  notAfter?: Date;
  /** Issue an intermediate CA instead of a signing certificate. */
  ca?: boolean;
  /** The CA's basic constraints path length (CAs only; default: none). */
  pathLength?: number;
  /** Key usage of a CA; default `keyCertSign,cRLSign` (a CA without keyCertSign cannot issue). */
  caKeyUsage?: string;
  /** The Authority Information Access "CA Issuers" URL: where the issuer can be fetched. */
  caIssuersUrl?: string;
  /** Reuse this private key (PEM) instead of making a new one. */
  keyPem?: string;
};

export const MICROSOFT = "Microsoft Corporation";

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** openssl ca's date format: YYYYMMDDHHMMSSZ. */
const stamp = (date: Date) => `${date.toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z`;

const subject = (o: string, cn: string) =>
  `/C=US/O=${o.replace(/[/=]/g, " ")}/CN=${cn.replace(/[/=]/g, " ")}`;

function read(dir: string, cert: string, key: string): KeyPair {
  const certPem = readFileSync(join(dir, cert), "utf8");
  openssl(["x509", "-in", cert, "-outform", "DER", "-out", `${cert}.der`], dir);
  return {
    certPem,
    certDer: readFileSync(join(dir, `${cert}.der`)),
    keyPem: readFileSync(join(dir, key), "utf8"),
  };
}

const CA_CONFIG = `[ca]
default_ca = local_ca
[local_ca]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
countryName = optional
organizationName = optional
commonName = supplied
`;

/** The extension section of one issuance (openssl -extfile). */
function extensions(options: IssueOptions): string {
  const lines = options.ca
    ? [
        `basicConstraints = critical,CA:TRUE${options.pathLength === undefined ? "" : `,pathlen:${options.pathLength}`}`,
        `keyUsage = critical,${options.caKeyUsage ?? "keyCertSign,cRLSign"}`,
      ]
    : ["basicConstraints = critical,CA:FALSE", "keyUsage = critical,digitalSignature"];
  lines.push("subjectKeyIdentifier = hash", "authorityKeyIdentifier = keyid");
  if (options.caIssuersUrl)
    lines.push(`authorityInfoAccess = caIssuers;URI:${options.caIssuersUrl}`);
  return `[ext]\n${lines.join("\n")}\n`;
}

/** A certificate authority kept in a temporary folder; `dispose()` removes it. */
export class TestAuthority {
  readonly root: KeyPair;
  private readonly dir: string;
  private issued = 0;

  private constructor(dir: string, root: KeyPair) {
    this.dir = dir;
    this.root = root;
  }

  static create(name = "Fake Partner Center Root"): TestAuthority {
    const dir = mkdtempSync(join(tmpdir(), "pc-ca-"));
    writeFileSync(join(dir, "ca.cnf"), CA_CONFIG);
    writeFileSync(join(dir, "index.txt"), "");
    writeFileSync(join(dir, "serial"), "1000\n");
    openssl(
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "3650",
        "-subj",
        subject("Fake Root Authority", name),
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
      ],
      dir,
    );
    return new TestAuthority(dir, read(dir, "ca.pem", "ca.key"));
  }

  /** A certificate issued by this root (or by `issuer`, an intermediate issued by it). */
  issue(options: IssueOptions = {}, issuer?: KeyPair): KeyPair {
    const n = ++this.issued;
    const notBefore = options.notBefore ?? new Date(Date.now() - 3_600_000);
    const notAfter = options.notAfter ?? new Date(Date.now() + 365 * 86_400_000);
    const [issuerCert, issuerKey] = issuer
      ? (() => {
          writeFileSync(join(this.dir, `issuer${n}.pem`), issuer.certPem);
          writeFileSync(join(this.dir, `issuer${n}.key`), issuer.keyPem);
          return [`issuer${n}.pem`, `issuer${n}.key`];
        })()
      : ["ca.pem", "ca.key"];
    if (options.keyPem) writeFileSync(join(this.dir, `c${n}.key`), options.keyPem);
    writeFileSync(join(this.dir, `c${n}.ext`), extensions(options));
    openssl(
      [
        "req",
        "-new",
        ...(options.keyPem
          ? ["-key", `c${n}.key`]
          : ["-newkey", "rsa:2048", "-nodes", "-keyout", `c${n}.key`]),
        "-out",
        `c${n}.csr`,
        "-subj",
        subject(
          options.organisation ?? MICROSOFT,
          options.commonName ?? "pcnotifications.microsoft.com",
        ),
      ],
      this.dir,
    );
    openssl(
      [
        "ca",
        "-batch",
        "-config",
        "ca.cnf",
        "-cert",
        issuerCert,
        "-keyfile",
        issuerKey,
        "-in",
        `c${n}.csr`,
        "-out",
        `c${n}.pem`,
        "-notext",
        "-preserveDN",
        "-extfile",
        `c${n}.ext`,
        "-extensions",
        "ext",
        "-startdate",
        stamp(notBefore),
        "-enddate",
        stamp(notAfter),
      ],
      this.dir,
    );
    return read(this.dir, `c${n}.pem`, `c${n}.key`);
  }

  /** A self-signed signing certificate, outside any trusted root. */
  selfSigned(organisation = MICROSOFT): KeyPair {
    const n = ++this.issued;
    openssl(
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        `s${n}.key`,
        "-out",
        `s${n}.pem`,
        "-days",
        "365",
        "-subj",
        subject(organisation, "pcnotifications.microsoft.com"),
      ],
      this.dir,
    );
    return read(this.dir, `s${n}.pem`, `s${n}.key`);
  }

  /** Writes the root to a PEM file (for PARTNER_CENTER_TRUSTED_CA) and returns its path. */
  writeRoot(path = join(this.dir, "trusted-root.pem")): string {
    writeFileSync(path, this.root.certPem);
    return path;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
