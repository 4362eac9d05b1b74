// Post pages: the pre-rendered page from the assets, with its comments section filled in from D1.
import { readOwnIds } from "../auth/tokens.ts";
import { facesOf } from "../auth/faces.ts";
import { getConfig } from "../config.ts";
import { bookmarkFrom } from "../auth/cookies.ts";
import { pageOfThreads, readerSession, type PageRow, type Shown } from "../db/comments.ts";
import { DEFAULT_SORT, isSort, type Sort } from "../db/order.ts";

import { emailSettings } from "../mail/email.ts";
import { etagOf, notModified } from "../http/etag.ts";
import { type Entry, forgetVersion, getCachedPage, knownPost, knownVersion, lastKnownKey, putCachedPage, rememberVersion, stateKey } from "./cache.ts";
import { renderCommentsSection, SECTION_ID, type FormState, type ThreadComment } from "../render/comments.ts";
import { postJsonLd } from "../render/jsonld.ts";
import { commentsOpen, type PostRecord } from "../store/posts.ts";
import { SLUG } from "../http/validate.ts";
import site from "../../content/site.json";

export function toThreadComment(row: PageRow & { shown: Shown }, avatar: string | null = null): ThreadComment {
  // An empty place says nothing of what was there.
  const removed = row.shown === "removed";
  return {
    id: row.id,
    parentId: row.parentId,
    threadId: row.threadId ?? row.id,
    authorName: removed ? "" : row.authorName,
    authorUrl: removed ? null : row.authorUrl,
    html: removed ? "" : row.html,
    createdAt: row.createdAt,
    editedAt: removed ? null : row.editedAt,
    status: row.shown,
    avatar: removed ? null : avatar,
    byAuthor: !removed && row.byAuthor === true,
    reactions: removed ? 0 : (row.reactions ?? 0),
  };
}

