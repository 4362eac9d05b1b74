// Post pages: the pre-rendered page from the assets, with its comments section filled in from D1.
import { readOwnIds } from "./auth.ts";
import { getConfig } from "./config.ts";
import { bookmarkFrom } from "./cookies.ts";
import { openDb, openSession, pageOfThreads, type Shown } from "./db/comments.ts";
import type { CommentRow } from "./db/schema.ts";
import { emailSettings } from "./email.ts";
import { etagOf, notModified } from "./etag.ts";
import { currentKey, getCachedPage, putCachedPage, rememberState, stateKey } from "./page-cache.ts";
import { renderCommentsSection, SECTION_ID, type FormState, type ThreadComment } from "./render/comments.ts";
import { commentsOpen, getPost, type PostRecord } from "./store/posts.ts";
import { SLUG } from "./validate.ts";
import site from "../content/site.json";

function toThreadComment(row: CommentRow & { shown: Shown }): ThreadComment {
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

function htmlResponse(body: string, status: number, etag: string | null, shared: boolean): Response {
  const headers = new Headers({ "Content-Type": "text/html; charset=utf-8" });
  headers.set("Cache-Control", shared ? "public, max-age=0, must-revalidate" : "private, no-store");
  if (etag) headers.set("ETag", etag);
  return new Response(body, { status, headers });
}

/** GET /posts/:slug/ — served from the page cache when it can be. */
export async function postPage(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url);
  if (!url.pathname.endsWith("/")) return Response.redirect(new URL(`${url.pathname}/${url.search}`, url).toString(), 301);
  // Slugs are plain ASCII: the raw path segment is the slug, or there is no such post.
  const slug = url.pathname.split("/")[2] ?? "";
  const page = pageNumber(url);
  if (!SLUG.test(slug) || page === null) return notFoundPage(env, url);
  const replyTo = url.searchParams.get("reply_to");
  const own = await readOwnIds(request, env);
  const shared = own.length === 0 && !replyTo && bookmarkFrom(request) === null;

  const state = shared ? await currentKey(env, slug) : null;
  if (state !== null) {
    const hit = await getCachedPage(url.origin, slug, page, state);
    if (hit) {
      if (notModified(request, hit.etag)) return new Response(null, { status: 304, headers: { ETag: hit.etag } });
      return htmlResponse(hit.body, hit.status, hit.etag, true);
    }
  }
  const form = replyTo && /^\d{1,15}$/.test(replyTo) ? { replyTo: Number(replyTo) } : undefined;
  const rendered: Rendered = shared ? await sharedRender(request, env, ctx, slug, page, state) : await renderPostPage(request, env, slug, { page, own, form });
  if (rendered.version === null) return htmlResponse(rendered.body, rendered.status, null, false);
  const etag = rendered.etag ?? (await etagOf(rendered.body));
  if (notModified(request, etag)) return new Response(null, { status: 304, headers: { ETag: etag } });
  return htmlResponse(rendered.body, rendered.status, etag, shared);
}

type Rendered = Awaited<ReturnType<typeof renderPostPage>> & { etag?: string };

// Renders under way in this isolate, by page and the state it was asked at: readers who arrive
// together after a change wait for one render instead of each making their own.
const rendering = new Map<string, Promise<Rendered>>();

/** Renders a page everyone sees (and caches it), once for all the readers asking at the same time. */
function sharedRender(request: Request, env: Env, ctx: ExecutionContext, slug: string, page: number, state: string | null): Promise<Rendered> {
  const key = `${new URL(request.url).origin}|${slug}|${page}|${state}`;
  let pending = rendering.get(key);
  if (!pending) {
    pending = (async (): Promise<Rendered> => {
      const rendered = await renderPostPage(request, env, slug, { page });
      if (rendered.version === null || rendered.status !== 200) return rendered;
      const etag = await etagOf(rendered.body);
      rememberState(slug, rendered.version, rendered.post);
      ctx.waitUntil(
        putCachedPage(new URL(request.url).origin, slug, page, stateKey(rendered.version, rendered.post), { body: rendered.body, etag, status: 200 }),
      );
      return { ...rendered, etag };
    })().finally(() => rendering.delete(key));
    rendering.set(key, pending);
    renders++;
    // The render outlives this reader if they leave: the others wait on it.
    ctx.waitUntil(pending.catch(() => undefined));
  }
  return pending;
}

let renders = 0;
/** For tests: how many shared renders this isolate has started. */
export function sharedRenders(): number {
  return renders;
}

/**
 * The post page as HTML, with the comments of one page of threads and the form in the given state
 * (values and errors after a failed no-JS post), and the post's version it was read at. When D1 or
 * KV cannot be read the page is served as it was built (its comments as of the build, version
 * null), so readers still get the post.
 */
export async function renderPostPage(
  request: Request,
  env: Env,
  slug: string,
  opts: { page?: number; own?: number[]; form?: FormState; status?: number },
): Promise<{ body: string; status: number; version: number | null; post: PostRecord | null }> {
  const url = new URL(request.url);
  const page = opts.page ?? 1;
  const asset = await env.ASSETS.fetch(new URL(`/posts/${slug}/`, url));
  if (!asset.ok) {
    const nf = await notFoundPage(env, url);
    return { body: await nf.text(), status: 404, version: null, post: null };
  }
  const config = getConfig(env);
  let section: string;
  let version: number;
  let post: PostRecord | null;
  try {
    const bookmark = bookmarkFrom(request);
    const db = bookmark ? openSession(env.DB, bookmark).db : openDb(env.DB);
    let threads: Awaited<ReturnType<typeof pageOfThreads>>;
    [post, threads] = await Promise.all([getPost(env.POSTS, slug), pageOfThreads(db, slug, page, config.commentsPerPage, opts.own ?? [])]);
    if (page > threads.pageCount) {
      const nf = await notFoundPage(env, url);
      return { body: await nf.text(), status: 404, version: null, post: null };
    }
    version = threads.version;
    section = renderCommentsSection({
      slug,
      lang: post?.lang ?? site.lang,
      timeZone: site.timezone,
      open: post !== null && commentsOpen(post),
      comments: threads.rows.map(toThreadComment),
      total: threads.total,
      firstNumber: threads.firstNumber,
      page,
      pageCount: threads.pageCount,
      form: opts.form,
      turnstileSiteKey: config.turnstileSiteKey || undefined,
      notifyReplies: emailSettings(env) !== null,
    });
  } catch (err) {
    console.error("comments unavailable for page", slug, err instanceof Error ? err.message : err);
    return { body: await asset.text(), status: 200, version: null, post: null };
  }
  const body = await new HTMLRewriter()
    .on(`#${SECTION_ID}`, {
      element(el) {
        el.setInnerContent(section, { html: true });
      },
    })
    .transform(asset)
    .text();
  return { body, status: opts.status ?? 200, version, post };
}
