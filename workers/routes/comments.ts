// Comments: the public list, posting (JSON from the widget, urlencoded from the no-JS form),
// counts, and the commenter's own edit and delete.
import * as v from "valibot";
import {
  authorOf,
  clientOf,
  editTokenMatches,
  hashAddress,
  newEditToken,
  type OwnCookie,
  ownCookie,
  provesAddress,
  readOwnCookie,
  readOwnIds,
  requireSecret,
  sha256,
} from "../auth/tokens.ts";
import { facesOf } from "../auth/faces.ts";
import { getConfig, type Config } from "../config.ts";
import { bookmarkCookie, bookmarkFrom, editHintCookie } from "../auth/cookies.ts";
import { features, score } from "../spam/classifier.ts";
import * as store from "../db/comments.ts";
import * as desk from "../db/desk.ts";
import { listInOrder, parseCursor } from "../db/order.ts";
import * as newComment from "../db/new-comment.ts";
import type { CommentRow } from "../db/schema.ts";
import { offThePath } from "../db/round-trips.ts";
import { etagOf, notModified } from "../http/etag.ts";
import { ApiError, json } from "../http/answers.ts";
import { announceComment, askConfirmation } from "../mail/notify.ts";
import { authorComment } from "../moderation/author-comment.ts";
import { type Entry, forgetVersion, getCachedJson, knownPost, knownVersion, lastKnownKey, putCachedJson, rememberVersion, stateKey } from "../pages/cache.ts";
import { renderPostPage } from "../pages/post-page.ts";
import { renderCommentHtml } from "../render/markdown.ts";
import { stringsFor } from "../render/strings.ts";
import { akismetVerdict, checkTurnstile, localVerdict } from "../spam/checks.ts";
import { commentsOpen, getPost, type PostRecord } from "../store/posts.ts";
import {
  countsQuerySchema,
  editCommentSchema,
  fieldErrors,
  IDEMPOTENCY_KEY,
  listQuerySchema,
  newCommentSchema,
  SLUG,
  type NewCommentInput,
} from "../http/validate.ts";
import { bodyKind, readFields } from "../http/body.ts";

type Params = { params: Record<string, string> };

/**
 * A comment as the public sees it: never the email, the address hash or the token. `avatar` is
 * its face's address (facesOf; the same as on the page), `is_author` the author's badge.
 */
export function publicComment(row: CommentRow, avatar: string | null = null) {
  return {
    id: row.id,
    post_slug: row.postSlug,
    parent_id: row.parentId,
    depth: row.depth,
    author: { name: row.authorName, url: row.authorUrl, avatar, is_author: row.byAuthor === true },
    content: row.content,
    html: row.html,
    created_at: new Date(row.createdAt).toISOString(),
    edited_at: row.editedAt ? new Date(row.editedAt).toISOString() : null,
  };
}

function query(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of url.searchParams) out[k] = val;
  return out;
}

function parseQuery<T extends v.GenericSchema>(schema: T, url: URL): v.InferOutput<T> {
  const result = v.safeParse(schema, query(url));
  if (!result.success) throw new ApiError(400, "bad_request", "Some query parameters are not valid.", fieldErrors(result.issues));
  return result.output;
}

/**
 * The post a comment is for, as this isolate knows it (a few seconds, as pages and the JSON do; KV
 * itself may serve a record up to a minute old): no KV read for every comment.
 */
async function requirePost(env: Env, slug: string): Promise<PostRecord> {
  const post = SLUG.test(slug) ? await knownPost(env, slug) : null;
  if (!post) throw new ApiError(404, "post_not_found", "There is no such post.");
  return post;
}

/**
 * GET /api/posts/:slug/comments — from memory while the post's version holds, but for a reader who
 * just wrote. Otherwise one round trip to D1: the comments with their version (and the record from
 * KV at the same time); when they cannot be read, the list kept under the last state known here.
 */
