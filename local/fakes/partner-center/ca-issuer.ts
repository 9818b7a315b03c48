/**
 * A fake CA-issuer host (Microsoft's PKI repository, `http://www.microsoft.com/pkiops/certs/...`,
 * or DigiCert's `cacerts.digicert.com`): serves issuing CA certificates as DER at the URLs
 * certificates name in their Authority Information Access "CA Issuers" extension. It can also
 * misbehave as the receiver must survive: answer a redirect, stream an endless body, or hang.
 * Every request is counted per path, so a test can see what was (not) fetched.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { LoopbackServer } from "../loopback-server.js";

type Behaviour =
  | { kind: "serve"; body: Buffer }
  | { kind: "redirect"; location: string }
  | { kind: "endless" }
  | { kind: "hang" };

export class FakeCaIssuer {
  private readonly paths = new Map<string, Behaviour>();
  private readonly http = new LoopbackServer((req, res) => this.answer(req, res));
  /** Requests by path (as requested, percent-encoded). */
  readonly hits = new Map<string, number>();

  get url(): string {
    return this.http.url;
  }

  async start(port = 0): Promise<this> {
    await this.http.start(port);
    return this;
  }

  stop(): Promise<void> {
    return this.http.stop();
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
    const behaviour = this.paths.get(path);
    if (!behaviour) {
      res.writeHead(404).end();
      return;
    }
    if (behaviour.kind === "hang") return;
    if (behaviour.kind === "redirect") {
      res.writeHead(302, { location: behaviour.location }).end();
      return;
    }
    if (behaviour.kind === "serve") {
      res.writeHead(200, {
        "content-type": "application/pkix-cert",
        "content-length": behaviour.body.length,
      });
      res.end(behaviour.body);
      return;
    }
    // Endless: 64 KiB chunks, no Content-Length, until the client goes away.
    res.writeHead(200, { "content-type": "application/pkix-cert" });
    const chunk = Buffer.alloc(64 * 1024, 0x30);
    const pump = () => {
      while (!res.destroyed && res.write(chunk)) {}
      if (!res.destroyed) res.once("drain", pump);
    };
    res.on("close", () => res.removeAllListeners("drain"));
    pump();
  }

  /** The `host:port` to allow as a CA-issuer host (PARTNER_CENTER_CA_ISSUER_HOSTS). */
  get host(): string {
    return this.http.host;
  }

  /** The URL a certificate put under `name` has (known before it is put: for AIA loops). */
  urlFor(name: string): string {
    return `${this.url}/pkiops/certs/${encodeURIComponent(name)}`;
  }

  private at(name: string, behaviour: Behaviour): string {
    const url = this.urlFor(name);
    this.paths.set(new URL(url).pathname, behaviour);
    return url;
  }

  /** Serves a certificate (DER) under `name`; returns its URL. */
  put(name: string, der: Buffer): string {
    return this.at(name, { kind: "serve", body: der });
  }

  redirect(name: string, location: string): string {
    return this.at(name, { kind: "redirect", location });
  }

  endless(name: string): string {
    return this.at(name, { kind: "endless" });
  }

  hang(name: string): string {
    return this.at(name, { kind: "hang" });
  }

  /** Requests made for the URL `url` of this host. */
  hitsOf(url: string): number {
    return this.hits.get(new URL(url).pathname) ?? 0;
  }

  get totalHits(): number {
    return [...this.hits.values()].reduce((a, b) => a + b, 0);
  }
}
