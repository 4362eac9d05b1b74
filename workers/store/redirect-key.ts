// The KV key of an old address: one function for the build that writes the records
// (scripts/redirects.ts) and the Worker that answers them (routes/redirects.ts).
const QUERY_KEYS = ["p", "page_id", "attachment_id"];

/**
 * A path as old links may spell it, in one form: percent-escapes decoded where they stand for
 * characters ("%ce%b5" and "%CE%B5" both "ε"), the others ("%2f") in upper case, runs of slashes
 * one slash.
 */
export function normalizePath(pathname: string): string {
  let path = pathname.replace(/%[0-9a-f]{2}/gi, (e) => e.toUpperCase());
  try {
    path = decodeURI(path);
  } catch {
    // keep it encoded
  }
  return path.replace(/\/{2,}/g, "/");
}

/** Whether an address asks for an old WordPress post or page by its number (/?p=123). */
export const hasOldQuery = (url: URL): boolean => QUERY_KEYS.some((k) => url.searchParams.get(k));

/**
 * The KV key of an old address, or null when it cannot be one: its path and, when it has one, the
 * WordPress query it was addressed by ("/?p=123"; also for /index.php?p=123), other parameters
 * ignored; paths in the one form of normalizePath, queries in lower case.
 */
export function redirectKey(url: URL): string | null {
  const path = normalizePath(url.pathname);
  const key = QUERY_KEYS.find((k) => url.searchParams.get(k));
  if (!key) return path.length <= 512 ? `redirect:${path}` : null;
  const value = url.searchParams.get(key)!.toLowerCase();
  if (!/^[\w-]{1,64}$/.test(value)) return null;
  const folder = path.replace(/\/index\.php$/i, "/").replace(/\/+$/, "") || "/";
  return `redirect:${folder === "/" ? "/" : `${folder}/`}?${key}=${value}`;
}
