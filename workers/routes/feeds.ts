// The comments as Atom feeds (newest first): a post's, for readers who follow a discussion, and
// the whole site's latest. Every link is built from the site's configured address (content/site.json),
// never from the request's host, and each comment links to its anchor on the page of comments
// that shows it.
import { getConfig } from "../config.ts";
import { latestComments, openDb, postFeedComments, siteChangedAt, type FeedRow } from "../db/comments.ts";
import { etagOf, notModified } from "../http/etag.ts";
import { currentKey, getCachedAnswer, knownPost, putCachedAnswer, type Entry } from "../pages/cache.ts";
import { escapeHtml } from "../render/html.ts";
import { stringsFor } from "../render/strings.ts";
import { getPost, listPosts, type PostRecord } from "../store/posts.ts";
import { SLUG } from "../http/validate.ts";
import site from "../../content/site.json";
import { COMMENTS_FEED_PATH } from "../render/addresses.ts";

type Params = { params: Record<string, string> };

const FEED_SIZE = 50;
const ATOM_TYPE = "application/atom+xml; charset=utf-8";

const absolute = (path: string) => new URL(path, site.url).toString();

/** The comment's anchor on the page of comments that shows it, and its lasting id (the anchor on the post). */
function commentAddresses(post: PostRecord, row: FeedRow, perPage: number): { link: string; id: string } {
  const page = Math.floor(row.threadsBefore / perPage) + 1;
  const base = absolute(post.url);
  return { link: `${base}${page > 1 ? `?page=${page}` : ""}#comment-${row.id}`, id: `${base}#comment-${row.id}` };
}

/** One comment; the author's own (badge) say so in the title and as a category, as the page does. */
function entry(title: string, row: FeedRow, at: { link: string; id: string }, badge: string): string {
  return `<entry>
<title>${escapeHtml(row.byAuthor ? `${title} (${badge})` : title)}</title>${row.byAuthor ? `\n<category term="author" label="${escapeHtml(badge)}"/>` : ""}
<link href="${escapeHtml(at.link)}"/>
<id>${escapeHtml(at.id)}</id>
<published>${new Date(row.createdAt).toISOString()}</published>
<updated>${new Date(row.editedAt ?? row.createdAt).toISOString()}</updated>
<author><name>${escapeHtml(row.authorName)}</name>${row.authorUrl ? `<uri>${escapeHtml(row.authorUrl)}</uri>` : ""}</author>
<content type="html">${escapeHtml(row.html)}</content>
</entry>`;
}

