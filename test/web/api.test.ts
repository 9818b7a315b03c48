/**
 * The JSON API and the calendar feed against the real local runtime (events put through the
 * EventBridge-compatible endpoint, processed by the handlers): the same answers as the CLI's
 * `--json` (the same read side), one clear 400 for a bad parameter, 404 for an unknown transfer
 * or a wrong calendar token.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ical from "node-ical";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CALENDAR_SECRET_FILE, localCalendarSecret } from "../../local/web-app.js";
import { expiryUid } from "../../shared/calendar/expiry-calendar.js";
import { calendarToken, tokenMatches } from "../../shared/web/calendar-feed.js";
import { cli, cliJson } from "../e2e/helpers.js";
import { dayFrom, quietTransfer, sampleBook } from "./fixtures.js";
import { startWebRuntime, type WebRuntime } from "./runtime.js";

const PARTNER = "partner-api";
const OTHER = "partner-other";
const NOW = new Date().toISOString();
let web: WebRuntime;

beforeAll(async () => {
  web = await startWebRuntime(inject("dynamoEndpoint"));
  await web.load([
    ...sampleBook(PARTNER, NOW),
    quietTransfer({
      partnerId: OTHER,
      customerTenantId: "o-1",
      customerName: "Other Co",
      now: NOW,
      endsInDays: 3,
    }),
  ]);
});

afterAll(async () => {
  await web?.stop();
});

const get = async (path: string) => {
  const response = await fetch(`${web.web}${path}`);
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    text,
    body: (() => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    })(),
  };
};

describe("the JSON API gives exactly the CLI's --json", () => {
  it.each([
    ["list", "/api/transfers", ["list"]],
    ["list --partner", `/api/transfers?partner=${PARTNER}`, ["list", "--partner", PARTNER]],
    ["list --status", "/api/transfers?status=INVITED", ["list", "--status", "INVITED"]],
    [
      "show",
      `/api/transfers/${PARTNER}/tenant-01`,
      ["show", "--partner", PARTNER, "--customer", "tenant-01"],
    ],
    [
      "due --within --now",
      `/api/due?within=30&now=${encodeURIComponent(NOW)}`,
      ["due", "--within", "30", "--now", NOW],
    ],
  ])("%s", async (_name, path, args) => {
    const [api, fromCli] = await Promise.all([get(path), cliJson<unknown>(args, web.env)]);
    expect(api.status).toBe(200);
    expect(api.type).toBe("application/json; charset=utf-8");
    expect(api.body).toEqual(fromCli);
    expect(Array.isArray(api.body) ? api.body.length : 1).toBeGreaterThan(0);
  });

  it("due defaults to 60 days from now, soonest first", async () => {
    const { body } = await get("/api/due");
    const rows = body as { daysLeft: number; partnerId: string }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.daysLeft >= 0 && r.daysLeft <= 60)).toBe(true);
    expect(rows.map((r) => r.daysLeft)).toEqual(
      [...rows.map((r) => r.daysLeft)].sort((a, b) => a - b),
    );
  });

  it("keeps a hostile name as data (JSON), never as markup", async () => {
    const { body } = await get(`/api/transfers/${PARTNER}/tenant-hostile`);
    expect((body as { customerName: string }).customerName).toBe(
      `<img src=x onerror="alert('owned')"><b>Evil & Co</b>`,
    );
  });
});

describe("bad requests", () => {
  it.each([
    ["/api/transfers?status=DONE", /^status must be one of PENDING_INVITATION, /],
    ["/api/transfers?partner=", /^partner must be a partner id/],
    ["/api/transfers?sort=name", /^sort is not a parameter here; use status, partner$/],
    ["/api/transfers?status=INVITED&status=COMPLETED", /^status is given more than once$/],
    ["/api/due?within=soon", /^within must be a whole number of days/],
    ["/api/due?within=-3", /^within must be a whole number of days/],
    ["/api/due?now=yesterday", /^now must be an ISO 8601 date/],
    [
      `/api/transfers/${PARTNER}/tenant-01?now=2026-01-01`,
      /^now is not a parameter here; use none$/,
    ],
  ])("%s → 400 with one clear error", async (path, message) => {
    const { status, body } = await get(path);
    expect(status).toBe(400);
    expect(Object.keys(body as object)).toEqual(["error"]);
    expect((body as { error: string }).error).toMatch(message);
  });

  it("answers an unknown transfer with 404 {error}", async () => {
    const { status, body } = await get(`/api/transfers/${PARTNER}/nobody`);
    expect(status).toBe(404);
    expect(body).toEqual({ error: `no transfer for partner "${PARTNER}" and customer "nobody"` });
  });

  it("answers a path that does not decode with 400 and an unknown path with 404", async () => {
    expect((await get("/api/transfers/%E0%A4%A/x")).status).toBe(400);
    expect((await get("/api/nothing")).status).toBe(404);
  });
});

describe("the calendar feed", () => {
  let url: string;
  beforeAll(async () => {
    ({ url } = await cliJson<{ url: string }>(["calendar-url", "--partner", PARTNER], web.env));
  });

  it("calendar-url prints the feed URL on this web server", async () => {
    expect(url).toMatch(
      new RegExp(`^${web.web}/calendar/${PARTNER}\\.ics\\?token=[A-Za-z0-9_-]{43}$`),
    );
    const human = await cli(["calendar-url", "--partner", PARTNER], web.env);
    expect(human.stdout.trim()).toBe(url);
    const missing = await cli(["calendar-url"], web.env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--partner");
  });

  it("serves every active original of the partner's transfers, with the email's UIDs", async () => {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    const events = Object.values(ical.sync.parseICS(await response.text())).filter(
      (c) => c?.type === "VEVENT",
    ) as ical.VEvent[];
    // The same read side's due listing over the longest window, narrowed to the partner.
    const rows = await cliJson<
      { partnerId: string; subscriptionId: string; commitmentEndDate: string }[]
    >(["due", "--within", "3650"], web.env);
    const mine = rows.filter((r) => r.partnerId === PARTNER);
    expect(events).toHaveLength(mine.length);
    expect(new Set(events.map((e) => e.uid))).toEqual(
      new Set(mine.map((r) => expiryUid(r.subscriptionId, r.commitmentEndDate))),
    );
    const fabrikam = events.find((e) => e.uid === expiryUid("tenant-01-o1", dayFrom(NOW, 6)));
    expect(String(fabrikam?.summary)).toBe("Fabrikam Ltd: Microsoft 365 Business Standard ends");
    expect(String(fabrikam?.description)).toContain("Do not cancel the original");
    expect(events.some((e) => String(e.summary).includes("Other Co"))).toBe(false);
  });

  it.each([
    ["CR/LF", "p\r\nEND:VCALENDAR\r\nBEGIN:VEVENT"],
    ["a space", "partner api"],
    ["a leading space", " partner-api"],
    ["65 characters", "p".repeat(65)],
    ["a bidi override", "p\u202e"],
  ])("gives no calendar URL for a partner id with %s (the events' id rule)", async (_name, id) => {
    const result = await cli(["calendar-url", "--partner", id, "--json"], web.env);
    expect(result.code).not.toBe(0);
    expect(result.stdout).not.toContain("token=");
    expect(result.stderr).toContain("--partner");
    const local = await fetch(`${web.web}/_local/calendar-url?partner=${encodeURIComponent(id)}`);
    expect(local.status).toBe(400);
    expect(await local.text()).not.toContain("token=");
  });

  it.each([
    ["the calendar feed", () => url],
    ["the API", () => `${web.web}/api/due?within=30`],
    ["a page", () => `${web.web}/due`],
  ])(
    "answers HEAD on %s like GET, without the body (calendar clients send it)",
    async (_name, target) => {
      const get = await fetch(target());
      const body = await get.text();
      const head = await fetch(target(), { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(head.headers.get("content-type")).toBe(get.headers.get("content-type"));
      expect(head.headers.get("content-length")).toBe(String(Buffer.byteLength(body)));
      expect(await head.text()).toBe("");
    },
  );

  it.each([
    [
      "a wrong token",
      (u: string) => u.replace(/token=(.)/, (_m, c: string) => `token=${c === "A" ? "B" : "A"}`),
    ],
    ["a missing token", (u: string) => u.replace(/\?token=.*$/, "")],
    ["an empty token", (u: string) => u.replace(/token=.*$/, "token=")],
    [
      "another partner's token",
      (u: string) => u.replace(`/calendar/${PARTNER}.ics`, `/calendar/${OTHER}.ics`),
    ],
    ["no .ics suffix", (u: string) => u.replace(".ics", "")],
  ])("answers %s with 404 and no data", async (_name, change) => {
    const response = await fetch(change(url));
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain("BEGIN:VCALENDAR");
  });
});

describe("the calendar secret", () => {
  it("is generated once into the data folder, readable only by its owner, and reused", () => {
    const dir = mkdtempSync(join(tmpdir(), "calendar-secret-"));
    try {
      const first = localCalendarSecret(dir);
      const file = join(dir, CALENDAR_SECRET_FILE);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, "utf8").trim()).toBe(first.toString("hex"));
      expect(localCalendarSecret(dir).equals(first)).toBe(true);
      expect(first.length).toBe(32);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is a new random one in memory (no data folder)", () => {
    expect(localCalendarSecret(null).equals(localCalendarSecret(null))).toBe(false);
  });

  it("makes tokens per partner that only match their partner", () => {
    const secret = localCalendarSecret(null);
    const token = calendarToken(secret, "p-1");
    expect(tokenMatches(secret, "p-1", token)).toBe(true);
    expect(tokenMatches(secret, "p-2", token)).toBe(false);
    expect(tokenMatches(localCalendarSecret(null), "p-1", token)).toBe(false);
    expect(tokenMatches(secret, "p-1", null)).toBe(false);
    expect(tokenMatches(secret, "p-1", `${token}A`)).toBe(false);
  });
});
