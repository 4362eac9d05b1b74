// Threads of other sites' pages (README, "Comments on any site"): the one spelling of a page's
// address, the site it belongs to, and the key its comments are stored under.

/** Query parameters that name a page rather than a view of it (WordPress's ?p= and ?page_id=, a language). */
export const KEPT_QUERY = ["p", "page_id", "lang"] as const;

/** The last path segments that are the directory's own page. */
const INDEX_FILES = /\/index\.(html?|php)$/i;

/**
 * The one spelling of a page's address, or null if it is not an http(s) address: https, host in
 * lower case without `www.`, no fragment, no credentials, no query but KEPT_QUERY
 * (sorted), one slash at a time, no `index.html` and no trailing slash (but for `/`).
 * Idempotent: normalising a normalised address gives it back. A port other than the scheme's
 * default is kept (a site on a port of its own is another site).
 */
export function normaliseUrl(raw: string): string | null {
  // One pass can leave work for the next (`/a/index.html/`), so passes run until nothing changes.
  let out = normaliseOnce(raw);
  for (let i = 0; out !== null && i < 8; i++) {
    const again = normaliseOnce(out);
    if (again === out) return out;
    out = again;
  }
  return out;
}

function normaliseOnce(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  const hostname = url.hostname.replace(/^www\./, "").replace(/\.$/, "");
  if (!hostname) return null;
  const host = url.port ? `${hostname}:${url.port}` : hostname;
  const path = url.pathname
    .replace(/\/{2,}/g, "/")
    .replace(/\/+$/, "")
    .replace(INDEX_FILES, "")
    .replace(/\/+$/, "");
  const kept: [string, string][] = [];
  for (const name of KEPT_QUERY) {
    const value = url.searchParams.get(name);
    if (value !== null && value !== "") kept.push([name, value]);
  }
  const query = kept.length ? `?${new URLSearchParams(kept).toString()}` : "";
  // Through URL once more, so the path's escapes are spelled as URL spells them.
  const out = new URL(`https://${host}${path || "/"}${query}`);
  return out.href;
}

/** An embedding site's origin as configured (`https://blog.example`), or null if it is not one. */
export function siteOrigin(raw: string): string | null {
  try {
    const url = new URL(raw.trim());
    if ((url.protocol !== "https:" && url.protocol !== "http:") || url.pathname !== "/" || url.search || url.hash) return null;
    return url.origin;
  } catch {
    return null;
  }
}

/** The host a site's threads live on: its host (and port) without `www.`. */
const siteHost = (origin: string): string => new URL(origin).host.replace(/^www\./, "");

/** The allowed site a normalised page address belongs to (its host), or null. */
export function siteOfUrl(url: string, sites: readonly string[]): string | null {
  const host = new URL(url).host;
  return sites.find((site) => siteHost(site) === host) ?? null;
}

/**
 * Does a browser at `origin` speak for `site`? The same site, over http or https, with or
 * without `www.` (https://www.blog.example embeds the threads of https://blog.example).
 */
export function originSpeaksFor(origin: string, site: string): boolean {
  const parsed = siteOrigin(origin);
  return parsed !== null && new URL(parsed).host.replace(/^www\./, "") === new URL(site).host.replace(/^www\./, "");
}

/** An explicit thread id, as a page may give one instead of its address (data-billet-id). */
export const THREAD_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/;

/**
 * The key a thread's comments are stored under (comments.post_slug): `~` and 24 hex digits of the
 * SHA-256 of its site's host and its explicit id, or of its normalised address. A post's slug has
 * no `~`, so the two never meet; the key is known before the thread is stored.
 */
export async function threadKey(url: string, id: string | null): Promise<string> {
  const name = id ? `id\n${new URL(url).hostname}\n${id}` : `url\n${url}`;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(name)));
  return `~${[...digest.slice(0, 12)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export const THREAD_KEY = /^~[0-9a-f]{24}$/;

/** A page's title as text: no control characters, spaces collapsed, at most 200 characters. */
export function plainTitle(raw: unknown): string {
  if (typeof raw !== "string") return "";
  return [
    ...raw
      .replace(/[\u0000-\u001f\u007f]+/g, " ")
      .replace(/\s+/g, " ")
      .trim(),
  ]
    .slice(0, 200)
    .join("");
}
