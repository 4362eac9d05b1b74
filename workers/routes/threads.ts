// Comments on other sites' pages (EMBED_SITES; README, "Comments on any site"): a page's thread,
// keyed by its normalised address or an explicit id, read and written through the same comment
// logic as a post's; its section as an HTML fragment for the other site's page; counts by address;
// and billet's own page of a thread (the no-JS fallback).
import * as v from "valibot";
import { hashAddress, ownCookie, readOwnCookie, readOwnIds, requireSecret } from "../auth/tokens.ts";
import { bookmarkCookie, bookmarkFrom } from "../auth/cookies.ts";
import { facesOf } from "../auth/faces.ts";
import { getConfig } from "../config.ts";
import * as store from "../db/comments.ts";
import { getThread, insertThread, threadsStartedBy } from "../db/threads.ts";
import { listInOrder, parseCursor } from "../db/order.ts";
import type { ThreadRow } from "../db/schema.ts";
import { ApiError, json } from "../http/answers.ts";
import { bodyKind, readFields } from "../http/body.ts";
import { etagOf, notModified } from "../http/etag.ts";
import { fieldErrors, listQuerySchema } from "../http/validate.ts";
import { emailSettings } from "../mail/email.ts";
import { announceComment } from "../mail/notify.ts";
import { answerKey, type Entry, forgetVersion, getCachedAnswer, knownVersion, putCachedAnswer, rememberVersion } from "../pages/cache.ts";
import { toThreadComment } from "../pages/post-page.ts";
import { renderCommentsSection } from "../render/comments.ts";
import { escapeHtml } from "../render/html.ts";
import { stringsFor } from "../render/strings.ts";
import { normaliseUrl, originSpeaksFor, plainTitle, siteOfUrl, THREAD_ID, THREAD_KEY, threadKey } from "../store/thread-key.ts";
import { acceptComment, follow, publicComment } from "./comments.ts";
import site from "../../content/site.json";

type Params = { params: Record<string, string> };

/** Where a thread is: its allowed site, its page's normalised address, its explicit id and key. */
export interface ThreadPlace {
  site: string;
  url: string;
  /** The page's address as the request gave it (the no-JS form comes back to exactly that page). */
  raw: string;
  id: string | null;
  key: string;
}

const badRequest = (field: string, why: string, message: string) => new ApiError(400, "bad_request", message, { [field]: why });

/**
 * The thread a request names (`url`, optionally `id`), refused unless the page is on an allowed
 * site and the browser asking (its Origin) is that site or billet itself. A write must say its
 * Origin (every browser does); a read without one (a static site's build) may read.
 */
export async function placeOf(request: Request, env: Env, raw: { url?: unknown; id?: unknown }, write: boolean): Promise<ThreadPlace> {
  if (typeof raw.url !== "string" || raw.url === "") throw badRequest("url", "required", "Say which page the comments are for (url).");
  if (raw.url.length > 2000) throw badRequest("url", "too_long", "The page's address is too long.");
  const url = normaliseUrl(raw.url);
  if (url === null) throw badRequest("url", "invalid", "The page's address is not an http(s) address.");
  const id = typeof raw.id === "string" && raw.id !== "" ? raw.id : null;
  if (id !== null && !THREAD_ID.test(id)) throw badRequest("id", "invalid", "The thread id is not valid (1 to 200 letters, digits, and . _ : / -).");
  const site = siteOfUrl(url, getConfig(env).embedSites);
  if (site === null) throw new ApiError(403, "forbidden", "This page is not on a site allowed to carry comments here.", { url: "not_allowed" });
  const origin = request.headers.get("Origin");
  const own = new URL(request.url).origin;
  if (origin === null ? write : origin !== own && !originSpeaksFor(origin, site)) {
    throw new ApiError(403, "forbidden", "Comments for this page are only taken from the page's own site.");
  }
  return { site, url, raw: raw.url.trim(), id, key: await threadKey(url, id) };
}

const str = (x: unknown): string | undefined => (typeof x === "string" ? x : undefined);

