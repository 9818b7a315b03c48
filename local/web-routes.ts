/**
 * The route table served on WEB_PORT. Each capability contributes its own routes here (the web
 * app and its API, the calendar feed, the Partner Center webhook); the server itself knows none.
 */
import type { WebRoute } from "../shared/http/routes.js";
import { partnerCenterRoutes } from "./partner-center-routes.js";
import { localWebApp } from "./web-app.js";

export type WebRoutesContext = {
  /** Folder of the runtime's durable data (secrets generated once live here); null in memory. */
  dataDir: string | null;
  tableName: string;
  dynamoEndpoint: string;
  eventsEndpoint: string;
  /** This server's own base URL, e.g. http://127.0.0.1:4020. */
  webEndpoint: string;
  log: (line: string) => void;
};

export async function localWebRoutes(context: WebRoutesContext): Promise<WebRoute[]> {
  return [...(await localWebApp(context)), ...(await partnerCenterRoutes(context))];
}
