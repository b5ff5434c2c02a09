// Number, money and time formatting shared by every part of the page.

const integer = new Intl.NumberFormat("en-US");
const currency = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const compactCurrency = new Intl.NumberFormat("en-US", {
  style: "currency", currency: "USD", notation: "compact", maximumFractionDigits: 1,
});
const dateTime = new Intl.DateTimeFormat("en-GB", {
  weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "UTC",
});
const shortDay = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });

/** Cents as currency: 123456 -> "$1,234.56". */
export const money = (cents) => currency.format((cents ?? 0) / 100);
/** Cents as short currency for chart labels: 123456700 -> "$1.2M". */
export const moneyShort = (cents) => compactCurrency.format((cents ?? 0) / 100);
export const count = (n) => integer.format(n ?? 0);
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
