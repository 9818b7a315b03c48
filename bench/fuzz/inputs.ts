/**
 * The fuzz run's inputs, all generated up front from one seed (so a run can be replayed): hostile
 * PutEvents calls, hostile envelopes for each handler called directly, hostile HTTP for every
 * server of the runtime (the events endpoint with its SQS subset and /_local paths, the local
 * SES, and each route registered on the web server), raw malformed HTTP, and a few valid events
 * mixed in, whose effect the oracle predicts.
 */
import fc from "fast-check";
import {
  DETAIL_TYPES,
  SOURCES,
  UPSTREAM_DETAIL_TYPES,
  type UpstreamDetailType,
} from "../../shared/events/index.js";
import { FUNCTIONS, type FunctionId } from "../../shared/functions.js";
import {
  accepted,
  ended,
  invitationSent,
  original,
  provisioned,
  type RawEnvelope,
  type TransferKey,
  tenantObserved,
  updated,
} from "../../test/support/events.js";
import {
  eventMutation,
  hostileEventCorpus,
  mutatedEvent,
} from "../../test/support/hostile-events.js";
import {
  deepJson,
  type HttpProbe,
  hostileBody,
  hostileHeaders,
  hostileRequests,
  malformedHttp,
  type RoutePattern,
} from "../../test/support/hostile-http.js";
import { hostileBatch } from "../../test/support/hostile-put-events.js";

export type Server = "events" | "ses" | "web";

export type FuzzInput =
  /** A PutEvents call, its JSON body as sent (anything, for the hostile ones). */
  | { target: "putEvents"; body: unknown }
  | { target: "handler"; functionId: FunctionId; event: unknown }
  | { target: "http"; server: Server; probe: HttpProbe }
  | { target: "raw"; server: Server; bytes: string };

/** Share of the inputs per target group. */
const SHARES = { putEvents: 0.3, handlers: 0.3, events: 0.14, ses: 0.12, web: 0.14 } as const;
export type TargetGroup = keyof typeof SHARES;

export const groupOf = (input: FuzzInput): TargetGroup =>
  input.target === "putEvents"
    ? "putEvents"
    : input.target === "handler"
      ? "handlers"
      : input.server;

/** The local SES's routes (aws-ses-v2-local), for the generic HTTP fuzzer. */
export const SES_ROUTES: RoutePattern[] = [
  { method: "GET", pattern: "/" },
  { method: "GET", pattern: "/store" },
  { method: "GET", pattern: "/get-emlContent" },
  { method: "GET", pattern: "/health-check" },
  { method: "POST", pattern: "/" },
  { method: "POST", pattern: "/clear-store" },
  { method: "POST", pattern: "/v2/email/outbound-emails" },
  { method: "POST", pattern: "/v2/email/outbound-bulk-emails" },
  { method: "GET", pattern: "/v2/email/account" },
  { method: "GET", pattern: "/v2/email/templates" },
  { method: "POST", pattern: "/v2/email/templates" },
  { method: "GET", pattern: "/v2/email/templates/:TemplateName" },
  { method: "PUT", pattern: "/v2/email/templates/:TemplateName" },
  { method: "DELETE", pattern: "/v2/email/templates/:TemplateName" },
  { method: "POST", pattern: "/v2/email/templates/:TemplateName/render" },
];

/** The events endpoint's plain paths (its AWS operations are fuzzed by x-amz-target). */
const EVENTS_ROUTES: RoutePattern[] = [
  { method: "POST", pattern: "/_local/drain" },
  { method: "GET", pattern: "/_local/stats" },
  { method: "POST", pattern: "/_local/:anything" },
  { method: "POST", pattern: "/000000000000/local-dead-letters" },
];

const TARGETS = [
  "AWSEvents.PutEvents",
  "AmazonSQS.ReceiveMessage",
  "AmazonSQS.DeleteMessage",
  "AmazonSQS.ChangeMessageVisibility",
  "AmazonSQS.SendMessage",
  "AmazonSQS.PurgeQueue",
  "AmazonSQS.",
  "AWSEvents.ListRules",
  "AWSEvents.PutEvents ",
  "awsevents.putevents",
];

const oddNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom("10", "NaN", "-1", "1e309", "", null, true, [], {}),
);

