// The KV key of an old address: one function for the build that writes the records
// (scripts/redirects.ts) and the Worker that answers them (routes/redirects.ts).
const QUERY_KEYS = ["p", "page_id", "attachment_id"];

/**
 * The KV key of an old address, or null when it cannot be one: its path and, when it has one, the
 * WordPress query it was addressed by ("/?p=123"; also for /index.php?p=123), other parameters
 * ignored; paths are kept as written (decoded), queries in lower case.
 */
export function redirectKey(url: URL): string | null {
  let path = url.pathname;
  try {
    path = decodeURI(path);
  } catch {
    // keep it encoded
  }
  const key = QUERY_KEYS.find((k) => url.searchParams.get(k));
  if (!key) return path.length <= 512 ? `redirect:${path}` : null;
  const value = url.searchParams.get(key)!.toLowerCase();
  if (!/^[\w-]{1,64}$/.test(value)) return null;
  const folder = path.replace(/\/index\.php$/i, "/").replace(/\/+$/, "") || "/";
  return `redirect:${folder === "/" ? "/" : `${folder}/`}?${key}=${value}`;
}
