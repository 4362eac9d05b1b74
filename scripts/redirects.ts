// Old addresses of posts and pages (front matter `redirect_from`, which `npm run import` fills with
// WordPress's permalink, ?p=N and ?page_id=N) → 301 to their billet address, and each old feed
// (…/feed/) to the post's comment feed. Paths go into public/_redirects, which Cloudflare's static
// assets layer answers without running the Worker (it holds at most 2,000 static and 100 dynamic
// rules: where many posts share a permalink shape and kept their slug, one dynamic rule covers
// them). What _redirects cannot hold becomes a KV record the Worker answers
// (workers/routes/redirects.ts): addresses with a query (?p=123, /blog/?p=123), and paths beyond
// the 2,000 static rules. The old blog's listings (content/redirects.json, written by the import:
// categories, tags, dates, authors, feeds) come after the posts' rules, and are all KV records too.
import { normalizePath, redirectKey } from "../workers/store/redirect-key.ts";
import type { Page, Post } from "./content.ts";

export const MAX_STATIC = 2000;
export const MAX_DYNAMIC = 100;

/** The Worker's key for an old address: "redirect:/?p=123", "redirect:/blog/?p=4", "redirect:/2008/03/a-post/". */
export function oldAddressKey(pathname: string, search: string): string | null {
  return redirectKey(new URL(`${pathname}${search}`, "http://host.invalid"));
}

export interface Redirects {
  /** The _redirects file. */
  file: string;
  /** KV records for the Worker: addresses with a query, and paths over the static rules. */
  kv: { key: string; value: string }[];
  staticCount: number;
  dynamicCount: number;
  /** Old addresses that could not be redirected, and why. */
  dropped: string[];
}

interface Rule {
  from: string;
  to: string;
  slug?: string;
}

/** An old address as a path (and query): absolute addresses lose their scheme and host. */
function pathOf(ref: string): { pathname: string; search: string } | null {
  const s = ref.trim();
  if (!s) return null;
  try {
    const u = new URL(s, "http://host.invalid");
    return { pathname: u.pathname, search: u.search };
  } catch {
    return null;
  }
}

/** billet's own addresses, which a generated dynamic rule must never catch. */
function ownPaths(posts: Post[], pages: Page[]): string[] {
  return [
    "/",
    "/page/2/",
    "/page/10/",
    "/admin/",
    "/feed.xml",
    "/sitemap.xml",
    "/robots.txt",
    "/404.html",
    "/widget.js",
    "/billet.css",
    "/api/posts/",
    "/api/posts/a/comments",
    "/moderate/x",
    "/subscriptions/confirm/x",
    "/subscriptions/stop/x",
    "/posts/a-post/",
    "/posts/a-post/comments.xml",
    ...posts.slice(0, 50).flatMap((p) => [p.url, `${p.url}comments.xml`]),
    ...pages.map((p) => p.url),
  ];
}

