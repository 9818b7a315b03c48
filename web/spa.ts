/**
 * The signed-in app the deployed stack serves (S3 behind CloudFront). Staff sign in with
 * Microsoft Entra ID (authorization code with PKCE, by MSAL); the app then reads the JSON API
 * with the access token and renders the same pages as the local server (shared/web/pages.ts).
 * Configuration comes from /config.json, written by the stack from cdk.json.
 */
import {
  type AccountInfo,
  InteractionRequiredAuthError,
  PublicClientApplication,
} from "@azure/msal-browser";
import { TransferStatus } from "../shared/events/index.js";
import type { DueOriginal, TransferJson, TransferSummary } from "../shared/queries/index.js";
import { html } from "../shared/web/html.js";
import { documentTitle, shell } from "../shared/web/layout.js";
import {
  duePage,
  errorPage,
  listPage,
  notFoundPage,
  type PageContent,
  transferPage,
} from "../shared/web/pages.js";
import { RISK_WINDOW_DAYS } from "../shared/web/risk-chart.js";
import { enhance } from "./enhance.js";

type AppConfig = {
  tenantId: string;
  clientId: string;
  /** The delegated scope the SPA asks for, e.g. api://<clientId>/Transfers.Read. */
  apiScope: string;
  thresholds: number[];
};

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const app = document.getElementById("app");

function show(content: PageContent): void {
  if (!app) return;
  app.innerHTML = shell(content).text;
  document.title = documentTitle(content.title);
  enhance(app);
}

async function main(): Promise<void> {
  const config = (await (await fetch("/config.json", { cache: "no-store" })).json()) as AppConfig;
  const msal = new PublicClientApplication({
    auth: {
      clientId: config.clientId,
      authority: `https://login.microsoftonline.com/${config.tenantId}`,
      redirectUri: `${location.origin}/`,
    },
    cache: { cacheLocation: "sessionStorage" },
  });
  await msal.initialize();
  const redirect = await msal.handleRedirectPromise();
  const account: AccountInfo | undefined = redirect?.account ?? msal.getAllAccounts()[0];
  if (redirect?.state?.startsWith("/")) {
    history.replaceState(null, "", redirect.state);
  }
  const scopes = [config.apiScope];
  if (!account) {
    show({
      title: "Sign in",
      current: null,
      body: html`<div id="signin"><h1>Signing you in…</h1><p>You are taken to Microsoft sign-in for your organisation.</p></div>`,
    });
    await msal.loginRedirect({ scopes, state: location.pathname + location.search });
    return;
  }

  const token = async (): Promise<string> => {
    try {
      return (await msal.acquireTokenSilent({ scopes, account })).accessToken;
    } catch (error) {
      if (error instanceof InteractionRequiredAuthError) {
        await msal.acquireTokenRedirect({
          scopes,
          account,
          state: location.pathname + location.search,
        });
      }
      throw error;
    }
  };
  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(path, { headers: { authorization: `Bearer ${await token()}` } });
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    if (!response.ok) throw new ApiError(response.status, body.error ?? `HTTP ${response.status}`);
    return body as T;
  };

  const url = new URL(location.href);
  const q = url.searchParams;
  const now = new Date().toISOString();
  try {
    const transfer = /^\/transfers\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (url.pathname === "/" || url.pathname === "/index.html") {
      const status = q.get("status") || undefined;
      const [transfers, due] = await Promise.all([
        api<TransferSummary[]>(
          `/api/transfers${status ? `?status=${encodeURIComponent(status)}` : ""}`,
        ),
        api<DueOriginal[]>(`/api/due?within=${RISK_WINDOW_DAYS}`),
      ]);
      show(
        listPage({
          transfers,
          due,
          now,
          status: TransferStatus.safeParse(status).data,
          q: q.get("q") ?? undefined,
        }),
      );
    } else if (transfer) {
      const view = await api<TransferJson>(`/api/transfers/${transfer[1]}/${transfer[2]}`);
      show(transferPage({ view, now, thresholds: config.thresholds }));
    } else if (url.pathname === "/due") {
      const within = q.get("within") || "60";
      const due = await api<DueOriginal[]>(`/api/due?within=${encodeURIComponent(within)}`);
      show(duePage({ due, within: Number(within), now }));
    } else {
      show(notFoundPage("There is no page at this address."));
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) show(notFoundPage(error.message));
    else if (error instanceof ApiError && error.status === 401) {
      show(
        errorPage(
          "Your account is signed in but may not read transfers: ask your administrator for the app role.",
        ),
      );
    } else show(errorPage(error instanceof Error ? error.message : String(error)));
  }
}

main().catch((error: unknown) => {
  show(errorPage(`Sign-in failed: ${error instanceof Error ? error.message : String(error)}`));
});
