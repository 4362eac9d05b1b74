// GET /sitemap.xml: the sitemap the build wrote, with each post's <lastmod> moved to the last time
// what readers see of it changed (a comment approved, edited or removed), which the database keeps
// per post (post_versions.changed_at). One D1 query over one row per commented post; when D1 cannot
// be read, the built file as it is.
import { openDb, postsChangedAt } from "../db/comments.ts";
import { etagOf, notModified } from "../http/etag.ts";
import site from "../../content/site.json";

/** W3C datetime to the second (what sitemaps take), in UTC. */
const w3c = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

// The slug of a post's (or a commented page's) address on this site: /posts/<slug>/ or /<slug>/.
// (A prefix and a pattern, not a URL parsed for each of thousands of entries.)
const ORIGIN = new URL(site.url).origin;
const POST_PATH = /^\/(?:posts\/)?([a-z0-9-]+)\/$/;

function slugOf(loc: string): string | null {
  return loc.startsWith(`${ORIGIN}/`) ? (POST_PATH.exec(loc.slice(ORIGIN.length))?.[1] ?? null) : null;
}

/** The built sitemap with each post's lastmod the later of the built one and its last change. */
export function withChanges(xml: string, changed: Map<string, number>): string {
  return xml.replace(/<url>([\s\S]*?)<\/url>/g, (whole, inner: string) => {
    const loc = /<loc>([^<]*)<\/loc>/.exec(inner)?.[1];
    const slug = loc ? slugOf(loc.replace(/&amp;/g, "&")) : null;
    const at = slug ? changed.get(slug) : undefined;
    if (at === undefined) return whole;
    const built = /<lastmod>([^<]*)<\/lastmod>/.exec(inner)?.[1];
    const builtAt = built ? Date.parse(built) : Number.NaN;
    if (!Number.isNaN(builtAt) && builtAt >= at) return whole;
    const lastmod = `<lastmod>${w3c(at)}</lastmod>`;
    return `<url>${built !== undefined ? inner.replace(/<lastmod>[^<]*<\/lastmod>/, lastmod) : `${inner}${lastmod}`}</url>`;
  });
}

export async function sitemapRoute(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const [asset, changed] = await Promise.all([
    env.ASSETS.fetch(new URL("/sitemap.xml", url)),
    postsChangedAt(openDb(env.DB)).catch((err) => {
      console.error("sitemap: post changes unavailable, the built file is served", err instanceof Error ? err.message : err);
      return null;
    }),
  ]);
  if (!asset.ok) return asset;
  const built = await asset.text();
  const xml = changed ? withChanges(built, changed) : built;
  const etag = await etagOf(xml);
  const headers = { "Content-Type": "application/xml; charset=utf-8", "Cache-Control": "public, max-age=60", ETag: etag };
  if (notModified(request, etag)) return new Response(null, { status: 304, headers });
  return new Response(xml, { headers });
}
