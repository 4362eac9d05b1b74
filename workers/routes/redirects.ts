// Old addresses with a query (WordPress's /?p=123, /?page_id=4, /index.php?p=123) → 301 to the
// post or page's billet address. The build writes one KV record per old address
// (`redirect:/?p=123` → "/posts/<slug>/", scripts/redirects.ts); old addresses without a query are
// answered by the static assets layer from public/_redirects, without running the Worker. Anything
// else at these paths is the static asset (the home page).
const QUERY_KEYS = ["p", "page_id", "attachment_id"];

/** The KV key of an old address with a query, or null (see queryRedirectKey in scripts/redirects.ts). */
export function redirectKey(url: URL): string | null {
  const key = QUERY_KEYS.find((k) => url.searchParams.get(k));
  if (!key) return null;
  const value = url.searchParams.get(key)!.toLowerCase();
  if (!/^[\w-]{1,64}$/.test(value)) return null;
  const path = url.pathname.replace(/\/index\.php$/i, "/").replace(/\/+$/, "") || "/";
  return `redirect:${path === "/" ? "/" : `${path}/`}?${key}=${value}`;
}

/** GET / and /index.php: a 301 for an old address the build knows, else the static asset. */
export async function oldAddress(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const key = redirectKey(url);
  if (key) {
    let to: string | null = null;
    try {
      to = await env.POSTS.get(key, { cacheTtl: 300 });
    } catch (err) {
      console.error("redirects unavailable", err instanceof Error ? err.message : err);
    }
    if (to?.startsWith("/") && !to.startsWith("//")) {
      return new Response(null, { status: 301, headers: { Location: new URL(to, url).toString(), "Cache-Control": "public, max-age=86400" } });
    }
  }
  if (url.pathname !== "/") return env.ASSETS.fetch(new URL("/404.html", url)).then((res) => new Response(res.body, { status: 404, headers: res.headers }));
  return env.ASSETS.fetch(request);
}
