// Old addresses of imported posts and pages → 301 to their billet address. Most are answered by
// the static assets layer from public/_redirects, without running the Worker. The others are KV
// records written by the build (scripts/redirects.ts), `redirect:<path>[?<query>]` → "/posts/<slug>/",
// answered here: addresses with a query (WordPress's /?p=123, /blog/?page_id=4, /index.php?p=123),
// which _redirects cannot match, and paths beyond the 2,000 static rules it holds. The old blog's
// category, tag, date and author addresses have records too, so that their pages (…/page/3/) follow
// them; its search (/?s=word) becomes billet's.
import { knownPost } from "../pages/cache.ts";
import { commentedPage } from "../pages/post-page.ts";
import { hasOldQuery, normalizePath, redirectKey } from "../store/redirect-key.ts";
import { SLUG } from "../http/validate.ts";
import { SEARCH_PATH } from "../render/addresses.ts";

const moved = (to: string, url: URL) =>
  new Response(null, { status: 301, headers: { Location: new URL(to, url).toString(), "Cache-Control": "public, max-age=86400" } });

async function lookup(env: Env, key: string | null): Promise<string | null> {
  if (!key) return null;
  try {
    const to = await env.POSTS.get(key, { cacheTtl: 300 });
    return to?.startsWith("/") && !to.startsWith("//") ? to : null;
  } catch (err) {
    console.error("redirects unavailable", err instanceof Error ? err.message : err);
    return null;
  }
}

/** The billet address of an old one, or null. */
async function targetOf(env: Env, url: URL): Promise<string | null> {
  const to = await lookup(env, redirectKey(url));
  if (to || hasOldQuery(url)) return to;
  // A page of an old listing (/category/x/page/3/, /blog/page/2/): the listing's address, and for
  // the old home page billet's page of the same number (other listings page differently).
  const paged = /^(.*\/)page\/(\d{1,6})\/?$/.exec(normalizePath(url.pathname));
  if (!paged) return null;
  const listing = await lookup(env, `redirect:${paged[1]}`);
  if (listing === "/") return Number(paged[2]) >= 2 ? `/page/${Number(paged[2])}/` : "/";
  return listing;
}

/** An old search (/?s=word, /blog/?s=word) as billet's. */
function searchOf(url: URL): string | null {
  const words = url.searchParams.get("s");
  if (words === null) return null;
  return `${SEARCH_PATH}${words.trim() ? `?${new URLSearchParams({ q: words.trim() })}` : ""}`;
}

async function notFound(env: Env, url: URL): Promise<Response> {
  const page = await env.ASSETS.fetch(new URL("/404.html", url));
  return new Response(page.ok ? page.body : "Not found", { status: 404, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

/**
 * GET / and /index.php: a 301 for an old address with a query the build knows, and for an old
 * search; a 404 for an old post number that was not imported; else the home page.
 */
export async function oldAddress(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  if (url.search) {
    const to = await targetOf(env, url);
    if (to) return moved(to, url);
    if (hasOldQuery(url)) return notFound(env, url);
    const search = searchOf(url);
    if (search) return moved(search, url);
  }
  if (url.pathname !== "/") return notFound(env, url);
  return env.ASSETS.fetch(request);
}

/**
 * Every other address: the static asset when there is one (under /posts/, which runs the Worker
 * first), else an old address the build knows (the assets layer sends here what it has no file
 * for), else the 404 page.
 */
export async function otherAddress(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url);
  const asset = await env.ASSETS.fetch(request);
  if (asset.status !== 404 || (request.method !== "GET" && request.method !== "HEAD")) return asset;
  await asset.body?.cancel();
  // A page that shows comments (its record says it lives here).
  const slug = /^\/([a-z0-9-]+)\/?$/.exec(url.pathname)?.[1];
  if (slug && SLUG.test(slug)) {
    const record = await knownPost(env, slug).catch(() => null);
    if (record?.url === `/${slug}/`) {
      if (!url.pathname.endsWith("/")) return Response.redirect(new URL(`/${slug}/${url.search}`, url).toString(), 301);
      return commentedPage(request, env, ctx, slug);
    }
  }
  const to = await targetOf(env, url);
  // The old blog's home in its folder (/blog/ → /) with a search: billet's search.
  if (to === "/" && searchOf(url)) return moved(searchOf(url)!, url);
  if (to) return moved(to, url);
  // An old link with a double slash: the address it meant (its rule is in _redirects).
  if (/\/{2,}/.test(url.pathname)) {
    const path = url.pathname.replace(/\/{2,}/g, "/");
    if (path !== url.pathname) return moved(`${path}${url.search}`, url);
  }
  return notFound(env, url);
}
