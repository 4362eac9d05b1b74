// Moderation, behind `Authorization: Bearer <ADMIN_TOKEN>`: list by status; approve, mark spam,
// delete (soft, or `?purge=1` for good); the same actions in bulk.
import * as v from "valibot";
import { requireAdmin } from "../auth.ts";
import * as store from "../db/comments.ts";
import type { CommentRow, ModerationStatus } from "../db/schema.ts";
import { ApiError, json } from "../http.ts";
import { forgetVersion } from "../page-cache.ts";
import { adminListQuerySchema, bulkSchema, fieldErrors } from "../validate.ts";
import { readFields } from "./body.ts";
import { publicComment } from "./comments.ts";

type Params = { params: Record<string, string> };

function adminComment(row: CommentRow) {
  return {
    ...publicComment(row),
    status: row.status,
    held_for: row.heldFor,
    author: { name: row.authorName, url: row.authorUrl, avatar: null, email: row.authorEmail },
    ip_hash: row.ipHash,
  };
}

function idParam(request: Request & Params): number {
  const raw = request.params.id;
  if (!/^\d{1,15}$/.test(raw)) throw new ApiError(404, "comment_not_found", "There is no such comment.");
  return Number(raw);
}

const ACTIONS: Record<string, ModerationStatus> = { approve: "approved", spam: "spam", delete: "deleted", pending: "pending" };

async function apply(env: Env, ids: number[], action: string) {
  const db = store.openDb(env.DB);
  // A moderator's decision replaces the automatic reason a comment was held for.
  let rows: CommentRow[];
  try {
    rows = action === "purge" ? await store.purgeComments(db, ids) : await store.setStatus(db, ids, ACTIONS[action], Date.now(), action === "approve" ? null : "moderator");
  } catch (err) {
    // Bringing back a deleted comment that was posted again since.
    if (store.isDuplicateError(err)) throw new ApiError(409, "duplicate_comment", "The same comment is already on this post; nothing was changed.");
    throw err;
  }
  for (const slug of new Set(rows.map((r) => r.postSlug))) forgetVersion(slug);
  return rows;
}

/** GET /api/admin/comments?status=pending&post=&limit=&cursor= */
export async function adminList(request: Request, env: Env): Promise<Response> {
  requireAdmin(request, env);
  const q = v.safeParse(adminListQuerySchema, Object.fromEntries(new URL(request.url).searchParams));
  if (!q.success) throw new ApiError(400, "bad_request", "Some query parameters are not valid.", fieldErrors(q.issues));
  const result = await store.listForModeration(store.openDb(env.DB), q.output);
  return json(
    { comments: result.rows.map(adminComment), meta: { next_cursor: result.nextCursor === null ? null : String(result.nextCursor) } },
    200,
    { "Cache-Control": "no-store" },
  );
}

/** GET /api/admin/comments/counts → {pending, approved, spam, deleted} */
export async function adminCounts(request: Request, env: Env): Promise<Response> {
  requireAdmin(request, env);
  return json(await store.countByStatus(store.openDb(env.DB)), 200, { "Cache-Control": "no-store" });
}

/** POST /api/admin/comments/:id/(approve|spam|pending) */
export async function adminAction(request: Request & Params, env: Env): Promise<Response> {
  requireAdmin(request, env);
  const id = idParam(request);
  const action = request.params.action;
  if (!(action in ACTIONS)) throw new ApiError(404, "not_found", "No such moderation action.");
  const [row] = await apply(env, [id], action);
  if (!row) throw new ApiError(404, "comment_not_found", "There is no such comment.");
  return json({ comment: adminComment(row) }, 200, { "Cache-Control": "no-store" });
}

/** DELETE /api/admin/comments/:id[?purge=1] */
export async function adminDelete(request: Request & Params, env: Env): Promise<Response> {
  requireAdmin(request, env);
  const id = idParam(request);
  const purge = new URL(request.url).searchParams.get("purge") === "1";
  const [row] = await apply(env, [id], purge ? "purge" : "delete");
  if (!row) throw new ApiError(404, "comment_not_found", "There is no such comment.");
  return new Response(null, { status: 204 });
}

/** POST /api/admin/comments/bulk {ids, action: approve|spam|pending|delete|purge} */
export async function adminBulk(request: Request, env: Env): Promise<Response> {
  requireAdmin(request, env);
  if ((request.headers.get("Content-Type") ?? "").split(";")[0].trim() !== "application/json") {
    throw new ApiError(415, "unsupported_media_type", "Send application/json.");
  }
  const parsed = v.safeParse(bulkSchema, await readFields(request, "json"));
  if (!parsed.success) throw new ApiError(422, "validation_failed", "Some fields are not valid.", fieldErrors(parsed.issues));
  const rows = await apply(env, parsed.output.ids, parsed.output.action);
  return json({ updated: rows.map((r) => r.id) }, 200, { "Cache-Control": "no-store" });
}