async function notFoundPage(env: Env, url: URL): Promise<Response> {
  const res = await env.ASSETS.fetch(new URL("/404.html", url));
  return new Response(res.ok ? res.body : "Not found", { status: 404, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function pageNumber(url: URL): number | null {
  const raw = url.searchParams.get("page");
  if (raw === null || raw === "") return 1;
  return /^\d{1,6}$/.test(raw) && Number(raw) >= 1 ? Number(raw) : null;
}

/** The order asked for in the address (?sort=oldest|newest|best; none: the default), or null when it is none of them. */
function sortOf(url: URL): Sort | null {
  const raw = url.searchParams.get("sort");
  if (raw === null || raw === "") return DEFAULT_SORT;
  return isSort(raw) ? raw : null;
}

function htmlResponse(body: string | Uint8Array, status: number, etag: string | null, shared: boolean, cache?: CacheOutcome): Response {
  const headers = new Headers({ "Content-Type": "text/html; charset=utf-8" });
  if (cache) headers.set("Server-Timing", `page;desc="${cache}"`);
  headers.set("Cache-Control", shared ? "public, max-age=0, must-revalidate" : "private, no-store");
  if (etag) headers.set("ETag", etag);
  return new Response(body, { status, headers });
}

/** GET /posts/:slug/ — served from the page cache when it can be; a page's comments are at its own address. */
export async function postPage(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url);
  if (!url.pathname.endsWith("/")) return Response.redirect(new URL(`${url.pathname}/${url.search}`, url).toString(), 301);
  // Slugs are plain ASCII: the raw path segment is the slug, or there is no such post.
  const slug = url.pathname.split("/")[2] ?? "";
  if (SLUG.test(slug)) {
    const record = await knownPost(env, slug).catch(() => null);
    const own = `/posts/${slug}/`;
    if (record && record.url !== own && /^\/[a-z0-9-]+\/$/.test(record.url))
      return Response.redirect(new URL(`${record.url}${url.search}`, url).toString(), 301);
  }
  return commentedPage(request, env, ctx, slug);
}

/** A post page, or a page that shows comments (at its own address), with them filled in. */
export async function commentedPage(request: Request, env: Env, ctx: ExecutionContext, slug: string): Promise<Response> {
  const url = new URL(request.url);
  const page = pageNumber(url);
  const sort = sortOf(url);
  if (!SLUG.test(slug) || page === null || sort === null) return notFoundPage(env, url);
  const replyTo = url.searchParams.get("reply_to");
  const own = await readOwnIds(request, env);
  const shared = own.length === 0 && !replyTo && bookmarkFrom(request) === null;

  let rendered: Rendered;
  if (shared) {
    rendered = await sharedPage(request, env, ctx, slug, page, sort);
  } else {
    const form = replyTo && /^\d{1,15}$/.test(replyTo) ? { replyTo: Number(replyTo) } : undefined;
    rendered = await renderPostPage(request, env, slug, { page, own, form, sort });
  }
  if (rendered.version === null) return htmlResponse(rendered.body, rendered.status, null, false, rendered.cache);
  const etag = rendered.etag ?? (await etagOf(rendered.body));
  if (notModified(request, etag)) return new Response(null, { status: 304, headers: { ETag: etag } });
  return htmlResponse(rendered.body, rendered.status, etag, shared, rendered.cache);
}

type Rendered = Awaited<ReturnType<typeof renderPostPage>> & { etag?: string; cache?: CacheOutcome };
/** Where a page came from (said in Server-Timing): a cached copy, a render of its own, or another reader's render. */
type CacheOutcome = "hit" | "render" | "shared";

/**
 * The page everyone sees: the cached copy for the post's current state, or one render (cached
 * then) for all the readers who ask for it at the same time. When this isolate does not know the
 * post's state, the comments are read first (with their version, one round trip) and the cached
 * copy for that state is served if there is one: so the page right after a change costs one read
 * and one render.
 */
async function sharedPage(request: Request, env: Env, ctx: ExecutionContext, slug: string, page: number, sort: Sort = DEFAULT_SORT): Promise<Rendered> {
  // The default order keeps the cache keys it always had.
  const order = sort === DEFAULT_SORT ? undefined : sort;
  const origin = new URL(request.url).origin;
  // The benchmark's "right after a change": the state is read again, and the copy looked up and
  // stored under a key of this request's own, so each reader pays what the first one after a change does.
  const first = env.PAGE_CACHE === "off" ? `.${crypto.randomUUID()}` : "";
  if (first) forgetVersion(slug);
  const version = knownVersion(slug);
  if (version !== null) {
    const state = stateKey(version, await knownPost(env, slug).catch(() => null));
    const hit = await getCachedPage(env, origin, slug, page, state, order);
    if (hit) return { ...hit, version, post: null, cache: "hit" };
  }
  const key = `${origin}|${slug}|${page}|${sort}|${version}${first}`;
  const pending = rendering.get(key);
  if (pending) return { ...(await pending), cache: "shared" };
  const render = (async (): Promise<Rendered> => {
    const rendered = await renderPostPage(request, env, slug, {
      page,
      sort,
      cached: async (state) => {
        const hit = await getCachedPage(env, origin, slug, page, state + first, order);
        return hit && { ...hit, cache: "hit" as const };
      },
    });
    if (rendered.version === null) {
      // The database cannot be read: the copy cached under the last state known here, if any.
      const last = lastKnownKey(slug);
      const hit = last === null ? null : await getCachedPage(env, origin, slug, page, last, order);
      return hit ? { ...hit, version: 0, post: null, cache: "hit" } : rendered;
    }
    if (rendered.status !== 200 || rendered.etag) return rendered;
    const etag = await etagOf(rendered.body);
    ctx.waitUntil(putCachedPage(env, origin, slug, page, stateKey(rendered.version, rendered.post) + first, { body: rendered.body, etag, status: 200 }, order));
    return { ...rendered, etag, cache: "render" };
  })().finally(() => rendering.delete(key));
  rendering.set(key, render);
  // The render outlives this reader if they leave: the others wait on it.
  ctx.waitUntil(render.catch(() => undefined));
  return render;
}

// Renders under way in this isolate, by page and the state it was asked at: readers who arrive
// together after a change wait for one render instead of each making their own.
const rendering = new Map<string, Promise<Rendered>>();

const encoder = new TextEncoder();

let renders = 0;
/** For tests: how many pages this isolate has rendered (for everyone or for one reader). */
export function pageRenders(): number {
  return renders;
}

/**
 * The post page as HTML, with the comments of one page of threads and the form in the given state
 * (values and errors after a failed no-JS post), and the post's version it was read at. When D1 or
 * KV cannot be read the page is served as it was built (its comments as of the build, version
 * null), so readers still get the post. `cached` is asked, once the state is read, for a copy
 * already made for it (which is then served instead of rendering).
 */
export async function renderPostPage(
  request: Request,
  env: Env,
  slug: string,
  opts: {
    page?: number;
    own?: number[];
    form?: FormState;
    status?: number;
    sort?: Sort;
    cached?: (state: string) => Promise<(Entry & { cache: CacheOutcome }) | null>;
  },
): Promise<{ body: string | Uint8Array; status: number; version: number | null; post: PostRecord | null; etag?: string; cache?: CacheOutcome }> {
  const url = new URL(request.url);
  const page = opts.page ?? 1;
  const config = getConfig(env);
  let post: PostRecord | null;
  let threads: Awaited<ReturnType<typeof pageOfThreads>>;
  let asset: Response;
  try {
    // The built page, the record and the comments at once: one round trip to each.
    [asset, post, threads] = await Promise.all([
      env.ASSETS.fetch(new URL(`/posts/${slug}/`, url)),
      knownPost(env, slug),
      pageOfThreads(readerSession(env.DB, bookmarkFrom(request)), slug, page, config.commentsPerPage, opts.own ?? [], opts.sort),
    ]);
  } catch (err) {
    console.error("comments unavailable for page", slug, err instanceof Error ? err.message : err);
    const built = await env.ASSETS.fetch(new URL(`/posts/${slug}/`, url));
    if (!built.ok) return { body: await (await notFoundPage(env, url)).text(), status: 404, version: null, post: null };
    return { body: await built.text(), status: 200, version: null, post: null };
  }
  if (!asset.ok || page > threads.pageCount) {
    await asset.body?.cancel();
    return { body: await (await notFoundPage(env, url)).text(), status: 404, version: null, post: null };
  }
  if (!opts.own?.length && !bookmarkFrom(request)) rememberVersion(slug, threads.version);
  const hit = await opts.cached?.(stateKey(threads.version, post));
  if (hit) {
    await asset.body?.cancel();
    return { ...hit, version: threads.version, post };
  }
  renders++;
  const faces = await facesOf(
    env,
    threads.rows.map((r) => ({ ...r, removed: r.shown === "removed" })),
  );
  const now = Date.now();
  const comments = threads.rows.map((row, i) => {
    const c = toThreadComment(row, faces[i]);
    // The reader's own comments they may still change (this page is theirs alone).
    const left = opts.own?.includes(row.id) && c.status !== "removed" ? row.createdAt + config.editWindowMs - now : 0;
    return left > 0 ? { ...c, editMinutesLeft: Math.ceil(left / 60_000) } : c;
  });
  const section = renderCommentsSection({
    slug,
    lang: post?.lang ?? site.lang,
    timeZone: site.timezone,
    open: post !== null && commentsOpen(post),
    comments,
    total: threads.total,
    firstNumber: threads.firstNumber,
    page,
    pageCount: threads.pageCount,
    form: opts.form,
    turnstileSiteKey: config.turnstileSiteKey || undefined,
    notifyReplies: emailSettings(env) !== null,
    threads: threads.threads,
    sort: opts.sort ?? DEFAULT_SORT,
    reactions: config.reactions,
  });
  // The built page is the build's own template: its comments section is put in its place, found
  // as the build writes it (the last one: an author's HTML, before it, cannot be taken for it).
  const built = await asset.text();
  const open = built.lastIndexOf(`<section id="${SECTION_ID}"`);
  const inner = open < 0 ? -1 : built.indexOf(">", open) + 1;
  const close = built.lastIndexOf("</section>");
  if (open < 0 || close < inner) {
    console.error("no comments section in the built page", slug);
    return { body: built, status: opts.status ?? 200, version: null, post: null };
  }
  // The structured data with this page's comments, in the section (without the post's record,
  // there is nothing true to say of it: none).
  const jsonLd = post ? `${postJsonLd({ site, post, comments, total: threads.total, page })}\n` : "";
  const body = encoder.encode(`${built.slice(0, inner)}\n${section}\n${jsonLd}${built.slice(close)}`);
  return { body, status: opts.status ?? 200, version: threads.version, post };
}
