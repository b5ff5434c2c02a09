// The page's tables: shows, zones and referrers. Each render replaces the rows it owns.

import { countCell, el, fitTable, moneyCell, percent, when } from "./format.js";

function meter(parts) {
  return el("div", { class: "meter" }, ...parts.map(([cls, pct]) => {
    const span = el("span", { class: cls });
    // Through the CSSOM: the page's CSP forbids style attributes.
    span.style.width = `${Math.max(0, Math.min(100, pct)).toFixed(2)}%`;
    return span;
  }));
}

function emptyRow(tbody, columns, message) {
  tbody.replaceChildren(el("tr", { class: "empty-row" }, el("td", { colspan: columns }, message)));
}

/** One row per show: occupancy as a sold/held meter; clicking a row calls `onPick(show_id)`. */
export function renderShows(table, byShow, selectedId, onPick) {
  const tbody = table.tBodies[0];
  if (!byShow.length) return emptyRow(tbody, 8, "No shows on sale yet");
  const rows = [...byShow].sort((a, b) => a.starts_at.localeCompare(b.starts_at)).map((s) => {
    const held = s.capacity ? (100 * s.held) / s.capacity : 0;
    const tr = el("tr", {
      class: `clickable${s.show_id === selectedId ? " selected" : ""}`,
      "data-show-id": s.show_id, "data-sold": s.sold, "data-held": s.held, "data-revenue-cents": s.revenue_cents,
    },
    el("td", {}, s.title),
    el("td", {}, when(s.starts_at)),
    el("td", {}, meter([["sold", s.occupancy_pct], ["held", held]])),
    el("td", { class: "num" }, percent(s.occupancy_pct)),
    countCell(s.sold),
    countCell(s.held),
    countCell(s.capacity),
    moneyCell(s.revenue_cents));
    tr.addEventListener("click", () => onPick(s.show_id));
    return tr;
  });
  tbody.replaceChildren(...rows);
  fitTable(table);
}

/** Zones of the selected show: prices and held seats from availability, revenue from the dashboard. */
export function renderZones(table, availability, byZone) {
  const tbody = table.tBodies[0];
  if (!availability?.zones?.length) return emptyRow(tbody, 7, "Pick a show");
  const revenue = new Map(byZone.map((z) => [z.zone_id, z.revenue_cents]));
  tbody.replaceChildren(...availability.zones.map((z) => el("tr", { "data-zone-id": z.zone_id, "data-sold": z.sold, "data-held": z.held },
    el("td", {}, `${z.name} `, el("small", {}, z.zone_id)),
    moneyCell(z.price_cents),
    el("td", {}, meter([["sold", (100 * z.sold) / (z.capacity || 1)], ["held", (100 * z.held) / (z.capacity || 1)]])),
    countCell(z.available),
    countCell(z.held),
    countCell(z.sold),
    revenue.has(z.zone_id) ? moneyCell(revenue.get(z.zone_id)) : el("td", { class: "num" }, "–"))));
  fitTable(table);
}

/** Referrers by revenue, with their share of referred revenue. */
export function renderReferrers(table, byReferrer) {
  const tbody = table.tBodies[0];
  if (!byReferrer.length) return emptyRow(tbody, 5, "No referred sales yet");
  const total = byReferrer.reduce((n, r) => n + Math.max(0, r.revenue_cents), 0) || 1;
  const rows = [...byReferrer].sort((a, b) => b.revenue_cents - a.revenue_cents);
  tbody.replaceChildren(...rows.map((r) => el("tr", { "data-referrer-id": r.referrer_id, "data-tickets-sold": r.tickets_sold },
    el("td", {}, r.referrer_id),
    countCell(r.orders_paid),
    countCell(r.tickets_sold),
    moneyCell(r.revenue_cents),
    el("td", {}, meter([["share", (100 * Math.max(0, r.revenue_cents)) / total]])))));
  fitTable(table);
}