function queryOf(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of url.searchParams) out[k] = val;
  return out;
}

/** billet's own page of a thread: where the fragment's reply links go without JavaScript. */
const threadPage = (origin: string, key: string) => `${origin}/threads/${key}/`;

/** GET /api/threads/comments?url=…[&id=…] — an unknown thread is an empty one (nothing is created). */
export async function listThreadComments(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const q = queryOf(url);
  const place = await placeOf(request, env, q, false);
  const parsed = v.safeParse(listQuerySchema, q);
  if (!parsed.success) throw new ApiError(400, "bad_request", "Some query parameters are not valid.", fieldErrors(parsed.issues));
  const bookmark = bookmarkFrom(request);
  const db = bookmark ? store.openSession(env.DB, bookmark).db : store.openDb(env.DB);
  const cursor = parsed.output.cursor === undefined ? undefined : parseCursor(parsed.output.cursor, parsed.output.sort);
  if (cursor === null) throw new ApiError(400, "bad_request", "This cursor is not one of this order's.", { cursor: "invalid" });
  const [result, thread] = await Promise.all([
    listInOrder(db, place.key, { limit: parsed.output.limit, cursor, sort: parsed.output.sort }),
    getThread(db, place.key),
  ]);
  // Faces by their full address: the JSON is read on another site.
  const faces = (await facesOf(env, result.rows)).map((face) => (face ? new URL(face, url.origin).toString() : null));
  const body = JSON.stringify({
    comments: result.rows.map((row, i) => ({ ...publicComment(row, faces[i]), pinned: row.pinned, reactions: row.reactions })),
    meta: { total: result.total, next_cursor: result.nextCursor, open: true, closes_at: null },
    thread: { key: place.key, url: place.url, title: thread?.title ?? null, page: thread ? threadPage(url.origin, place.key) : null },
  });
  const etag = await etagOf(body);
  const headers = { ETag: etag, "Cache-Control": "public, max-age=0, must-revalidate", "Content-Type": "application/json; charset=utf-8" };
  if (notModified(request, etag)) return new Response(null, { status: 304, headers });
  return new Response(body, { status: 200, headers });
}

/**
 * POST /api/threads/comments — a comment on another site's page (JSON from embed.js, or the
 * fragment's form without JavaScript). Its first accepted comment stores the thread; a client
 * starts at most EMBED_THREADS_PER_HOUR threads an hour.
 */
export async function createThreadComment(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const kind = bodyKind(request);
  requireSecret(env, "SIGNING_SECRET");
  const fields = await readFields(request, kind);
  const query = new URL(request.url).searchParams;
  const place = await placeOf(
    request,
    env,
    { url: str(fields.url) ?? query.get("url") ?? undefined, id: str(fields.thread_id) ?? query.get("id") ?? undefined },
    true,
  );
  const db = store.openDb(env.DB);
  const existing = await getThread(db, place.key);
  const client = await hashAddress(request, env);
  const now = Date.now();
  if (!existing) {
    const cap = getConfig(env).embedThreadsPerHour;
    if (cap === 0 || (client !== null && (await threadsStartedBy(db, client, now - 3_600_000)) >= cap)) {
      throw new ApiError(429, "rate_limited", "Too many new comment threads from your network in the last hour; please try later.", undefined, {
        "Retry-After": "3600",
      });
    }
  }
  const cookie = await readOwnCookie(request, env);
  const accepted = await acceptComment(request, env, place.key, fields, cookie, { url: place.url });
  const { row } = accepted;
  if (!existing && row.status !== "spam") {
    await insertThread(db, {
      key: place.key,
      site: place.site,
      url: place.url,
      explicitId: place.id,
      title: plainTitle(fields.title),
      createdAt: now,
      createdBy: client,
    });
  }
  forgetVersion(place.key);
  if (!accepted.replay) ctx.waitUntil(announceComment(env, row));
  if (accepted.notify && row.authorEmail && row.status !== "spam") ctx.waitUntil(follow(env, row.authorEmail, row.id, accepted.proven));
  const own = new URL(request.url).origin;
  const sameSite = (request.headers.get("Origin") ?? own) === own;
  const headers = new Headers({ "Cache-Control": "no-store" });
  // Billet's own page of the thread keeps the reader's cookie; another site gets none from billet.
  if (sameSite) {
    const secure = new URL(request.url).protocol === "https:";
    headers.append("Set-Cookie", await ownCookie(env, [...cookie.ids, row.id], secure, Date.now(), cookie.mail));
    const d1Cookie = bookmarkCookie(accepted.bookmark, secure);
    if (d1Cookie) headers.append("Set-Cookie", d1Cookie);
  }
  if (kind === "form") {
    // Back to the page the form was on: the other site's page (as its browser spells the site's
    // origin: http or https, www. or not), or billet's page of the thread.
    const back = new URL(place.raw);
    headers.set("Location", `${sameSite ? threadPage(own, place.key) : `${request.headers.get("Origin")}${back.pathname}${back.search}`}#comment-${row.id}`);
    return new Response(null, { status: 303, headers });
  }
  return json(
    {
      comment: publicComment(row),
      status: accepted.status,
      edit_token: accepted.token,
      editable_until: new Date(row.createdAt + getConfig(env).editWindowMs).toISOString(),
      thread: { key: place.key, url: place.url },
    },
    accepted.status === "approved" ? 201 : 202,
    headers,
  );
}