function feed(opts: { lang: string; title: string; self: string; alternate: string; updated: number; entries: string[] }): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${escapeHtml(opts.lang)}">
<title>${escapeHtml(opts.title)}</title>
<link href="${escapeHtml(opts.self)}" rel="self"/>
<link href="${escapeHtml(opts.alternate)}"/>
<id>${escapeHtml(opts.self)}</id>
<updated>${new Date(opts.updated).toISOString()}</updated>
${opts.entries.join("\n")}
</feed>
`;
}

/** A feed as answered: from its copy for the state it was made from, or made (and kept under that state). */
async function cachedFeed(request: Request, ctx: ExecutionContext, key: string | null, make: () => Promise<string>): Promise<Response> {
  let entry: Entry | null = key ? await getCachedAnswer(key) : null;
  if (!entry) {
    const xml = await make();
    entry = { body: xml, etag: await etagOf(xml), status: 200 };
    if (key) ctx.waitUntil(putCachedAnswer(key, entry, ATOM_TYPE).catch(() => undefined));
  }
  const headers = { "Content-Type": ATOM_TYPE, "Cache-Control": "public, max-age=60", ETag: entry.etag };
  if (notModified(request, entry.etag)) return new Response(null, { status: 304, headers });
  return new Response(entry.body, { headers });
}

/** The newest time a feed's entries were written or edited (or `fallback` with none). */
const latest = (rows: FeedRow[], fallback: number) => rows.reduce((t, r) => Math.max(t, r.editedAt ?? r.createdAt), rows.length ? 0 : fallback);

/** GET /posts/:slug/comments.xml: kept under the post's state (its comments' version and record), as its pages are. */
export async function commentsFeed(request: Request & Params, env: Env, ctx: ExecutionContext): Promise<Response> {
  const slug = request.params.slug;
  // The record as this isolate knows it (read again after a few seconds), as the post's pages do.
  const post = SLUG.test(slug) ? await knownPost(env, slug) : null;
  if (!post) return new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const perPage = getConfig(env).commentsPerPage;
  const state = await currentKey(env, slug);
  const key = state && `${absolute(`/posts/${slug}/comments.xml`)}?billet-state=${state}&per-page=${perPage}`;
  return cachedFeed(request, ctx, key, () => postFeed(env, post, perPage));
}

async function postFeed(env: Env, post: PostRecord, perPage: number): Promise<string> {
  const slug = post.slug;
  const rows = await postFeedComments(openDb(env.DB), slug, FEED_SIZE);
  const s = stringsFor(post.lang);
  return feed({
    lang: post.lang,
    title: `${s.commentsTitle} · ${post.title}`,
    self: absolute(`/posts/${slug}/comments.xml`),
    alternate: absolute(post.url),
    updated: latest(rows, Date.parse(post.date)),
    entries: rows.map((r) => entry(r.authorName, r, commentAddresses(post, r, perPage), s.authorBadge)),
  });
}

/**
 * GET /comments.xml: the latest approved comments of the whole site, each with its post's title
 * (or its outside thread's page title, EMBED_SITES).
 * Kept under the site's last change (one row read on its index) for at most a minute (its titles
 * come from the posts' records).
 */
export async function siteCommentsFeed(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const perPage = getConfig(env).commentsPerPage;
  const changed = await siteChangedAt(openDb(env.DB));
  const key = `${absolute(COMMENTS_FEED_PATH)}?billet-state=${changed}.${Math.floor(Date.now() / 60_000)}&per-page=${perPage}`;
  return cachedFeed(request, ctx, key, () => siteFeed(env, perPage));
}

async function siteFeed(env: Env, perPage: number): Promise<string> {
  // One round trip to D1; the posts' titles from the list in KV (read at the same time), and the
  // record of a page that takes comments (not in the list) when one is there.
  const [rows, list] = await Promise.all([latestComments(openDb(env.DB), FEED_SIZE), listPosts(env.POSTS)]);
  const posts = new Map(list.map((p) => [p.slug, p]));
  const postRows = rows.filter((r) => r.pageUrl === null);
  const others = [...new Set(postRows.map((r) => r.postSlug).filter((slug) => !posts.has(slug)))];
  for (const post of await Promise.all(others.map((slug) => getPost(env.POSTS, slug)))) if (post) posts.set(post.slug, post);
  const s = stringsFor(site.lang);
  // A comment on a post that is no longer published has no page to link to: left out. One of an
  // outside thread links to its page on the other site, where a reader sees it among the others
  // and can answer (billet's own /threads/ copy is a fallback, not where its readers are).
  const shown = rows.filter((r) => r.pageUrl !== null || posts.has(r.postSlug));
  return feed({
    lang: site.lang,
    title: `${s.latestComments} · ${site.title}`,
    self: absolute(COMMENTS_FEED_PATH),
    alternate: absolute("/"),
    updated: latest(shown, 0),
    entries: shown.map((r) => {
      if (r.pageUrl !== null) {
        const at = `${r.pageUrl.split("#")[0]}#comment-${r.id}`;
        return entry(s.commentOn(r.authorName, r.pageTitle || r.pageUrl), r, { link: at, id: at }, s.authorBadge);
      }
      const post = posts.get(r.postSlug)!;
      return entry(s.commentOn(r.authorName, post.title), r, commentAddresses(post, r, perPage), s.authorBadge);
    }),
  });
}