export async function listComments(request: Request & Params, env: Env): Promise<Response> {
  const slug = request.params.slug;
  const q = parseQuery(listQuerySchema, new URL(request.url));
  const key = listKey(q);
  const bookmark = bookmarkFrom(request);
  if (!SLUG.test(slug)) throw new ApiError(404, "post_not_found", "There is no such post.");
  const version = bookmark ? null : knownVersion(slug);
  let entry = version === null ? null : getCachedJson(slug, key, stateKey(version, await knownPost(env, slug).catch(() => null)));
  entry ??= await freshList(env, slug, q, bookmark).catch((err) => {
    const last = bookmark || err instanceof ApiError ? null : lastKnownKey(slug);
    const kept = last === null ? null : getCachedJson(slug, key, last);
    if (!kept) throw err;
    return kept;
  });
  const headers = { ETag: entry.etag, "Cache-Control": "public, max-age=0, must-revalidate", "Content-Type": "application/json; charset=utf-8" };
  if (notModified(request, entry.etag)) return new Response(null, { status: 304, headers });
  return new Response(entry.body, { status: 200, headers });
}

/** The comments JSON as D1 has it now (kept in memory under its state, but for a reader who just wrote). */
async function freshList(env: Env, slug: string, q: v.InferOutput<typeof listQuerySchema>, bookmark: string | null): Promise<Entry> {
  // The record as this isolate knows it (a few seconds), like the page, read along with the comments.
  const db = store.openSession(env.DB, bookmark).db;
  const cursor = q.cursor === undefined ? undefined : parseCursor(q.cursor, q.sort);
  if (cursor === null) throw new ApiError(400, "bad_request", "This cursor is not one of this order's.", { cursor: "invalid" });
  const [post, result] = await Promise.all([knownPost(env, slug), listInOrder(db, slug, { limit: q.limit, cursor, sort: q.sort })]);
  if (!post) throw new ApiError(404, "post_not_found", "There is no such post.");
  const faces = await facesOf(env, result.rows);
  const body = JSON.stringify({
    comments: result.rows.map((row, i) => ({ ...publicComment(row, faces[i]), pinned: row.pinned, reactions: row.reactions })),
    meta: {
      total: result.total,
      next_cursor: result.nextCursor,
      open: commentsOpen(post),
      closes_at: post.comments_close_at,
    },
  });
  const entry = { body, etag: await etagOf(body), status: 200 };
  if (!bookmark) {
    rememberVersion(slug, result.version);
    putCachedJson(slug, listKey(q), stateKey(result.version, post), entry);
  }
  return entry;
}

const listKey = (q: v.InferOutput<typeof listQuerySchema>) => `${q.limit}|${q.cursor ?? ""}|${q.sort}`;

/** GET /api/comments/counts?posts=a,b */
export async function commentCounts(request: Request, env: Env): Promise<Response> {
  const q = parseQuery(countsQuerySchema, new URL(request.url));
  const slugs = q.posts.filter((s) => SLUG.test(s));
  const counts = await store.countApproved(store.openSession(env.DB, null).db, slugs);
  for (const s of q.posts) counts[s] ??= 0;
  return json(counts, 200, { "Cache-Control": "public, max-age=30" });
}

