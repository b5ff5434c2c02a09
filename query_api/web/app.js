// The live dashboard: routing (/ and /shows/{id}), the viewer key, and the ~1 s polling loop.

import { adoptKeyFromUrl, forgetViewerKey, getJson, KeyRefused, setViewerKey, viewerKey } from "./api.js";
import { drawSalesByDay, drawVelocity } from "./charts.js";
import { dashboardQuery, installFilters, refreshShowOptions } from "./filters.js";
import { ago, count, countCompact, fitFigure, fitTable, money, moneyCompact, setFigure, when } from "./format.js";
import { normalise, SeatMap } from "./seatmap.js";
import { renderReferrers, renderShows, renderZones } from "./tables.js";

const POLL_MS = 1000;
const STALE_MS = 5000;
const $ = (id) => document.getElementById(id);

const state = {
  showId: null, // the show in focus: from /shows/{id}, else the first show
  dashboard: null,
  availability: null,
  seats: null,
  showError: null, // why the focused show could not be read, if it could not
  lastPoll: null, // when the last poll completed (ms)
  lastChange: null, // when any figure last changed
  pollMs: null, // how long the last poll took
  error: null,
  velocity: [], // {t, tickets} samples for the velocity chart
};

function routeShowId() {
  const match = window.location.pathname.match(/^\/shows\/([0-9a-fA-F-]{36})$/);
  return match ? match[1].toLowerCase() : null;
}

function pickShow(showId) {
  window.history.pushState(null, "", `/shows/${showId}${window.location.search}`);
  focusShow(showId);
}

function focusShow(showId) {
  state.showId = showId;
  state.showError = null;
  state.availability = null;
  state.seats = null;
  poll();
}

// ---- rendering -------------------------------------------------------------------

// A figure shows its exact text where it fits and a compact one, with the exact text as
// its tooltip, where it does not (format.js: setFigure, fitTable): never an ellipsis.
function renderTotals(totals) {
  for (const node of document.querySelectorAll("[data-total]")) {
    const value = totals[node.dataset.total];
    if (node.dataset.value === String(value)) continue;
    const cents = node.dataset.total.endsWith("_cents");
    setFigure(node, cents ? money(value) : count(value), cents ? moneyCompact(value) : countCompact(value));
    node.dataset.value = String(value);
    node.classList.remove("bumped");
    void node.offsetWidth; // restart the highlight animation
    node.classList.add("bumped");
  }
  setFigure($("kpi-refunded"), `refunds ${money(totals.refunded_cents)}`, `refunds ${moneyCompact(totals.refunded_cents)}`);
  setFigure($("kpi-holds"), `live holds ${count(totals.live_holds)}`, `live holds ${countCompact(totals.live_holds)}`);
}

/** Re-fit every figure to the space it has now (after a resize or a layout change). */
function refitFigures() {
  for (const node of document.querySelectorAll(".kpi [data-exact]")) fitFigure(node);
  for (const table of document.querySelectorAll("table.data")) fitTable(table);
}

function renderDashboard() {
  const d = state.dashboard;
  renderTotals(d.totals);
  drawSalesByDay($("sales-by-day"), d.sales_by_day);
  renderShows($("shows-table"), d.by_show, state.showId, pickShow);
  revealSelectedShow();
  renderReferrers($("referrers-table"), d.by_referrer);
}

// Scroll the shows list to the show in focus once per focus change, not on every poll,
// so a person scrolling the list is not pulled back each second.
let revealed = null;
function revealSelectedShow() {
  const row = document.querySelector("#shows-table tr.selected");
  if (!row || revealed === state.showId) return;
  revealed = state.showId;
  const box = row.closest(".scroll");
  const top = row.offsetTop - box.querySelector("thead").offsetHeight;
  if (top < box.scrollTop || top > box.scrollTop + box.clientHeight - row.offsetHeight) box.scrollTop = top;
}

function renderShowFocus() {
  const d = state.dashboard;
  const show = d?.by_show.find((s) => s.show_id === state.showId);
  const title = show ? `${show.title} · ${when(show.starts_at)}` : "";
  $("zones-title").textContent = show ? `Zones · ${show.title}` : "Zones";
  $("seatmap-title").textContent = show ? `Seat map · ${title}` : "Seat map";
  renderZones($("zones-table"), state.availability, (d?.by_zone ?? []).filter((z) => z.show_id === state.showId));
  if (state.seats) {
    const names = new Map((state.availability?.zones ?? []).map((z) => [z.zone_id, z.name]));
    seatMap.update(normalise(state.seats), names);
    const canvas = $("seatmap");
    canvas.dataset.showId = state.showId;
    canvas.dataset.seq = String(state.seats.seq ?? "");
    $("seatmap-seq").textContent = state.seats.seq !== undefined ? `stream position ${count(state.seats.seq)}` : "";
    for (const status of ["available", "held", "sold"]) $(`legend-${status}`).textContent = count(Number(canvas.dataset[status]));
    $("seatmap-empty").hidden = true;
  } else {
    seatMap.update([], new Map());
    $("seatmap-empty").textContent = state.showError ?? "No show yet.";
    $("seatmap-empty").hidden = false;
  }
}

