/**
 * The local SES: aws-ses-v2-local (SES v1/v2 API, sent mail at `GET /store`, a mail page at `/`)
 * behind a small guard on SES_PORT. The library runs in this process on an internal loopback
 * port; the guard answers the requests the library mishandles itself (an unknown `messageId`
 * makes it answer twice and reject unhandled, which would end the whole runtime), bounds bodies
 * and waiting, answers only loopback Hosts and its own origin (local/loopback-guard.ts: a page's
 * cross-site form post to `/clear-store` empties nothing), and turns any failure of the library
 * into an HTTP error answer. With a data
 * folder, sent mail is kept in `sent-mail.json` there, so it survives a restart.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import {
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { refuseForeign } from "./loopback-guard.js";

export type LocalSes = {
  endpoint: string;
  /** The library's own port, behind the guard (exposed for tests of the containment). */
  internalPort: number;
  stop: () => Promise<void>;
};

export type LocalSesOptions = {
  port: number;
  /** Folder to keep sent mail in across restarts; null keeps it in memory only. */
  dataDir: string | null;
  log?: (line: string) => void;
};

/** The library's own request limit. */
const MAX_BODY_BYTES = 25 * 1024 * 1024;
/** The library leaves some requests unanswered (e.g. `POST /` with an unknown Action). */
const UPSTREAM_TIMEOUT_MS = 15_000;
const SES_V1_ACTIONS = new Set(["SendEmail", "SendRawEmail"]);
/** Stack frames of the library and the packages it drives, for the last-resort containment. */
const LIBRARY_FRAME =
  /node_modules[\\/](aws-ses-v2-local|express|mailparser|nodemailer|router)[\\/]/;

type StoredEmail = { messageId: string } & Record<string, unknown>;
type StoreModule = {
  getStoreReadonly: () => { emails: StoredEmail[] };
  saveEmail: (email: StoredEmail) => void;
  clearStore: () => void;
};
type Factory = (config: { host: string; port: number }) => Promise<Server>;

const require = createRequire(import.meta.url);

/** Where the running local SES keeps mail; the store module is one per process. */
let mailFile: string | null = null;
let storeModule: StoreModule | undefined;

function libraryStore(): StoreModule {
  if (storeModule) return storeModule;
  const store = require("aws-ses-v2-local/dist/store.js") as StoreModule;
  // The library calls these through the module's exports, so wrapping them sees every change.
  const { saveEmail, clearStore } = store;
  store.saveEmail = (email) => {
    saveEmail(email);
    persist(store);
  };
  store.clearStore = () => {
    clearStore();
    persist(store);
  };
  storeModule = store;
  return store;
}

function persist(store: StoreModule): void {
  if (!mailFile) return;
  const temporary = `${mailFile}.tmp`;
  writeFileSync(temporary, JSON.stringify(store.getStoreReadonly().emails));
  renameSync(temporary, mailFile);
}

function restore(store: StoreModule, file: string, log: (line: string) => void): void {
  const emails = store.getStoreReadonly().emails;
  if (!existsSync(file)) {
    emails.splice(0, emails.length);
    return;
  }
  try {
    const saved = JSON.parse(readFileSync(file, "utf8")) as unknown;
    if (!Array.isArray(saved)) throw new Error("not a list of emails");
    emails.splice(0, emails.length, ...(saved as StoredEmail[]));
  } catch (error) {
    log(`local SES: ignoring unreadable ${file}: ${(error as Error).message}`);
    emails.splice(0, emails.length);
  }
}

/**
 * Last resort: a rejection left unhandled inside the library is logged instead of ending the
 * runtime. Anything else still ends the process as Node does by default.
 */
function containLibraryRejections(log: (line: string) => void): () => void {
  const onRejection = (reason: unknown) => {
    const stack = reason instanceof Error ? (reason.stack ?? "") : "";
    if (!LIBRARY_FRAME.test(stack)) throw reason;
    log(`local SES: contained an internal error: ${(reason as Error).message}`);
  };
  process.on("unhandledRejection", onRejection);
  return () => process.off("unhandledRejection", onRejection);
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on("end", () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : null));
    req.on("error", reject);
  });
}