/** POST /api/posts/:slug/comments — JSON answers 201/202; the no-JS form gets a 303 back to the page. */
export async function createComment(request: Request & Params, env: Env, ctx: ExecutionContext): Promise<Response> {
  const slug = request.params.slug;
  const kind = bodyKind(request);
  let fields: Record<string, unknown> = {};
  try {
    requireSecret(env, "SIGNING_SECRET");
    fields = await readFields(request, kind);
    const cookie = await readOwnCookie(request, env);
    const { row, token, status, bookmark, replay, notify, proven } = wantsAuthor(fields)
      ? await acceptAuthorComment(request, env, slug, fields)
      : await acceptComment(request, env, slug, fields, cookie);
    forgetVersion(slug);
    // The author's own comment is announced to the thread's followers already, not to the author.
    if (!replay && !row.byAuthor) ctx.waitUntil(announceComment(env, row));
    if (notify && row.authorEmail && row.status !== "spam") ctx.waitUntil(follow(offThePath(env), row.authorEmail, row.id, proven));
    const secure = new URL(request.url).protocol === "https:";
    const headers = new Headers({ Location: `/posts/${slug}/#comment-${row.id}`, "Cache-Control": "no-store" });
    headers.append("Set-Cookie", await ownCookie(env, [...cookie.ids, row.id], secure, Date.now(), cookie.mail));
    const d1Cookie = bookmarkCookie(bookmark, secure);
    if (d1Cookie) headers.append("Set-Cookie", d1Cookie);
    const config = getConfig(env);
    if (row.createdAt + config.editWindowMs > Date.now()) headers.append("Set-Cookie", editHintCookie(row.createdAt + config.editWindowMs, Date.now(), secure));
    if (kind === "form") return new Response(null, { status: 303, headers });
    return json(
      {
        comment: publicComment(row, (await facesOf(env, [row]))[0]),
        status,
        edit_token: token,
        editable_until: new Date(row.createdAt + config.editWindowMs).toISOString(),
      },
      status === "approved" ? 201 : 202,
      headers,
    );
  } catch (err) {
    // The no-JS reader gets the page back, their text kept in the form and the problem said next to it.
    if (kind === "form" && err instanceof ApiError && err.code !== "post_not_found" && SLUG.test(slug)) {
      const page = await formErrorPage(request, env, slug, fields, err);
      if (page) return page;
    }
    throw err;
  }
}

