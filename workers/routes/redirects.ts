// Old addresses of imported posts and pages → 301 to their billet address. Most are answered by
// the static assets layer from public/_redirects, without running the Worker. The others are KV
// records written by the build (scripts/redirects.ts), `redirect:<path>[?<query>]` → "/posts/<slug>/",
// answered here: addresses with a query (WordPress's /?p=123, /blog/?page_id=4, /index.php?p=123),
// which _redirects cannot match, and paths beyond the 2,000 static rules it holds.
import { knownPost } from "../page-cache.ts";
import { commentedPage } from "../pages.ts";
import { redirectKey } from "../redirect-key.ts";
import { SLUG } from "../validate.ts";

async function redirectTo(env: Env, url: URL): Promise<Response | null> {
  const key = redirectKey(url);
  if (!key) return null;
  let to: string | null = null;
  try {
    to = await env.POSTS.get(key, { cacheTtl: 300 });
  } catch (err) {
    console.error("redirects unavailable", err instanceof Error ? err.message : err);
  }
  if (!to?.startsWith("/") || to.startsWith("//")) return null;
  return new Response(null, { status: 301, headers: { Location: new URL(to, url).toString(), "Cache-Control": "public, max-age=86400" } });
}

async function notFound(env: Env, url: URL): Promise<Response> {
  const page = await env.ASSETS.fetch(new URL("/404.html", url));
  return new Response(page.ok ? page.body : "Not found", { status: 404, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

/** GET / and /index.php: a 301 for an old address with a query the build knows, else the home page. */
export async function oldAddress(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  if (url.search) {
    const moved = await redirectTo(env, url);
    if (moved) return moved;
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
  return (await redirectTo(env, url)) ?? notFound(env, url);
}