/** The refusal the guard answers itself, or null when the library can take the request. */
function refusal(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  store: StoreModule,
): { status: number; message: string } | null {
  if (req.method === "GET" && url.pathname === "/get-emlContent") {
    const ids = url.searchParams.getAll("messageId");
    const id = ids[0];
    if (ids.length !== 1 || !id) return { status: 400, message: "messageId is required, once" };
    if (!store.getStoreReadonly().emails.some((e) => e.messageId === id)) {
      return { status: 404, message: `no email with messageId "${id}" in the store` };
    }
  }
  if (req.method === "GET" && url.pathname === "/store" && url.searchParams.has("since")) {
    const since = url.searchParams.getAll("since");
    if (since.length !== 1 || !/^\d+$/.test(since[0] ?? "")) {
      return { status: 400, message: "since must be one epoch timestamp in seconds" };
    }
  }
  if (req.method === "POST" && url.pathname === "/") {
    const action = new URLSearchParams(body.toString("utf8")).get("Action");
    if (!action || !SES_V1_ACTIONS.has(action)) {
      return { status: 400, message: `unsupported action "${action ?? ""}"` };
    }
  }
  return null;
}

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  port: number,
): Promise<void> {
  return new Promise((resolve) => {
    const upstream = request(
      {
        host: "127.0.0.1",
        port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, "content-length": String(body.length) },
        timeout: UPSTREAM_TIMEOUT_MS,
      },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
        response.on("end", () => resolve());
        response.on("error", () => {
          res.destroy();
          resolve();
        });
      },
    );
    upstream.on("timeout", () => upstream.destroy(new Error("no answer in time")));
    upstream.on("error", (error) => {
      answer(res, 502, { message: `local SES failed: ${error.message}` });
      resolve();
    });
    upstream.end(body);
  });
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`port ${port} is already in use (local SES); set SES_PORT to another port`)
          : error,
      ),
    );
    server.listen(port, "127.0.0.1", () => resolve());
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startLocalSes(options: LocalSesOptions): Promise<LocalSes> {
  const log = options.log ?? (() => {});
  const store = libraryStore();
  if (options.dataDir) {
    mailFile = join(options.dataDir, "sent-mail.json");
    restore(store, mailFile, log);
  } else {
    mailFile = null;
  }
  const mod = require("aws-ses-v2-local") as { default: Factory & { default?: Factory } };
  const factory = mod.default.default ?? mod.default;
  const library = await factory({ host: "127.0.0.1", port: 0 });
  const internalPort = (library.address() as AddressInfo).port;
  const release = containLibraryRejections(log);

  const guard = createServer((req, res) => {
    // Before the body is read: a foreign Host or Origin reaches neither the store nor the library.
    const port = (guard.address() as AddressInfo | null)?.port ?? options.port;
    if (refuseForeign(req, res, { port })) return;
    const handle = async () => {
      const body = await readBody(req);
      if (body === null) {
        return answer(res, 413, { message: `request body over ${MAX_BODY_BYTES} bytes` });
      }
      const url = parsedUrl(req.url);
      if (url === null) return answer(res, 400, { message: "the request path is not a URL" });
      const refused = refusal(req, url, body, store);
      if (refused) return answer(res, refused.status, { message: refused.message });
      await forward(req, res, body, internalPort);
    };
    handle().catch((error: unknown) =>
      answer(res, 500, { message: `local SES failed: ${(error as Error).message}` }),
    );
  });
  try {
    await listen(guard, options.port);
  } catch (error) {
    release();
    await close(library);
    throw error;
  }
  return {
    endpoint: `http://127.0.0.1:${options.port}`,
    internalPort,
    stop: async () => {
      await close(guard);
      await close(library);
      release();
    },
  };
}

/** The request's URL, or null for a path that is not one (`//`, `//?x`: an empty host). */
function parsedUrl(path: string | undefined): URL | null {
  try {
    return new URL(path ?? "/", "http://127.0.0.1");
  } catch {
    return null;
  }
}
