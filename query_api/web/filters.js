// The dashboard's filters (day range, show) and its CSV download.
//
// The filters live in the page's query string (?from=&to=&show_id=), so a filtered
// view can be bookmarked and shared; the dashboard is requested with the same
// parameters, and the CSV is the same figures the page shows.

import { getJson, viewerKey } from "./api.js";

const $ = (id) => document.getElementById(id);
const NAMES = ["from", "to", "show_id"];

/** The current filters as query parameters (only those set). */
export function filterParams() {
  const params = new URLSearchParams();
  for (const name of NAMES) {
    const value = new URL(window.location.href).searchParams.get(name);
    if (value) params.set(name, value);
  }
  return params;
}

/** "?from=…&to=…&show_id=…" for the dashboard request, or "" when unfiltered. */
export function dashboardQuery() {
  const params = filterParams().toString();
  return params ? `?${params}` : "";
}

function writeParams(values) {
  const url = new URL(window.location.href);
  for (const name of NAMES) {
    if (values[name]) url.searchParams.set(name, values[name]);
    else url.searchParams.delete(name);
  }
  window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
}

function describe(params) {
  const parts = [];
  if (params.get("from") || params.get("to")) parts.push(`sales ${params.get("from") ?? "…"} → ${params.get("to") ?? "…"}`);
  if (params.get("show_id")) parts.push("one show");
  return parts.length ? `filtered: ${parts.join(", ")}` : "";
}

/** Fill the show picker from the public show list (kept in step on each call; 304s cost nothing). */
export async function refreshShowOptions() {
  const { body, changed } = await getJson("/v1/shows");
  const select = $("filter-show");
  if (!changed && select.options.length > 1) return;
  const chosen = filterParams().get("show_id") ?? "";
  const shows = [...body.shows].sort((a, b) => a.starts_at.localeCompare(b.starts_at));
  select.replaceChildren(new Option("All shows", ""), ...shows.map((s) => new Option(`${s.title} · ${s.starts_at.slice(0, 16).replace("T", " ")}`, s.show_id)));
  select.value = chosen;
}

/** Download the dashboard as CSV with the viewer key (a plain link could not send it). */
async function downloadCsv() {
  const response = await fetch(`/v1/dashboard${dashboardQuery()}`, {
    headers: { Accept: "text/csv", Authorization: `Bearer ${viewerKey()}` },
    cache: "no-store",
  });
  if (!response.ok) {
    $("filter-note").textContent = `CSV refused: ${response.status}`;
    return;
  }
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  const params = filterParams();
  const suffix = [params.get("from"), params.get("to"), params.get("show_id")?.slice(0, 8)].filter(Boolean).join("_");
  link.download = `boxoffice-dashboard${suffix ? `_${suffix}` : ""}.csv`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

/** Wire the form: `onChange(params)` runs whenever a filter changes. */
export function installFilters(onChange) {
  const params = filterParams();
  $("filter-from").value = params.get("from") ?? "";
  $("filter-to").value = params.get("to") ?? "";
  $("filter-note").textContent = describe(params);
  const changed = () => {
    const from = $("filter-from").value;
    const to = $("filter-to").value;
    if (from && to && from > to) {
      $("filter-note").textContent = "the range ends before it starts";
      return;
    }
    writeParams({ from, to, show_id: $("filter-show").value });
    const now = filterParams();
    $("filter-note").textContent = describe(now);
    onChange(now);
  };
  for (const id of ["filter-from", "filter-to", "filter-show"]) $(id).addEventListener("change", changed);
  $("filter-clear").addEventListener("click", () => {
    $("filter-from").value = "";
    $("filter-to").value = "";
    $("filter-show").value = "";
    changed();
  });
  $("download-csv").addEventListener("click", () => downloadCsv().catch((error) => { $("filter-note").textContent = `CSV failed: ${error.message}`; }));
}