function renderFreshness() {
  const box = $("freshness");
  const now = Date.now();
  let text;
  if (state.error) {
    box.dataset.state = "error";
    text = state.error;
  } else if (state.lastPoll === null) {
    box.dataset.state = "connecting";
    text = "connecting…";
  } else {
    const stale = now - state.lastPoll > STALE_MS;
    box.dataset.state = stale ? "stale" : "live";
    const changed = state.lastChange ? ` · last change ${ago(now - state.lastChange)}` : "";
    text = `${stale ? "stale" : "live"} · updated ${ago(now - state.lastPoll)}${changed} · poll ${state.pollMs} ms`;
  }
  $("freshness-text").textContent = text;
  box.dataset.lastPoll = String(state.lastPoll ?? "");
}

// ---- polling ---------------------------------------------------------------------

/** Poll the focused show; a show the read model does not have (yet) is reported, not fatal. */
async function pollShow(id) {
  try {
    const [availability, seats] = await Promise.all([
      getJson(`/v1/shows/${id}/availability`),
      getJson(`/v1/shows/${id}/seats?format=compact`),
    ]);
    if (id !== state.showId) return false;
    const changed = availability.changed || seats.changed || !state.seats || state.showError !== null;
    state.availability = availability.body;
    state.seats = seats.body;
    state.showError = null;
    return changed;
  } catch (error) {
    if (error instanceof KeyRefused) throw error;
    const changed = state.showError === null;
    state.showError = `Show ${id} is not in the read model: ${error.message}`;
    state.availability = null;
    state.seats = null;
    return changed;
  }
}

let timer = null;
let inFlight = false;

async function poll() {
  clearTimeout(timer);
  if (inFlight || !viewerKey()) return;
  inFlight = true;
  const started = performance.now();
  try {
    const [dashboard] = await Promise.all([getJson(`/v1/dashboard${dashboardQuery()}`), refreshShowOptions()]);
    let changed = dashboard.changed;
    state.dashboard = dashboard.body;
    if (!state.showId) state.showId = [...dashboard.body.by_show].sort((a, b) => a.starts_at.localeCompare(b.starts_at))[0]?.show_id ?? null;
    if (state.showId) changed = (await pollShow(state.showId)) || changed;
    const now = Date.now();
    state.velocity.push({ t: now, tickets: dashboard.body.totals.tickets_sold });
    state.velocity = state.velocity.filter((s) => now - s.t < 125_000);
    if (changed) {
      state.lastChange = now;
      renderDashboard();
      renderShowFocus();
    }
    drawVelocity($("velocity"), state.velocity, now);
    state.lastPoll = now;
    state.pollMs = Math.round(performance.now() - started);
    state.error = null;
  } catch (error) {
    if (error instanceof KeyRefused) {
      forgetViewerKey();
      askForKey("That key was refused: the dashboard needs a viewer key.");
    } else {
      state.error = `not updating: ${error.message}`;
    }
  } finally {
    inFlight = false;
    renderFreshness();
    timer = setTimeout(poll, POLL_MS);
  }
}

// ---- the key -----------------------------------------------------------------------

function askForKey(problem) {
  const dialog = $("key-dialog");
  $("key-error").hidden = !problem;
  $("key-error").textContent = problem ?? "";
  if (!dialog.open) dialog.showModal();
  $("key-input").focus();
}

$("key-form").addEventListener("submit", () => {
  setViewerKey($("key-input").value.trim());
  $("key-input").value = "";
  poll();
});
$("change-key").addEventListener("click", () => askForKey(null));
window.addEventListener("popstate", () => focusShow(routeShowId()));

const seatMap = new SeatMap($("seatmap"), $("seat-tooltip"));
// Hooks for the browser test and for anyone inspecting the page: what each seat shows.
window.boxofficeDashboard = {
  state,
  seatStatus: (seatId) => seatMap.positions.get(seatId)?.status ?? null,
  seatStatuses: () => Object.fromEntries([...seatMap.positions].map(([id, at]) => [id, at.status])),
  seatPixel: (seatId) => seatMap.pixel(seatId),
};

// Fit in the next frame, not inside the observer's callback (no resize-observer loop).
let refitFrame = null;
const refitSoon = () => {
  if (refitFrame === null) refitFrame = requestAnimationFrame(() => { refitFrame = null; refitFigures(); });
};
const resized = new ResizeObserver(refitSoon);
for (const box of document.querySelectorAll(".kpi, .grid > .card")) resized.observe(box);
document.fonts?.ready.then(refitSoon);

adoptKeyFromUrl();
state.showId = routeShowId();
installFilters((params) => {
  state.velocity = []; // the figures now answer another question: start the chart afresh
  if (params.get("show_id")) pickShow(params.get("show_id"));
  else poll();
});
setInterval(renderFreshness, 500);
if (viewerKey()) poll(); else askForKey(null);
