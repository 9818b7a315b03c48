/** Calls a route of a route table in-process, as the local server and the API Lambda do. */
import { matchRoute, type WebResponse, type WebRoute } from "../../shared/http/routes.js";

export async function getRoute(routes: readonly WebRoute[], path: string): Promise<WebResponse> {
  const url = new URL(path, "http://127.0.0.1");
  const match = matchRoute(routes, "GET", url.pathname);
  if (match.kind !== "found") throw new Error(`no route for ${path}`);
  return match.route.handle({
    method: "GET",
    url,
    headers: {},
    body: Buffer.alloc(0),
    params: match.params,
  });
}