async function formErrorPage(request: Request, env: Env, slug: string, fields: Record<string, unknown>, err: ApiError): Promise<Response | null> {
  const post = await getPost(env.POSTS, slug).catch(() => null);
  const s = stringsFor(post?.lang);
  const str = (k: string) => (typeof fields[k] === "string" ? (fields[k] as string) : "");
  const parent = Number(str("parent_id"));
  try {
    const page = await renderPostPage(request, env, slug, {
      own: await readOwnIds(request, env),
      status: err.status,
      form: {
        values: {
          author_name: str("author_name"),
          author_email: str("author_email"),
          author_url: str("author_url"),
          content: str("content"),
          notify_replies: str("notify_replies"),
        },
        errors: err.fields,
        message: err.fields ? s.fixErrors : err.message,
        replyTo: Number.isInteger(parent) && parent > 0 ? parent : undefined,
      },
    });
    if (page.version === null) return null;
    const headers = new Headers({ "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
    for (const [k, val] of Object.entries(err.headers ?? {})) headers.set(k, val);
    return new Response(page.body, { status: err.status, headers });
  } catch {
    return null;
  }
}

/** The form's "post as the author" box (the widget shows it only to a signed-in author). */
const wantsAuthor = (fields: Record<string, unknown>) => fields.as_author === true || fields.as_author === "on" || fields.as_author === "true";

/**
 * A comment the blog's author posts from the page: only with the author's cookie (or Access), and
 * then published with the badge, under the post's author's name. Anyone else asking is refused:
 * a reader never gets the badge, whatever name they type.
 */
async function acceptAuthorComment(request: Request, env: Env, slug: string, fields: Record<string, unknown>) {
  const actor = await authorOf(request, env);
  if (!actor) throw new ApiError(403, "forbidden", "Only the blog's author, signed in, may post as the author.");
  const post = await requirePost(env, slug);
  const parent = typeof fields.parent_id === "number" || typeof fields.parent_id === "string" ? String(fields.parent_id) : "";
  if (parent !== "" && !/^\d{1,15}$/.test(parent)) throw new ApiError(422, "validation_failed", "Some fields are not valid.", { parent_id: "invalid" });
  const token = await newEditToken(env);
  const row = await authorComment(env, actor, parent ? { parentId: Number(parent), slug: post.slug } : { slug: post.slug }, fields.content, {
    editTokenHash: token.hash,
  });
  return { row, token: token.token, status: "approved" as const, bookmark: null, replay: false, notify: false, proven: false };
}

/** The client's Idempotency-Key, scoped to the post (a key is only ever compared within one post). */
function idempotencyKey(request: Request): string | undefined {
  const key = request.headers.get("Idempotency-Key");
  if (key === null) return undefined;
  if (!IDEMPOTENCY_KEY.test(key))
    throw new ApiError(400, "bad_request", "The Idempotency-Key header is not valid (1 to 100 letters, digits, and - _ . :).", {
      "Idempotency-Key": "invalid",
    });
  return key;
}

/** The edit token's scope for a post sent with an Idempotency-Key: the post, the key and the client. */
async function idempotencyScope(request: Request, env: Env, slug: string, key: string): Promise<string> {
  return `${slug}|${key}|${await clientOf(request, env)}`;
}

/**
 * What a retry of an earlier post gets: that post's answer, as its comment now stands (spam is
 * never told). Only for the client that sent it (its token is derived from that client): anyone
 * else repeating the key, name and text is told the comment is already there, and gets neither
 * its edit token nor the cookie that owns it.
 */
async function replayOf(request: Request, env: Env, slug: string, key: string, row: CommentRow, contentHash: string, bookmark: string | null) {
  if (row.contentHash !== null && row.contentHash !== contentHash) {
    throw new ApiError(422, "validation_failed", "This Idempotency-Key was already used for another comment.", { "Idempotency-Key": "reused" });
  }
  const { token, hash } = await newEditToken(env, await idempotencyScope(request, env, slug, key));
  if (row.editTokenHash === null || row.editTokenHash !== hash) throw duplicateError();
  return { row, token, status: seenStatus(row), bookmark, replay: true, notify: false, proven: false };
}

/**
 * How a commenter's own comment stands for them: published or waiting. A blocked commenter's
 * comment is spam for everyone else, and for them what it would have been without the block.
 */
export function seenStatus(row: Pick<CommentRow, "status" | "heldFor">): "approved" | "pending" {
  return row.status === "approved" || (row.status === "spam" && row.heldFor === store.BLOCKED_SEEN.approved) ? "approved" : "pending";
}

/**
 * Checks, then stores, a new comment. Nothing is written unless every check has passed. Two
 * sequential round trips to D1 (db/new-comment.ts): one batch reads what every check needs (while
 * the post's record is read from KV), one batch stores it. `page`: the comment is on another
 * site's page (a thread keyed `slug`, routes/threads.ts), not a post.
 */
export async function acceptComment(request: Request, env: Env, slug: string, fields: Record<string, unknown>, cookie: OwnCookie, page?: { url: string }) {
  const postRead = page ? Promise.resolve(null) : requirePost(env, slug);
  postRead.catch(() => undefined);
  const config = getConfig(env);
  // What is asked of D1 is known before it is asked: any error in it comes after those of the post.
  let ask: Awaited<ReturnType<typeof prepareComment>>;
  try {
    ask = await prepareComment(request, env, fields, cookie, config);
  } catch (err) {
    const post = await postRead;
    if (post) openPost(post);
    throw err;
  }
  const { input, key, hash, email, proven, ipHash, html, described, now } = ask;
  const session = store.openSession(env.DB, "first-primary");
  const [post, reads] = await Promise.all([
    postRead,
    newComment.readForNewComment(session.d1, {
      slug,
      key,
      parentId: input.parent_id,
      contentHash: hash,
      checks: { email, network: ipHash, host: websiteHost(input.author_url), features: described, now, ownIds: cookie.ids, provenEmail: proven },
    }),
  ]);
  if (post) openPost(post);
  // A retry of a post that was stored (its answer lost on the way) gets that answer again, before
  // the rate limit and the challenge, which it passed the first time.
  if (reads.earlier && key) return replayOf(request, env, slug, key, reads.earlier, hash, session.bookmark());

  // Without an address (not through Cloudflare's edge) the commenter's name and email are the key,
  // so such requests do not all share one bucket.
  await rateLimit(env, async () => ipHash ?? `anonymous|${await sha256(`${input.author_name}|${input.author_email ?? ""}`)}`);
  await checkTurnstile(env, input["cf-turnstile-response"], request.headers.get("CF-Connecting-IP"));

  const { parentId, rootId, depth } = placeInThread(reads.chain, slug, input.parent_id, config, cookie.ids);
  const { checks } = reads;
  const filter = score(described, checks.counts);
  // The verdict as if the commenter were not blocked: a blocked commenter is answered, and shown
  // (their cookie), exactly that; the comment is stored as spam, so nobody else ever sees it.
  let verdict = localVerdict({ ...input, html }, config, { trusted: checks.trusted, filter });
  if (verdict.status === "approved") {
    verdict = (await akismetVerdict(env, request, input, page?.url ?? `${new URL(request.url).origin}/posts/${slug}/`)) ?? verdict;
  }
  const seen = verdict.status === "approved" ? ("approved" as const) : ("pending" as const);
  const stored = checks.blocked && verdict.status !== "spam" ? { status: "spam" as const, heldFor: store.BLOCKED_SEEN[seen] } : verdict;
  // The same text twice is refused (409) for a blocked commenter as for anyone.
  if (stored.status === "spam" && store.isBlockedSeen(stored.heldFor) && reads.twin) throw duplicateError();
  const token = await newEditToken(env, key && (await idempotencyScope(request, env, slug, key)));
  const { row, same } = await newComment.storeNewComment(session.d1, {
    postSlug: slug,
    parentId,
    rootId,
    depth,
    authorName: input.author_name,
    authorEmail: email ?? null,
    authorUrl: input.author_url ?? null,
    content: input.content,
    html,
    status: stored.status,
    heldFor: stored.heldFor,
    createdAt: now,
    updatedAt: now,
    ipHash,
    editTokenHash: token.hash,
    contentHash: hash,
    idempotencyKey: key ?? null,
    spamScore: filter.trained ? filter.score : null,
    spamReasons: filter.trained && filter.spammy.length ? JSON.stringify(filter.spammy) : null,
  });
  if (!row) {
    // Refused as already there: the same key sent twice at once, or the same text.
    if (same && key) return replayOf(request, env, slug, key, same, hash, session.bookmark());
    throw duplicateError();
  }
  // A honeypot catch is answered like a held comment, so the bot learns nothing.
  return {
    row,
    token: token.token,
    status: seen,
    bookmark: session.bookmark(),
    replay: false,
    notify: input.notify_replies === true,
    proven,
  };
}

/** A post that takes comments now, or the error that says why not. */
function openPost(post: PostRecord): PostRecord {
  if (!commentsOpen(post)) throw new ApiError(403, "comments_closed", "Comments are closed for this post.");
  return post;
}

/** A new comment's fields checked, and all that is derived from them and the request without storage. */
async function prepareComment(request: Request, env: Env, fields: Record<string, unknown>, cookie: OwnCookie, config: Config) {
  const parsed = v.safeParse(newCommentSchema(config.maxCommentLength), fields);
  if (!parsed.success) throw new ApiError(422, "validation_failed", "Some fields are not valid.", fieldErrors(parsed.issues));
  const input = parsed.output;
  if (input.notify_replies && !input.author_email) {
    throw new ApiError(422, "validation_failed", "An email address is needed to be told of replies.", { author_email: "required_to_notify" });
  }
  const key = idempotencyKey(request);
  const email = input.author_email?.toLowerCase();
  const html = renderCommentHtml(input.content);
  const [hash, ipHash, proven] = await Promise.all([
    contentHash(input.author_name, input.content),
    hashAddress(request, env),
    // Trust and consent rest on this browser's signed cookie, never on the email typed alone.
    provesAddress(cookie, env, email),
  ]);
  const text = { authorName: input.author_name, authorEmail: email, authorUrl: input.author_url, content: input.content, html };
  return { input, key, hash, email, proven, ipHash, html, described: features(text), now: Date.now() };
}

/**
 * The commenter follows replies to their comment. Consent is per thread: unless their cookie proves
 * the address (`proven`), the address is asked to confirm this thread first, even when it confirmed
 * another one (anyone can type an address). Never throws.
 */
export async function follow(env: Env, email: string, commentId: number, proven: boolean): Promise<void> {
  try {
    const db = store.openDb(env.DB);
    const [, followed] = await store.runBatch(db, desk.subscribeStatements(db, email, commentId, Date.now(), proven));
    const [subscription] = followed as { confirmedAt: number | null }[];
    if (subscription && subscription.confirmedAt === null) await askConfirmation(env, commentId);
  } catch (err) {
    console.error("could not record a subscription", commentId, err instanceof Error ? err.message : err);
  }
}

/** The host of a commenter's website, as blocks name it. */
export function websiteHost(url: string | undefined | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).hostname.replace(/^www\./, "").toLowerCase() || null;
  } catch {
    return null;
  }
}