const placeholderRegex = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split("/")
      .map((seg) => (seg.startsWith(":") ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("/")}$`,
  );

/**
 * The shape of an old path whose last segment is the post's slug, as a dynamic rule:
 * /2008/03/17/my-post/ → /:a/:b/:c/:slug/ (numeric segments become placeholders, words stay).
 */
function shapeOf(from: string, slug: string): string | null {
  const trailing = from.endsWith("/");
  const segments = from.replace(/^\/|\/$/g, "").split("/");
  if (segments.length < 2 || segments.at(-1) !== slug) return null;
  let n = 0;
  const shape = segments.map((seg, i) => (i === segments.length - 1 ? ":slug" : /^\d+$/.test(seg) ? `:n${n++}` : seg));
  if (!n && shape.length < 3) return null;
  return `/${shape.join("/")}${trailing ? "/" : ""}`;
}

/** billet's own address prefixes: an old address there is never redirected (content/redirects.json). */
const OWN_PREFIXES = ["/posts/", "/tags/", "/categories/", "/archives/", "/api/", "/admin/", "/page/", "/search", "/feed.xml", "/comments.xml"];

/**
 * `archive`: the old blog's other addresses (content/redirects.json: its categories, tags, dates,
 * authors and feeds), published like the posts' own (after them in _redirects), and all of them
 * in KV too, where the Worker follows their pages (/category/x/page/3/).
 */
export function buildRedirects(posts: Post[], pages: Page[], archive: Record<string, string> = {}): Redirects {
  const path: Rule[] = [];
  const kv = new Map<string, string>();
  const dropped: string[] = [];
  const seen = new Set<string>();
  const targets = [
    ...posts.map((p) => ({ item: p, url: p.url, feed: `${p.url}comments.xml`, slug: p.slug })),
    ...pages.map((p) => ({ item: p, url: p.url, feed: p.url, slug: p.slug })),
  ];
  for (const { item, url, feed, slug } of targets) {
    for (const ref of item.redirect_from ?? []) {
      const at = pathOf(ref);
      if (!at) continue;
      if (at.search) {
        const key = /[?&](p|page_id|attachment_id)=/.test(at.search) ? oldAddressKey(at.pathname, at.search) : null;
        if (key && !kv.has(key)) kv.set(key, url);
        else if (!key) dropped.push(`${ref} (only ?p=, ?page_id= and ?attachment_id= addresses are redirected)`);
        continue;
      }
      const from = normalizePath(at.pathname);
      if (/\s/.test(from)) {
        dropped.push(`${ref} (a space in an address cannot be written in _redirects)`);
        continue;
      }
      const feedFrom = `${from.replace(/\/$/, "")}/feed/`;
      for (const [f, t] of [
        [from, url],
        [feedFrom, feed],
      ]) {
        if (f === t || f === "/" || seen.has(f)) continue;
        seen.add(f);
        path.push({ from: f, to: t, slug });
      }
    }
  }

  const archived: string[] = [];
  for (const [ref, to] of Object.entries(archive)) {
    const from = normalizePath(pathOf(ref)?.pathname ?? "");
    if (!from.startsWith("/") || from === "/" || OWN_PREFIXES.some((p) => from.startsWith(p)) || !to.startsWith("/") || to.startsWith("//")) {
      dropped.push(`${ref} (not an old address of the blog's, or not to one of billet's)`);
      continue;
    }
    if (/\s/.test(from)) {
      dropped.push(`${ref} (a space in an address cannot be written in _redirects)`);
      continue;
    }
    const key = oldAddressKey(from, "");
    if (key && !kv.has(key)) kv.set(key, to);
    archived.push(from);
    // The old home in its folder (/blog/ → /) only in KV: _redirects would carry its queries
    // along (/blog/?p=12 → /?p=12), where the Worker tells /blog/?p=12 and /blog/?s=word apart.
    if (seen.has(from) || from === to || to === "/") continue;
    seen.add(from);
    path.push({ from, to });
  }

  // Dynamic rules where many posts share a shape and kept their slug (never over an archive address).
  const own = [...ownPaths(posts, pages), ...archived];
  const byShape = new Map<string, Rule[]>();
  for (const r of path) {
    if (!r.slug || !r.to.startsWith("/posts/")) continue;
    const isFeed = r.to.endsWith("comments.xml");
    const shape = shapeOf(isFeed ? r.from.replace(/\/feed\/$/, "/") : r.from, r.slug);
    if (!shape) continue;
    const key = `${isFeed ? `${shape.replace(/\/$/, "")}/feed/` : shape} ${isFeed ? "/posts/:slug/comments.xml" : "/posts/:slug/"}`;
    const list = byShape.get(key) ?? [];
    list.push(r);
    byShape.set(key, list);
  }
  const dynamic: string[] = [];
  const covered = new Set<Rule>();
  const needed = path.length > MAX_STATIC;
  for (const [key, rules] of [...byShape].sort((a, b) => b[1].length - a[1].length)) {
    if (dynamic.length >= MAX_DYNAMIC || rules.length < (needed ? 2 : 25)) continue;
    const [pattern] = key.split(" ");
    const re = placeholderRegex(pattern);
    if (own.some((p) => re.test(p))) continue;
    dynamic.push(`${key} 301`);
    for (const r of rules) covered.add(r);
  }
  const rest = path.filter((r) => !covered.has(r));
  // Static rules that a dynamic rule would send elsewhere stay static (they come first).
  const statics = rest.slice(0, MAX_STATIC);
  // Beyond what _redirects holds, the Worker answers them (the assets layer sends it what it has no file for).
  for (const r of rest.slice(MAX_STATIC)) {
    const key = oldAddressKey(r.from, "");
    if (key && !kv.has(key)) kv.set(key, r.to);
  }
  const lines = [
    "# Made by npm run build from the posts' and pages' redirect_from (old addresses): do not edit.",
    ...statics.map((r) => `${r.from} ${r.to} 301`),
    ...dynamic,
  ];
  return {
    file: `${lines.join("\n")}\n`,
    kv: [...kv].map(([key, to]) => ({ key, value: to })),
    staticCount: statics.length,
    dynamicCount: dynamic.length,
    dropped,
  };
}
