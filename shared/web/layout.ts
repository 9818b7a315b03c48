/** The page shell: skip link, header with navigation, one main landmark. */
import { type Html, html } from "./html.js";

export type NavItem = "transfers" | "due";

export type PageOptions = {
  title: string;
  current: NavItem | null;
  body: Html;
};

/** A whole document; its script and style are served at /assets/app.js and /assets/app.css. */
export function page(options: PageOptions): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${documentTitle(options.title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/app.css">
<script type="module" src="/assets/app.js"></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<div id="app">${shell(options)}</div>
</body>
</html>`;
}

export const documentTitle = (title: string) => `${title} · CSP transfer tracker`;

/** Header and main, without the document around them (the signed-in app swaps only this). */
export function shell(options: PageOptions): Html {
  const link = (item: NavItem, href: string, label: string) =>
    html`<a href="${href}"${options.current === item ? html` aria-current="page"` : ""}>${label}</a>`;
  return html`<header class="top">
<p class="brand"><a href="/">CSP transfer tracker</a></p>
<nav aria-label="Main"><ul><li>${link("transfers", "/", "Transfers")}</li><li>${link("due", "/due", "Due soon")}</li></ul></nav>
</header>
<main id="main" tabindex="-1">
${options.body}
</main>`;
}