/** At most a few writes a minute from one client (COMMENT_RATE_LIMIT = "off" for local load tests). */
async function rateLimit(env: Env, keyOf: () => Promise<string>): Promise<void> {
  if (env.COMMENT_RATE_LIMIT === "off") return;
  const { success } = await env.COMMENT_RATE_LIMITER.limit({ key: await keyOf() });
  if (!success) throw new ApiError(429, "rate_limited", "Too many comments in a short time; please wait a minute.", undefined, { "Retry-After": "60" });
}

const contentHash = (name: string, content: string) => sha256(`${name}\n${content}`);
const duplicateError = () => new ApiError(409, "duplicate_comment", "This comment has already been posted.");

/** Where a reply goes: under its parent, or under the deepest allowed ancestor when too deep (`chain`: the parent, then its ancestors). */
function placeInThread(chain: newComment.Ancestor[], slug: string, parentId: NewCommentInput["parent_id"], config: Config, ownIds: number[]) {
  if (parentId === undefined) return { parentId: null, rootId: null, depth: 0 };
  let parent = chain[0];
  // A reader may answer what they are shown: published comments, and their own that look published to them.
  const shown = parent && (parent.status === "approved" || (ownIds.includes(parent.id) && seenStatus(parent) === "approved"));
  if (!parent || parent.id !== parentId || parent.postSlug !== slug || !shown) {
    throw new ApiError(422, "validation_failed", "The comment you reply to does not exist.", { parent_id: "not_found" });
  }
  if (config.maxDepth === 0) return { parentId: null, rootId: null, depth: 0 };
  const byId = new Map(chain.map((c) => [c.id, c]));
  while (parent.depth >= config.maxDepth && parent.parentId !== null) {
    const up = byId.get(parent.parentId);
    if (!up) break;
    parent = up;
  }
  return { parentId: parent.id, rootId: parent.rootId ?? parent.id, depth: parent.depth + 1 };
}

