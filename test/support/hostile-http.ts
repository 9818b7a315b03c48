/**
 * Hostile HTTP requests for any route table: wrong and odd methods, path parameters that are
 * invalid or tricky percent-encodings, mutated literal segments and query strings, strange
 * headers, and bodies that are broken JSON, binary, deeply nested or over the size limit. Also
 * raw malformed HTTP/1.1 for the socket level. Generated from the route patterns, so a route
 * added to a table is fuzzed without changes here.
 */
import fc from "fast-check";

/** A route as a fuzzer sees it: a method and a pattern of literal and `:name` segments. */
export type RoutePattern = { method: string; pattern: string };

export type HttpProbe = {
  method: string;
  /** Path and query, sent as they are (no encoding by the client). */
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
};

const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"] as const;

export const hostileMethod: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...METHODS) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Z]{1,12}$/) },
  { weight: 1, arbitrary: fc.constantFrom("get", "M-SEARCH", "PROPFIND", "CONNECTX") },
);

/** One path segment: plausible ids, every kind of percent-encoding trouble, traversal, size. */
export const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[a-z0-9-]{1,36}$/),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: "binary", maxLength: 20 }).map(encodeURIComponent),
  fc.constantFrom(
    "%",
    "%Z",
    "%ZZ",
    "%E0%A4%A",
    "%C0%AF",
    "%FF",
    "%00",
    "%0A",
    "%0D%0A",
    "..",
    ".",
    "%2e%2e",
    "%2F",
    "..%2F..%2Fetc%2Fpasswd",
    "%25",
    "%%",
    "%u0041",
    "%2523",
    "a%20b",
    "%F0%9F%92%A9",
    "%3Cscript%3E",
    "'%20OR%201%3D1--",
    "TRANSFER%23x%23y",
    "__proto__",
    "constructor",
  ),
  fc.integer({ min: 300, max: 9_000 }).map((n) => "a".repeat(n)),
);

const hostileQuery: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constant("") },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.tuple(hostileSegment, hostileSegment), { maxLength: 4 })
      .map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}`),
  },
  { weight: 1, arbitrary: fc.constantFrom("?", "??", "?a=%ZZ", "?a&a&a", "?#frag", "?=&=") },
);

/** A path for the pattern: parameters replaced by hostile segments, sometimes mutated further. */
export function hostilePath(pattern: string): fc.Arbitrary<string> {
  const parts = pattern.split("/").slice(1);
  const filled = fc
    .tuple(...parts.map((part) => (part.startsWith(":") ? hostileSegment : fc.constant(part))))
    .map((segments) => `/${segments.join("/")}`);
  const mutated = fc
    .tuple(
      filled,
      fc.constantFrom(
        (p: string) => `${p}/`,
        (p: string) => `/${p}`,
        (p: string) => p.toUpperCase(),
        (p: string) => p.replaceAll("/", "//"),
        (p: string) => `${p}/extra`,
        (p: string) => p.slice(0, Math.max(1, p.lastIndexOf("/"))),
        (p: string) => `${p}%00`,
        (p: string) => p.replaceAll("/", "/%2e/"),
      ),
    )
    .map(([path, mutate]) => mutate(path));
  return fc
    .tuple(
      fc.oneof({ weight: 4, arbitrary: filled }, { weight: 1, arbitrary: mutated }),
      hostileQuery,
    )
    .map(([path, query]) => path + query);
}

/** A path no route table is likely to hold. */
export const randomPath: fc.Arbitrary<string> = fc
  .array(hostileSegment, { minLength: 0, maxLength: 5 })
  .map((segments) => `/${segments.join("/")}`);

const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,200}$/);

export const hostileHeaders: fc.Arbitrary<Record<string, string>> = fc
  .record(
    {
      "content-type": fc.constantFrom(
        "application/json",
        "application/json; charset=utf-16",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/x-amz-json-1.1",
        "application/x-amz-json-1.0",
        ";;;",
        "",
      ),
      authorization: fc.oneof(
        headerValue,
        fc.constantFrom(
          "Bearer ",
          "Bearer a.b.c",
          "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
          "Basic Og==",
          "Bearer ../../../",
        ),
      ),
      cookie: headerValue,
      accept: fc.constantFrom("*/*", "text/html", "application/json", "text/calendar", "x/y"),
      "x-forwarded-for": fc.constantFrom("127.0.0.1", "::1", "evil.example", "1.1.1.1, 2.2.2.2"),
      "if-none-match": headerValue,
      "x-fuzz": headerValue,
    },
    { requiredKeys: [] },
  )
  .map((headers) => ({ ...headers }));

/** JSON nested `depth` levels deep (arrays or objects). */
export const deepJson = (depth: number, kind: "array" | "object") =>
  kind === "array"
    ? `${"[".repeat(depth)}${"]".repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

export const hostileBody: fc.Arbitrary<string | Uint8Array | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 300 }) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 600 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "",
      "{",
      "null",
      "[]",
      '{"__proto__":{"polluted":true}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      "\uFEFF{}",
      "a=1&a=2&b[]=x",
      '--x\r\nContent-Disposition: form-data; name="f"\r\n\r\nv\r\n--x--',
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 500, max: 5_000 }), fc.constantFrom("array", "object"))
      .map(([depth, kind]) => deepJson(depth, kind as "array" | "object")),
  },
  // Over the 64 KiB default body limit, and over a megabyte.
  { weight: 1, arbitrary: fc.constantFrom(70 * 1024, 1_100_000).map((n) => "x".repeat(n)) },
);

/** A hostile request aimed at one route of the table (or, now and then, next to it). */
export function hostileRequestFor(route: RoutePattern): fc.Arbitrary<HttpProbe> {
  return fc.record({
    method: fc.oneof(
      { weight: 3, arbitrary: fc.constant(route.method) },
      { weight: 1, arbitrary: hostileMethod },
    ),
    path: hostilePath(route.pattern),
    headers: hostileHeaders,
    body: hostileBody,
  });
}

/** Hostile requests spread over a route table; with no routes, random paths only. */
export function hostileRequests(routes: readonly RoutePattern[]): fc.Arbitrary<HttpProbe> {
  const random = fc.record({
    method: hostileMethod,
    path: randomPath,
    headers: hostileHeaders,
    body: hostileBody,
  });
  if (routes.length === 0) return random;
  return fc.oneof(
    { weight: 5, arbitrary: fc.oneof(...routes.map(hostileRequestFor)) },
    { weight: 1, arbitrary: random },
  );
}

/** Malformed HTTP/1.1 as raw bytes: what a client library would never send. */
export const malformedHttp: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "GET\r\n\r\n",
    "GET / HTTP/9.9\r\n\r\n",
    "GET /%ZZ HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: x\r\nNoColonHeader\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nxx\r\n0\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nshort",
    "\u0000\u0001\u0002\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /\u00ff HTTP/1.1\r\nHost: x\r\n\r\n",
  ),
  fc
    .integer({ min: 9_000, max: 90_000 })
    .map((n) => `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(n)}\r\n\r\n`),
  fc.string({ unit: "binary", maxLength: 200 }).map((s) => `${s}\r\n\r\n`),
);