/** GET /api/threads/counts?url=…&url=… — approved comments by page address (0 for a page without a thread). */
export async function threadCounts(request: Request, env: Env): Promise<Response> {
  const asked = [...new Set(new URL(request.url).searchParams.getAll("url"))];
  if (!asked.length) throw badRequest("url", "required", "Name at least one page (url=…).");
  if (asked.length > 100) throw badRequest("url", "too_large", "At most 100 pages at once.");
  const sites = getConfig(env).embedSites;
  const keys = new Map<string, string>();
  for (const raw of asked) {
    const url = raw.length <= 2000 ? normaliseUrl(raw) : null;
    if (url !== null && siteOfUrl(url, sites) !== null) keys.set(raw, await threadKey(url, null));
  }
  const counts = await store.countApproved(store.openDb(env.DB), [...new Set(keys.values())]);
  const out: Record<string, number> = {};
  for (const raw of asked) out[raw] = counts[keys.get(raw) ?? ""] ?? 0;
  return json(out, 200, { "Cache-Control": "public, max-age=30" });
}

/** The section of a thread, as billet's renderer writes it for a post, with its links absolute. */
async function threadSection(
  request: Request,
  env: Env,
  place: ThreadPlace,
  opts: { page: number; lang: string; title: string; own?: number[]; replyTo?: number },
) {
  const origin = new URL(request.url).origin;
  const config = getConfig(env);
  const threads = await store.pageOfThreads(store.readerSession(env.DB, bookmarkFrom(request)), place.key, opts.page, config.commentsPerPage, opts.own ?? []);
  if (opts.page > threads.pageCount) return null;
  const faces = await facesOf(
    env,
    threads.rows.map((r) => ({ ...r, removed: r.shown === "removed" })),
  );
  const action = `${origin}/api/threads/comments`;
  const fields: Record<string, string> = { url: place.raw };
  if (place.id) fields.thread_id = place.id;
  if (opts.title) fields.title = opts.title;
  const html = renderCommentsSection({
    slug: place.key,
    lang: opts.lang,
    timeZone: site.timezone,
    open: true,
    // Faces by their full address: the section is shown on another site.
    comments: threads.rows.map((row, i) => toThreadComment(row, faces[i] ? new URL(faces[i], origin).toString() : null)),
    total: threads.total,
    firstNumber: threads.firstNumber,
    page: opts.page,
    pageCount: threads.pageCount,
    form: opts.replyTo ? { replyTo: opts.replyTo } : undefined,
    turnstileSiteKey: config.turnstileSiteKey || undefined,
    notifyReplies: emailSettings(env) !== null,
    thread: { page: threadPage(origin, place.key), action, fields },
    // Pinned threads first and their numbers; no "Useful" button (its form would post to the other site).
    threads: threads.threads,
  });
  return { html, version: threads.version };
}

