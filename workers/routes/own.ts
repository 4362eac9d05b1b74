// The commenter's own comments while they may still change them: the widget's list of them
// (GET /api/comments/mine), the no-JS page to edit or delete one (/comments/:id/edit and its two
// form posts, 303 back to the post), and the preview of a text as it would be published.
import * as v from "valibot";
import { hashAddress, readOwnIds } from "../auth/tokens.ts";
import { getConfig } from "../config.ts";
import * as store from "../db/comments.ts";
import type { CommentRow } from "../db/schema.ts";
import { ApiError, json } from "../http/answers.ts";
import { bodyKind, readFields } from "../http/body.ts";
import { fieldErrors, previewSchema } from "../http/validate.ts";
import { formatDateTime } from "../render/html.ts";
import { renderCommentHtml } from "../render/markdown.ts";
import { renderOwnPage, type OwnPageInput } from "../render/own-page.ts";
import { ownPageStringsFor, stringsFor } from "../render/strings.ts";
import { getPost } from "../store/posts.ts";
import { applyDelete, applyEdit, findOwnComment, limitEdits, ownComment, stillTheirs } from "./comments.ts";
import site from "../../content/site.json";

type Params = { params: Record<string, string> };

/**
 * GET /api/comments/mine — the reader's own comments they may still change, with their text and
 * when the window ends, from the HttpOnly cookie. The page stays the same for everyone (and
 * cached); only the widget of a reader who wrote lately asks (see EDIT_HINT_COOKIE), and the ids
 * never become readable by scripts.
 */
export async function mineRoute(request: Request, env: Env): Promise<Response> {
  const ids = await readOwnIds(request, env);
  const now = Date.now();
  const windowMs = getConfig(env).editWindowMs;
  const rows = ids.length ? await store.commentsByIds(store.openDb(env.DB), ids) : [];
  const comments = rows
    .filter((row) => stillTheirs(row) && row.createdAt + windowMs > now)
    .map((row) => ({ id: row.id, post_slug: row.postSlug, content: row.content, editable_until: new Date(row.createdAt + windowMs).toISOString() }));
  return json({ comments }, 200, { "Cache-Control": "private, no-store" });
}

/** POST /api/preview {content} — the HTML a comment with this text would show, rendered as it would be stored; nothing is stored. */
export async function previewRoute(request: Request, env: Env): Promise<Response> {
  const kind = bodyKind(request);
  if (kind !== "json") throw new ApiError(415, "unsupported_media_type", "Send application/json.");
  const fields = await readFields(request, kind);
  const { success } = await env.PREVIEW_RATE_LIMITER.limit({ key: (await hashAddress(request, env)) ?? "anonymous" });
  if (!success) throw new ApiError(429, "rate_limited", "Too many previews in a short time; please wait a few seconds.", undefined, { "Retry-After": "10" });
  const parsed = v.safeParse(previewSchema(getConfig(env).maxCommentLength), fields);
  if (!parsed.success) throw new ApiError(422, "validation_failed", "Some fields are not valid.", fieldErrors(parsed.issues));
  return json({ html: renderCommentHtml(parsed.output.content) }, 200, { "Cache-Control": "no-store" });
}

function htmlPage(input: OwnPageInput, status: number, headers: Record<string, string> = {}): Response {
  return new Response(renderOwnPage(input), {
    status,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", ...headers },
  });
}

/** Why the page cannot be used, in the site's words. */
function refusal(err: unknown): Response {
  if (!(err instanceof ApiError)) throw err;
  const s = ownPageStringsFor(site.lang);
  const message =
    err.code === "forbidden"
      ? s.notYours
      : err.code === "edit_window_passed"
        ? stringsFor(site.lang).own.passed
        : err.code === "comment_not_found"
          ? s.gone
          : err.message;
  return htmlPage({ lang: site.lang, siteTitle: site.title, message }, err.status, err.headers);
}

/** The page with the edit form, for a comment found to be the reader's. */
async function formPage(env: Env, row: CommentRow, content: string, status: number, err?: ApiError): Promise<Response> {
  const post = await getPost(env.POSTS, row.postSlug).catch(() => null);
  const lang = post?.lang ?? site.lang;
  const s = stringsFor(lang);
  const until = row.createdAt + getConfig(env).editWindowMs;
  const error = err?.fields?.content;
  const message = err ? (err.fields ? s.fixErrors : err.code === "edit_window_passed" ? s.own.passed : err.message) : undefined;
  return htmlPage(
    {
      lang,
      siteTitle: site.title,
      message,
      edit: {
        id: row.id,
        slug: row.postSlug,
        content,
        until: formatDateTime(until, lang, site.timezone),
        minutesLeft: Math.max(1, Math.ceil((until - Date.now()) / 60_000)),
        error,
      },
    },
    status,
    err?.headers,
  );
}

/** GET /comments/:id/edit — the commenter's own comment in a form, while the window runs (no-store: it is theirs only). */
export async function editPage(request: Request & Params, env: Env): Promise<Response> {
  let row: CommentRow;
  try {
    row = await findOwnComment(request, env);
  } catch (err) {
    return refusal(err);
  }
  return formPage(env, row, row.content, 200);
}

/** POST /api/comments/:id/edit — the no-JS edit form: 303 back to the comment, or the form again with what went wrong. */
export async function editForm(request: Request & Params, env: Env): Promise<Response> {
  if (bodyKind(request) !== "form") throw new ApiError(415, "unsupported_media_type", "Send application/x-www-form-urlencoded.");
  const fields = await readFields(request, "form");
  let row: CommentRow;
  try {
    row = await findOwnComment(request, env);
  } catch (err) {
    return refusal(err);
  }
  try {
    await limitEdits(request, env, row);
    await applyEdit(env, row, fields);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return formPage(env, row, typeof fields.content === "string" ? fields.content : "", err.status, err);
  }
  return new Response(null, { status: 303, headers: { Location: `/posts/${row.postSlug}/#comment-${row.id}`, "Cache-Control": "no-store" } });
}

/** POST /api/comments/:id/delete — the no-JS delete button (the page it is on is the confirmation): 303 back to the comments. */
export async function deleteForm(request: Request & Params, env: Env): Promise<Response> {
  if (bodyKind(request) !== "form") throw new ApiError(415, "unsupported_media_type", "Send application/x-www-form-urlencoded.");
  await readFields(request, "form");
  let row: CommentRow;
  try {
    row = await ownComment(request, env);
  } catch (err) {
    return refusal(err);
  }
  await applyDelete(env, row);
  return new Response(null, { status: 303, headers: { Location: `/posts/${row.postSlug}/#comments`, "Cache-Control": "no-store" } });
}