/** Whether a comment is still there for its author to change: not removed, and not spam (but for a blocked commenter's, theirs as it would have been: see seenStatus). */
export function stillTheirs(row: Pick<CommentRow, "status" | "heldFor">): boolean {
  if (row.status === "spam") return store.isBlockedSeen(row.heldFor);
  return row.status === "approved" || row.status === "pending";
}

/** The commenter's own comment, within the edit window, proven by the token or the cookie; counted against the write limit. */
export async function ownComment(request: Request & Params, env: Env): Promise<CommentRow> {
  const row = await findOwnComment(request, env);
  await limitEdits(request, env, row);
  return row;
}

/** Edits count against the same limit as posts: an edit is a new text too. */
export async function limitEdits(request: Request, env: Env, row: CommentRow): Promise<void> {
  await rateLimit(env, async () => (await hashAddress(request, env)) ?? `comment|${row.id}`);
}

/** The commenter's own comment, within the edit window, proven by the token or the cookie (reading it costs nothing). */
export async function findOwnComment(request: Request & Params, env: Env): Promise<CommentRow> {
  requireSecret(env, "SIGNING_SECRET");
  const id = /^\d{1,15}$/.test(request.params.id) ? Number(request.params.id) : NaN;
  const db = store.openDb(env.DB);
  const row = Number.isFinite(id) ? await store.getComment(db, id) : undefined;
  if (!row || !stillTheirs(row)) throw new ApiError(404, "comment_not_found", "There is no such comment.");
  const byToken = await editTokenMatches(request.headers.get("X-Edit-Token"), row.editTokenHash);
  const byCookie = (await readOwnIds(request, env)).includes(row.id);
  if (!byToken && !byCookie) throw new ApiError(403, "forbidden", "Only the author of this comment may change it.");
  if (Date.now() > row.createdAt + getConfig(env).editWindowMs) {
    throw new ApiError(403, "edit_window_passed", "This comment can no longer be changed.");
  }
  return row;
}

