/**
 * Reads the customer (and subscription) id out of a notification's ResourceUri, refusing anything
 * but `{api host}/v1/customers/{c}` or `.../customers/{c}/subscriptions/{s}`: another host, a
 * query, a fragment, dot segments, percent-encoding or any other path trick is refused. The
 * connector never requests the ResourceUri itself; it builds its own request from the ids and
 * the configured API URL, so a hostile URI can at most be refused.
 */
import { refused } from "./api-errors.js";

/** Partner Center ids are GUIDs; this is looser but admits no separator or escape. */
const ID = "([A-Za-z0-9][A-Za-z0-9-]{0,63})";
const CUSTOMER_PATH = new RegExp(`^/v1/customers/${ID}$`);
const SUBSCRIPTION_PATH = new RegExp(`^/v1/customers/${ID}/subscriptions/${ID}$`);

export type ResourceRef =
  | { kind: "customer"; customerId: string }
  | { kind: "subscription"; customerId: string; subscriptionId: string };

export function parseResourceUri(raw: string, apiUrl: string): ResourceRef {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused("ResourceUri is not a URL");
  }
  const api = new URL(apiUrl);
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw refused(`ResourceUri scheme ${url.protocol} is not http(s)`);
  }
  if (url.host !== api.host) {
    throw refused(`ResourceUri host ${url.host} is not the Partner Center API host ${api.host}`);
  }
  // The URL parser resolves "..", "%2e" and backslashes; the raw text must already be canonical.
  const canonical = `${url.protocol}//${url.host}${url.pathname}`;
  if (raw !== canonical || url.username || url.password) {
    throw refused(
      "ResourceUri is not a plain resource path (query, fragment, credentials or path tricks)",
    );
  }
  const subscription = SUBSCRIPTION_PATH.exec(url.pathname);
  if (subscription?.[1] && subscription[2]) {
    return { kind: "subscription", customerId: subscription[1], subscriptionId: subscription[2] };
  }
  const customer = CUSTOMER_PATH.exec(url.pathname);
  if (customer?.[1]) return { kind: "customer", customerId: customer[1] };
  throw refused("ResourceUri is neither /v1/customers/{c} nor /v1/customers/{c}/subscriptions/{s}");
}
