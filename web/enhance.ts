/**
 * Small enhancements of the rendered pages; everything works without them. On the transfer
 * list, the search box filters the rows as you type (the form still submits `?q=` for a
 * shareable URL), and `/` moves the focus to it.
 */
export function enhance(root: ParentNode = document): void {
  const search = root.querySelector<HTMLInputElement>("input#q");
  const table = root.querySelector<HTMLTableElement>("table.transfers");
  const count = root.querySelector<HTMLElement>("#count");
  if (search && table && count) {
    // Read lazily, on the first keystroke: nothing slows down the list's first render.
    let rows: { row: HTMLTableRowElement; text: string }[] | undefined;
    const rowsOf = () =>
      (rows ??= Array.from(table.tBodies[0]?.rows ?? []).map((row) => ({
        row,
        // The customer's name and tenant id (the link's last segment), as the server's ?q= matches.
        text: `${row.cells[0]?.textContent ?? ""} ${tenantOf(row)}`.toLowerCase(),
      })));
    const total = table.tBodies[0]?.rows.length ?? 0;
    search.addEventListener("input", () => {
      const needle = search.value.trim().toLowerCase();
      let shown = 0;
      for (const { row, text } of rowsOf()) {
        const match = needle === "" || text.includes(needle);
        row.hidden = !match;
        if (match) shown++;
      }
      count.textContent =
        needle === ""
          ? `${total.toLocaleString("en-US")} ${total === 1 ? "transfer" : "transfers"}, soonest expiry first.`
          : `${shown.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} transfers match "${search.value.trim()}".`;
    });
  }
  if (search) {
    document.addEventListener("keydown", (event) => {
      const target = event.target as HTMLElement | null;
      const typing = target && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName);
      if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        search.focus();
      }
    });
  }
}

function tenantOf(row: HTMLTableRowElement): string {
  const href = row.querySelector("a")?.getAttribute("href") ?? "";
  return decodeURIComponent(href.slice(href.lastIndexOf("/") + 1));
}
