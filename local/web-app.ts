/**
 * The partner web app on the local web server: the pages, the JSON API and the calendar feed
 * (shared/web/app-routes.ts) over the runtime's table, the browser bundle built from web/ by
 * esbuild on first request, and `GET /_local/calendar-url?partner=P` for the CLI. Like every
 * local endpoint it is loopback-only and has no sign-in.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_REMINDER_THRESHOLDS, ReminderThresholds } from "../shared/config/thresholds.js";
import { IdString } from "../shared/events/primitives.js";
import { json, jsonError, type WebResponse, type WebRoute } from "../shared/http/routes.js";
import { documentClient } from "../shared/store/clients.js";
import { calendarRoutes, jsonApiRoutes, pageRoutes } from "../shared/web/app-routes.js";
import { calendarUrl, MIN_SECRET_BYTES } from "../shared/web/calendar-feed.js";
import { buildWebAssets, type WebAssets } from "../web/build.js";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "./config.js";
import type { WebRoutesContext } from "./web-routes.js";

export const CALENDAR_SECRET_FILE = "calendar-secret";

/** Generated once into the data folder (kept across restarts, so subscribed URLs keep working). */
export function localCalendarSecret(dataDir: string | null): Buffer {
  if (dataDir === null) return randomBytes(MIN_SECRET_BYTES);
  const file = join(dataDir, CALENDAR_SECRET_FILE);
  try {
    const secret = Buffer.from(readFileSync(file, "utf8").trim(), "hex");
    if (secret.length >= MIN_SECRET_BYTES) return secret;
    throw new Error(
      `${file} holds fewer than ${MIN_SECRET_BYTES} bytes; delete it to make a new one`,
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const secret = randomBytes(MIN_SECRET_BYTES);
  // "wx": two runtimes starting at once must not overwrite each other's secret.
  try {
    writeFileSync(file, `${secret.toString("hex")}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return localCalendarSecret(dataDir);
    throw error;
  }
  return secret;
}

export async function localWebApp(context: WebRoutesContext): Promise<WebRoute[]> {
  const secret = localCalendarSecret(context.dataDir);
  const deps = {
    source: {
      db: documentClient({
        endpoint: context.dynamoEndpoint,
        region: LOCAL_REGION,
        credentials: LOCAL_CREDENTIALS,
      }),
      tableName: context.tableName,
    },
    calendarSecret: async () => secret,
    thresholds: ReminderThresholds.parse(
      process.env.REMINDER_THRESHOLDS || DEFAULT_REMINDER_THRESHOLDS,
    ),
  };
  let assets: Promise<WebAssets> | undefined;
  const asset = async (pick: (built: WebAssets) => WebResponse): Promise<WebResponse> => {
    assets ??= buildWebAssets().catch((error: unknown) => {
      assets = undefined;
      throw error;
    });
    return pick(await assets);
  };
  return [
    ...pageRoutes(deps),
    ...jsonApiRoutes(deps),
    ...calendarRoutes(deps),
    {
      method: "GET",
      pattern: "/assets/app.js",
      handle: () => asset((built) => assetResponse("text/javascript; charset=utf-8", built.js)),
    },
    {
      method: "GET",
      pattern: "/assets/app.css",
      handle: () => asset((built) => assetResponse("text/css; charset=utf-8", built.css)),
    },
    {
      method: "GET",
      pattern: "/_local/calendar-url",
      handle: async (request) => {
        const partner = request.url.searchParams.get("partner");
        if (!partner) return jsonError(400, "partner is required: /_local/calendar-url?partner=P");
        // The events' id rule: a partner id no event can carry gets no token.
        if (!IdString.safeParse(partner).success || partner !== partner.trim()) {
          return jsonError(400, "partner must be a partner id (printable ASCII, 1-64 characters)");
        }
        return json(200, { url: calendarUrl(context.webEndpoint, secret, partner) });
      },
    },
  ];
}

function assetResponse(contentType: string, body: string): WebResponse {
  return {
    status: 200,
    headers: {
      "content-type": contentType,
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
    },
    body,
  };
}