/** PATCH /api/comments/:id {content} */
export async function editComment(request: Request & Params, env: Env): Promise<Response> {
  const kind = bodyKind(request);
  if (kind !== "json") throw new ApiError(415, "unsupported_media_type", "Send application/json.");
  const fields = await readFields(request, kind);
  const updated = await applyEdit(env, await ownComment(request, env), fields);
  return json({ comment: publicComment(updated, (await facesOf(env, [updated]))[0]), status: seenStatus(updated) });
}

/** Checks and stores the new text of the commenter's own comment (the JSON PATCH and the no-JS form). */
export async function applyEdit(env: Env, row: CommentRow, fields: Record<string, unknown>): Promise<CommentRow> {
  const config = getConfig(env);
  const parsed = v.safeParse(editCommentSchema(config.maxCommentLength), fields);
  if (!parsed.success) throw new ApiError(422, "validation_failed", "Some fields are not valid.", fieldErrors(parsed.issues));
  const content = parsed.output.content;
  const html = renderCommentHtml(content);
  // An edit that would now be held (links, words) goes back to the moderator, in the same write.
  const verdict = localVerdict({ content, html }, { ...config, moderation: "none" }, { trusted: true });
  const hold = row.status === "approved" && verdict.status !== "approved" ? (verdict.heldFor ?? "edited") : undefined;
  // Blocked, it stays spam: what it now looks like to its author follows the same rule.
  const blockedHeld = row.heldFor === store.BLOCKED_SEEN.approved && verdict.status !== "approved" ? store.BLOCKED_SEEN.pending : undefined;
  let updated: CommentRow | undefined;
  try {
    updated = await store.editComment(store.openDb(env.DB), row.id, {
      content,
      html,
      contentHash: await contentHash(row.authorName, content),
      now: Date.now(),
      hold,
      heldFor: blockedHeld,
    });
  } catch (err) {
    // The same text as another comment of theirs on the post.
    if (store.isDuplicateError(err)) throw duplicateError();
    throw err;
  }
  if (!updated) throw new ApiError(404, "comment_not_found", "There is no such comment.");
  forgetVersion(row.postSlug);
  return updated;
}

/** DELETE /api/comments/:id */
export async function deleteOwnComment(request: Request & Params, env: Env): Promise<Response> {
  await applyDelete(env, await ownComment(request, env));
  return new Response(null, { status: 204 });
}

/** Removes the commenter's own comment (the JSON DELETE and the no-JS form). */
export async function applyDelete(env: Env, row: CommentRow): Promise<void> {
  await store.setStatus(store.openDb(env.DB), [row.id], "deleted", Date.now());
  forgetVersion(row.postSlug);
}
