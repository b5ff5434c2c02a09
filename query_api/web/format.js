// Number, money and time formatting shared by every part of the page.

const integer = new Intl.NumberFormat("en-US");
const currency = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const compactCurrency = new Intl.NumberFormat("en-US", {
  style: "currency", currency: "USD", notation: "compact", maximumFractionDigits: 1,
});
const compactMoney = new Intl.NumberFormat("en-US", {
  style: "currency", currency: "USD", notation: "compact", maximumSignificantDigits: 3,
});
const compactInteger = new Intl.NumberFormat("en-US", { notation: "compact", maximumSignificantDigits: 3 });
const dateTime = new Intl.DateTimeFormat("en-GB", {
  weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "UTC",
});
const shortDay = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });

/** Cents as currency: 123456 -> "$1,234.56". */
export const money = (cents) => currency.format((cents ?? 0) / 100);
/** Cents as short currency for chart labels: 123456700 -> "$1.2M". */
export const moneyShort = (cents) => compactCurrency.format((cents ?? 0) / 100);
/** Cents as compact currency, three significant digits: 16720745 -> "$167K", 1672074599 -> "$16.7M". */
export const moneyCompact = (cents) => compactMoney.format((cents ?? 0) / 100);
export const count = (n) => integer.format(n ?? 0);
/** A count, three significant digits: 48213 -> "48.2K", 2345678 -> "2.35M". */
export const countCompact = (n) => compactInteger.format(n ?? 0);
export const percent = (p) => `${(p ?? 0).toFixed(1)}%`;
export const when = (iso) => `${dateTime.format(new Date(iso))} UTC`;
export const day = (isoDay) => shortDay.format(new Date(`${isoDay}T00:00:00Z`));

/** "0.4 s ago", "12 s ago", "3 min ago". */
export function ago(ms) {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s ago`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s ago`;
  return `${Math.round(ms / 60_000)} min ago`;
}

/** Text-safe element builder: el("td", {class: "num"}, "12"). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) node.setAttribute(name, String(value));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

// ---- figures that never get cut ---------------------------------------------------
//
// A figure element keeps its exact text and a compact one (data-exact, data-compact).
// It shows the exact text where that fits and the compact one where it does not; a
// compacted figure carries the exact text as its tooltip (title). Refit on resize.

/** Give `node` its exact and compact texts and fit it: see fitFigure. */
export function setFigure(node, exact, compact) {
  node.dataset.exact = exact;
  node.dataset.compact = compact;
  fitFigure(node);
  return node;
}

function showFigure(node, compacted) {
  const { exact, compact } = node.dataset;
  node.textContent = compacted ? compact : exact;
  if (compacted && compact !== exact) node.title = exact;
  else node.removeAttribute("title");
}

/**
 * A block figure (a KPI): the exact text if it fits the element's own box, else the
 * compact text, else the compact text in smaller type (class "tight").
 */
export function fitFigure(node) {
  if (node.dataset.exact === undefined) return;
  node.classList.remove("tight");
  showFigure(node, false);
  if (node.scrollWidth <= node.clientWidth) return;
  showFigure(node, true);
  if (node.scrollWidth > node.clientWidth) node.classList.add("tight");
}

/** Width available to `node` inside its parent's padding. */
function roomFor(node) {
  const box = node.parentElement;
  const style = getComputedStyle(box);
  return box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
}

/** A table's figure cells (td[data-exact]): all exact if the table fits its container, else all compact. */
export function fitTable(table) {
  const cells = table.querySelectorAll("td[data-exact]");
  for (const cell of cells) showFigure(cell, false);
  if (table.getBoundingClientRect().width <= roomFor(table) + 0.5) return;
  for (const cell of cells) showFigure(cell, true);
}

/** A table cell holding a figure (right-aligned), exact text first; fitTable picks the text. */
export function figureCell(exact, compact) {
  return el("td", { class: "num", "data-exact": exact, "data-compact": compact }, exact);
}
export const moneyCell = (cents) => figureCell(money(cents), moneyCompact(cents));
export const countCell = (n) => figureCell(count(n), countCompact(n));
