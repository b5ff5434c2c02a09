// Two small SVG charts, drawn from scratch on each change (they hold a few dozen points).

import { count, countCompact, day, money, moneyShort } from "./format.js";

const NS = "http://www.w3.org/2000/svg";
const H = 160;
const BOTTOM = 22; // room for the x labels

function svgEl(tag, attrs, text) {
  const node = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Draw in the SVG's real pixel width, so text is never stretched. */
function widthOf(svg) {
  const width = Math.max(240, Math.round(svg.getBoundingClientRect().width || 600));
  svg.setAttribute("viewBox", `0 0 ${width} ${H}`);
  return width;
}

function placeholder(svg, message) {
  const W = widthOf(svg);
  svg.replaceChildren(svgEl("text", { x: W / 2, y: H / 2, "text-anchor": "middle" }, message));
}

/** Bars of net revenue per day (the last 14 days that had sales), labelled with revenue and tickets. */
export function drawSalesByDay(svg, rows) {
  const W = widthOf(svg);
  const data = [...rows].sort((a, b) => a.day.localeCompare(b.day)).slice(-14);
  if (!data.length) return placeholder(svg, "No paid orders yet");
  const max = Math.max(1, ...data.map((d) => d.revenue_cents));
  const slot = W / data.length;
  const barWidth = Math.min(64, slot * 0.6);
  const nodes = [svgEl("line", { class: "axis", x1: 0, x2: W, y1: H - BOTTOM, y2: H - BOTTOM })];
  data.forEach((d, i) => {
    const height = Math.max(1, ((H - BOTTOM - 30) * Math.max(0, d.revenue_cents)) / max);
    const x = i * slot + (slot - barWidth) / 2;
    const y = H - BOTTOM - height;
    const bar = svgEl("rect", { class: "bar", x, y, width: barWidth, height, rx: 3, "data-day": d.day });
    // Labels are compact (a bar is narrow); its tooltip has the exact figures.
    bar.append(svgEl("title", {}, `${d.day}: ${money(d.revenue_cents)}, ${count(d.tickets_sold)} tickets`));
    nodes.push(bar);
    nodes.push(svgEl("text", { class: "bar-label", x: x + barWidth / 2, y: y - 16, "text-anchor": "middle" }, moneyShort(d.revenue_cents)));
    nodes.push(svgEl("text", { x: x + barWidth / 2, y: y - 4, "text-anchor": "middle" }, `${countCompact(d.tickets_sold)} tix`));
    nodes.push(svgEl("text", { x: x + barWidth / 2, y: H - 6, "text-anchor": "middle" }, day(d.day)));
  });
  svg.replaceChildren(...nodes);
}

/** A line of tickets sold per 5 s over the last 2 minutes, from samples {t, tickets} this page took. */
export function drawVelocity(svg, samples, now) {
  const W = widthOf(svg);
  const span = 120_000;
  const bucketMs = 5_000;
  const buckets = new Array(span / bucketMs).fill(0);
  for (let i = 1; i < samples.length; i += 1) {
    const age = now - samples[i].t;
    if (age >= span) continue;
    // A cancellation can lower the total: count only growth as sales velocity.
    buckets[buckets.length - 1 - Math.floor(age / bucketMs)] += Math.max(0, samples[i].tickets - samples[i - 1].tickets);
  }
  const max = Math.max(4, ...buckets);
  const step = W / (buckets.length - 1);
  const y = (v) => H - BOTTOM - ((H - BOTTOM - 12) * v) / max;
  const points = buckets.map((v, i) => `${(i * step).toFixed(1)},${y(v).toFixed(1)}`);
  const perMinute = buckets.slice(-12).reduce((a, b) => a + b, 0);
  svg.replaceChildren(
    svgEl("line", { class: "axis", x1: 0, x2: W, y1: H - BOTTOM, y2: H - BOTTOM }),
    svgEl("path", { class: "area", d: `M0,${H - BOTTOM} L${points.join(" L")} L${W},${H - BOTTOM} Z` }),
    svgEl("path", { class: "line", d: `M${points.join(" L")}` }),
    svgEl("text", { x: 4, y: H - 6 }, "2 min ago"),
    svgEl("text", { x: W - 4, y: H - 6, "text-anchor": "end" }, "now"),
    svgEl("text", { x: W - 4, y: 14, "text-anchor": "end", class: "bar-label", id: "velocity-rate" }, `${count(perMinute)} tickets in the last minute`),
  );
}