/** SQS-shaped bodies: the local queue's URL or others, odd receipt handles and numbers. */
const sqsBody = fc.record(
  {
    QueueUrl: fc.oneof(
      fc.constant("http://127.0.0.1/000000000000/local-dead-letters"),
      fc.constant("/000000000000/local-dead-letters"),
      fc.string({ maxLength: 80 }),
      fc.anything({ maxDepth: 1 }),
    ),
    ReceiptHandle: fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.constantFrom("|", "x|1", "|||", "00000000-0000-0000-0000-000000000000:invitationSent|1"),
      fc.anything({ maxDepth: 1 }),
    ),
    MaxNumberOfMessages: oddNumber,
    VisibilityTimeout: oddNumber,
    WaitTimeSeconds: oddNumber,
    MessageBody: fc.string({ maxLength: 100 }),
  },
  { requiredKeys: [] },
);

/** Entries that are not even strings where strings belong, odd Time and Resources. */
const rawEntry = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.record(
    {
      Source: fc.oneof(fc.constant("csp.transfers"), fc.anything({ maxDepth: 1 })),
      DetailType: fc.oneof(
        fc.constantFrom<string>(...UPSTREAM_DETAIL_TYPES),
        fc.anything({ maxDepth: 1 }),
      ),
      Detail: fc.oneof(
        fc.anything({ maxDepth: 2 }),
        fc.constant(deepJson(2_000, "object")),
        fc.constant(`{"x":"${"y".repeat(1_100_000)}"}`),
      ),
      Time: oddNumber,
      Resources: fc.anything({ maxDepth: 1 }),
      EventBusName: fc.anything({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  ),
);

const DATES = [
  "2026-01-05T09:00:00Z",
  "2026-01-06T10:00:00Z",
  "2026-02-01T12:00:00Z",
  "2026-03-01T08:00:00Z",
  "2026-06-30T00:00:00Z",
] as const;

/** A valid upstream event about `key`, of `type` (random when omitted). */
function validEvent(key: TransferKey, type?: UpstreamDetailType): fc.Arbitrary<RawEnvelope> {
  const sub = fc.constantFrom("o-1", "o-2", "o-3");
  const at = fc.constantFrom(...DATES);
  const builders: Record<UpstreamDetailType, fc.Arbitrary<RawEnvelope>> = {
    [DETAIL_TYPES.invitationSent]: fc.tuple(at, fc.integer({ min: 1, max: 3 }), fc.boolean()).map(
      ([sentAt, count, renew]) =>
        invitationSent({
          ...key,
          sentAt,
          subscriptions: Array.from({ length: count }, (_, i) =>
            original({ subscriptionId: `o-${i + 1}`, autoRenewEnabled: renew && i === 0 }),
          ),
        }) as RawEnvelope,
    ),
    [DETAIL_TYPES.invitationAccepted]: at.map(
      (acceptedAt) => accepted({ ...key, acceptedAt }) as RawEnvelope,
    ),
    [DETAIL_TYPES.subscriptionProvisioned]: fc
      .tuple(fc.constantFrom("n-1", "n-2", "n-3"), at, fc.constantFrom(10, 11))
      .map(
        ([subscriptionId, provisionedAt, quantity]) =>
          provisioned({ ...key, subscriptionId, provisionedAt, quantity }) as RawEnvelope,
      ),
    [DETAIL_TYPES.originalSubscriptionUpdated]: fc
      .tuple(sub, at, fc.boolean())
      .map(
        ([subscriptionId, updatedAt, autoRenewEnabled]) =>
          updated({ ...key, subscriptionId, updatedAt, autoRenewEnabled }) as RawEnvelope,
      ),
    [DETAIL_TYPES.originalSubscriptionEnded]: fc
      .tuple(sub, at)
      .map(
        ([subscriptionId, endedAt]) =>
          ended({ ...key, subscriptionId, endedAt, reason: "expired" }) as RawEnvelope,
      ),
    [DETAIL_TYPES.tenantObserved]: fc.tuple(sub, at, fc.constantFrom(10, 11)).map(
      ([subscriptionId, observedAt, totalLicenses]) =>
        tenantObserved({
          ...key,
          observedAt,
          originals: [
            {
              subscriptionId,
              status: "Enabled",
              skuId: "sku-1",
              totalLicenses,
              nextLifecycleDateTime: "2026-06-30T00:00:00Z",
            },
          ],
        }) as RawEnvelope,
    ),
  };
  return type ? builders[type] : fc.oneof(...Object.values(builders));
}

/** What an upstream system puts for an envelope (with its Time, in epoch seconds). */
export function entryFor(raw: RawEnvelope<unknown>) {
  return {
    Source: raw.source,
    DetailType: raw["detail-type"],
    Detail: JSON.stringify(raw.detail),
    Time: Date.parse(raw.time) / 1000,
  };
}

export type Plan = {
  inputs: FuzzInput[];
  /** Valid events put before the run, so hostile inputs meet existing transfers. */
  seedEvents: RawEnvelope[];
};

export function fuzzPlan(options: {
  count: number;
  seed: number;
  webRoutes: readonly RoutePattern[];
  /** Functions triggered by events, called directly with hostile envelopes. */
  handlers: readonly FunctionId[];
}): Plan {
  const { count, seed } = options;
  const seeded = Array.from({ length: 8 }, (_, i) => transferKey(seed, i));
  const keys = [...seeded, ...Array.from({ length: 24 }, (_, i) => transferKey(seed, 100 + i))];
  const key = fc.constantFrom(...keys);
  const corpora = keys.map(hostileEventCorpus);
  const corpusCase = fc
    .tuple(fc.nat({ max: keys.length - 1 }), fc.nat({ max: 1_000 }))
    .map(([k, i]) => {
      const corpus = corpora[k] ?? [];
      return corpus[i % corpus.length]?.raw;
    });

  // PutEvents: the shared hostile batches, mutated upstream events, raw JSON oddities, and
  // valid events of the key pool mixed with hostile entries.
  const mutatedEntry = fc
    .tuple(eventMutation, key)
    .map(([mutation, k]) => entryFor(mutatedEvent(mutation, k)));
  const validEntry = fc
    .tuple(key, fc.nat())
    .chain(([k]) => validEvent(k))
    .map(entryFor);
  const putEvents: fc.Arbitrary<FuzzInput> = fc
    .oneof(
      { weight: 8, arbitrary: hostileBatch.map((Entries) => ({ Entries })) },
      {
        weight: 6,
        arbitrary: fc.array(mutatedEntry, { minLength: 1, maxLength: 10 }).map((Entries) => ({
          Entries,
        })),
      },
      {
        weight: 2,
        arbitrary: fc.oneof(
          fc.array(rawEntry, { minLength: 1, maxLength: 10 }).map((Entries) => ({ Entries })),
          fc.anything({ maxDepth: 2 }),
          fc.record({ Entries: fc.anything({ maxDepth: 2 }) }),
          fc.constant({ Entries: Array.from({ length: 11 }, () => ({})) }),
        ),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(
            fc.array(validEntry, { minLength: 1, maxLength: 4 }),
            fc.array(mutatedEntry, { maxLength: 4 }),
          )
          .map(([valid, hostile]) => ({ Entries: [...valid, ...hostile] })),
      },
    )
    .map((body) => ({ target: "putEvents" as const, body }));

  const handlerInput = (functionId: FunctionId): fc.Arbitrary<FuzzInput> => {
    const triggers: readonly string[] = FUNCTIONS[functionId].triggers;
    const upstream = UPSTREAM_DETAIL_TYPES.find((t) => triggers.includes(t));
    const garbage = fc.oneof(
      fc.anything({ maxDepth: 3 }),
      fc.record(
        {
          version: fc.anything({ maxDepth: 0 }),
          id: fc.oneof(fc.uuid(), fc.anything({ maxDepth: 1 })),
          "detail-type": fc.oneof(fc.constantFrom(...triggers), fc.string({ maxLength: 40 })),
          source: fc.oneof(fc.constantFrom(SOURCES.upstream, SOURCES.tracker), fc.string()),
          time: fc.oneof(fc.constantFrom(...DATES), fc.anything({ maxDepth: 0 })),
          detail: fc.anything({ maxDepth: 3 }),
        },
        { requiredKeys: [] },
      ),
    );
    const mutation = upstream
      ? fc
          .tuple(eventMutation, key)
          .map(([m, k]) => mutatedEvent({ ...m, type: upstream }, k) as unknown)
      : fc.tuple(eventMutation, key).map(([m, k]) => mutatedEvent(m, k) as unknown);
    const kinds: fc.WeightedArbitrary<unknown>[] = [
      { weight: 4, arbitrary: garbage },
      { weight: 4, arbitrary: mutation },
      { weight: 2, arbitrary: corpusCase },
    ];
    if (upstream) {
      kinds.push({ weight: 1, arbitrary: key.chain((k) => validEvent(k, upstream)) });
    }
    return fc.oneof(...kinds).map((event) => ({ target: "handler" as const, functionId, event }));
  };

  const eventsHttp: fc.Arbitrary<FuzzInput> = fc
    .oneof(
      {
        weight: 3,
        arbitrary: fc.record({
          method: fc.constantFrom("POST", "POST", "POST", "GET", "PUT"),
          path: fc.constantFrom("/", "/", "/000000000000/local-dead-letters", "/x"),
          headers: fc
            .tuple(hostileHeaders, fc.constantFrom(...TARGETS))
            .map(([headers, target]) => ({ ...headers, "x-amz-target": target })),
          body: fc.oneof(
            { weight: 3, arbitrary: sqsBody.map((b) => JSON.stringify(b)) },
            { weight: 2, arbitrary: hostileBody },
          ),
        }),
      },
      { weight: 1, arbitrary: hostileRequests(EVENTS_ROUTES) },
    )
    .map((probe) => ({ target: "http" as const, server: "events" as const, probe }));

  const httpFor = (server: Server, routes: readonly RoutePattern[]): fc.Arbitrary<FuzzInput> =>
    fc.oneof(
      {
        weight: 9,
        arbitrary: hostileRequests(routes).map((probe) => ({
          target: "http" as const,
          server,
          probe,
        })),
      },
      {
        weight: 1,
        arbitrary: malformedHttp.map((bytes) => ({ target: "raw" as const, server, bytes })),
      },
    );
  const sesHttp = fc.oneof(
    { weight: 9, arbitrary: httpFor("ses", SES_ROUTES) },
    {
      weight: 1,
      // A message id the store does not hold (the package once crashed on it).
      arbitrary: fc.string({ maxLength: 30 }).map(
        (id): FuzzInput => ({
          target: "http",
          server: "ses",
          probe: {
            method: "GET",
            path: `/get-emlContent?messageId=${encodeURIComponent(id)}`,
            headers: {},
          },
        }),
      ),
    },
  );

  const sample = (arbitrary: fc.Arbitrary<FuzzInput>, n: number, salt: number) =>
    n > 0 ? fc.sample(arbitrary, { numRuns: n, seed: seed + salt }) : [];
  const share = (group: TargetGroup) => Math.round(count * SHARES[group]);
  const handlerCount = share("handlers");
  const handlerInputs = options.handlers.flatMap((functionId, i) => {
    const n =
      Math.floor(handlerCount / options.handlers.length) +
      (i < handlerCount % options.handlers.length ? 1 : 0);
    return sample(handlerInput(functionId), n, 100 + i);
  });
  const fixed = share("putEvents") + handlerInputs.length + share("events") + share("ses");
  const inputs = [
    ...sample(putEvents, share("putEvents"), 1),
    ...handlerInputs,
    ...sample(eventsHttp, share("events"), 2),
    ...sample(sesHttp, share("ses"), 3),
    ...sample(httpFor("web", options.webRoutes), Math.max(0, count - fixed), 4),
  ];
  shuffle(inputs, seed);

  const seedEvents = seeded.flatMap((k, i) => [
    ...fc.sample(validEvent(k, DETAIL_TYPES.invitationSent), { numRuns: 1, seed: seed + i }),
    ...fc.sample(validEvent(k), { numRuns: 3, seed: seed + 50 + i }),
  ]);
  return { inputs, seedEvents };
}

function transferKey(seed: number, n: number): TransferKey {
  return { partnerId: `fuzz-partner-${n % 5}`, customerTenantId: `fuzz-${seed}-tenant-${n}` };
}

/** Deterministic Fisher-Yates with a small seeded generator (mulberry32). */
function shuffle<T>(items: T[], seed: number): void {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
}