function pageNumber(url: URL): number {
  const raw = url.searchParams.get("page") ?? "1";
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1) throw badRequest("page", "invalid", "The page number is not valid.");
  return Number(raw);
}

/**
 * GET /embed/comments?url=…[&id=…&lang=…&title=…&page=N] — the thread's section as an HTML
 * fragment (the renderer of billet's own pages, its links and form absolute), for a static build
 * or an edge splice to put into the other site's page, and for embed.js to show and enhance.
 */
export async function embedFragment(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url);
  const place = await placeOf(request, env, queryOf(url), false);
  const answer = (entry: Entry) => {
    const headers = { ETag: entry.etag, "Cache-Control": "public, max-age=0, must-revalidate", "Content-Type": "text/html; charset=utf-8" };
    if (notModified(request, entry.etag)) return new Response(null, { status: 304, headers });
    return new Response(entry.body, { status: 200, headers });
  };
  // While this isolate knows the thread's version, the fragment made for it is served as made (in
  // memory, or from the data centre's cache): no D1 read, no render. A new comment or decision
  // here forgets the version; another isolate's shows within VERSION_TTL_MS, as on the post pages.
  const known = knownVersion(place.key);
  const hit = known === null ? null : await getCachedAnswer(answerKey(env, request.url, known));
  if (hit) return answer(hit);
  const lang = url.searchParams.get("lang") ?? site.lang;
  const section = await threadSection(request, env, place, { page: pageNumber(url), lang, title: plainTitle(url.searchParams.get("title") ?? "") });
  if (!section) throw new ApiError(404, "not_found", "There is no such page of comments.");
  const body =
    `<section id="comments" class="billet-comments" lang="${escapeHtml(stringsFor(lang) === stringsFor("en") ? "en" : "fr")}" data-billet-thread="${place.key}" data-billet-url="${escapeHtml(place.url)}">\n` +
    `${section.html}\n</section>\n`;
  const entry = { body, etag: await etagOf(body), status: 200 };
  rememberVersion(place.key, section.version);
  ctx.waitUntil(putCachedAnswer(answerKey(env, request.url, section.version), entry, "text/html; charset=utf-8"));
  return answer(entry);
}

/** GET /threads/:key/ — billet's page of a thread: its comments and the form, no JavaScript needed. */
export async function threadPageRoute(request: Request & Params, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const key = request.params.key ?? "";
  const thread: ThreadRow | undefined = THREAD_KEY.test(key) ? await getThread(store.openDb(env.DB), key) : undefined;
  if (!thread) throw new ApiError(404, "not_found", "There is no such thread.");
  const replyTo = url.searchParams.get("reply_to");
  const lang = url.searchParams.get("lang") ?? site.lang;
  const s = stringsFor(lang);
  const section = await threadSection(
    request,
    env,
    { site: thread.site, url: thread.url, raw: thread.url, id: thread.explicitId, key },
    {
      page: pageNumber(url),
      lang,
      title: thread.title,
      own: await readOwnIds(request, env),
      replyTo: replyTo && /^\d{1,15}$/.test(replyTo) ? Number(replyTo) : undefined,
    },
  );
  if (!section) throw new ApiError(404, "not_found", "There is no such page of comments.");
  const heading = s.threadTitle(thread.title);
  const body = `<!doctype html>
<html lang="${lang.startsWith("en") ? "en" : "fr"}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(heading)}</title><link rel="stylesheet" href="/billet.css"></head>
<body><main class="thread-page"><h1>${escapeHtml(heading)}</h1><p><a href="${escapeHtml(thread.url)}">${escapeHtml(s.backToPage)}</a></p>
<section id="comments">
${section.html}
</section></main></body></html>
`;
  return new Response(body, { status: 200, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "private, no-store" } });
}
