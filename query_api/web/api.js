// JSON calls to the query API: the viewer key as Bearer, and ETag revalidation.
//
// Each URL keeps its last ETag and body; a 304 answers with that body, so a
// poll of an unchanged resource costs no transfer and no re-render.

const KEY_STORAGE = "boxoffice.viewerKey";

export class KeyRefused extends Error {}

/** Take ?key= from the URL into sessionStorage (and out of the address bar and history). */
export function adoptKeyFromUrl() {
  const url = new URL(window.location.href);
  const key = url.searchParams.get("key");
  if (key) {
    sessionStorage.setItem(KEY_STORAGE, key);
    url.searchParams.delete("key");
    window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
  }
}

export const viewerKey = () => sessionStorage.getItem(KEY_STORAGE);
export const setViewerKey = (key) => sessionStorage.setItem(KEY_STORAGE, key);
export const forgetViewerKey = () => sessionStorage.removeItem(KEY_STORAGE);

const cache = new Map(); // url -> {etag, body}

/**
 * GET a JSON resource. Resolves to {body, changed}; `changed` is false on a 304.
 * Rejects with KeyRefused on 401/403 and with Error on anything else not 2xx.
 */
export async function getJson(url) {
  const headers = { Accept: "application/json" };
  const key = viewerKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  const cached = cache.get(url);
  if (cached) headers["If-None-Match"] = cached.etag;
  // no-store: the conditional request is ours; the HTTP cache must not answer it for us.
  const response = await fetch(url, { headers, cache: "no-store" });
  if (response.status === 304 && cached) return { body: cached.body, changed: false };
  if (response.status === 401 || response.status === 403) throw new KeyRefused(`${url}: ${response.status}`);
  if (!response.ok) {
    let message = `${response.status}`;
    try { message = (await response.json()).error?.message ?? message; } catch { /* not JSON */ }
    throw new Error(`${url}: ${message}`);
  }
  const body = await response.json();
  const etag = response.headers.get("ETag");
  if (etag) cache.set(url, { etag, body });
  return { body, changed: true };
}
