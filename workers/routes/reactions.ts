// Readers' "useful" marks: one per reader (their signed reader cookie) per comment, undone the same
// way. A mark never changes the post's version: cached pages keep the counts they were made with,
// and the widget shows the reader's own change at once.
import { hashAddress, readerOf, requireSecret } from "../auth/tokens.ts";
import { getConfig } from "../config.ts";
import * as store from "../db/comments.ts";
import { DEFAULT_SORT, isSort, setReaction } from "../db/order.ts";
import { ApiError, json } from "../http/answers.ts";
import { readFields } from "../http/body.ts";

type Params = { params: Record<string, string> };

/** POST /api/comments/:id/reaction — JSON: marks (idempotent); the no-JS form: marks or undoes, then 303 back to the comment. */
export function markUseful(request: Request & Params, env: Env): Promise<Response> {
  const form = (request.headers.get("Content-Type") ?? "").split(";")[0].trim().toLowerCase() === "application/x-www-form-urlencoded";
  return react(request, env, form ? "toggle" : true);
}

/** DELETE /api/comments/:id/reaction — undoes the reader's mark. */
export function unmarkUseful(request: Request & Params, env: Env): Promise<Response> {
  return react(request, env, false);
}

async function react(request: Request & Params, env: Env, want: boolean | "toggle"): Promise<Response> {
  if (!getConfig(env).reactions) throw new ApiError(403, "forbidden", "Marking comments useful is turned off on this site.");
  requireSecret(env, "SIGNING_SECRET");
  const id = /^\d{1,15}$/.test(request.params.id) ? Number(request.params.id) : Number.NaN;
  const db = store.openDb(env.DB);
  const comment = Number.isFinite(id) ? await store.getComment(db, id) : undefined;
  if (comment?.status !== "approved") throw new ApiError(404, "comment_not_found", "There is no such comment.");
  const network = await hashAddress(request, env);
  // A burst from one network is refused before anything is written.
  const { success } = await env.REACTION_RATE_LIMITER.limit({ key: network ?? "anonymous" });
  if (!success) throw new ApiError(429, "rate_limited", "Too many marks in a short time; please wait a minute.", undefined, { "Retry-After": "60" });
  const url = new URL(request.url);
  const reader = await readerOf(request, env, url.protocol === "https:");
  const now = Date.now();
  let result = await setReaction(db, { commentId: id, reader: reader.id, network, now, on: want !== false });
  // The no-JS button undoes a mark the reader already gave (it cannot know which it shows).
  if (want === "toggle" && result.mine && !result.added) result = await setReaction(db, { commentId: id, reader: reader.id, network, now, on: false });
  else if (want !== false && !result.mine) {
    throw new ApiError(429, "rate_limited", "This comment has had as many marks from your network as it can take.");
  }
  const headers = new Headers({ "Cache-Control": "no-store" });
  if (reader.setCookie) headers.append("Set-Cookie", reader.setCookie);
  if (want === "toggle") {
    const { sort, page } = await readFields(request, "form");
    const pageNo = typeof page === "string" && /^\d{1,6}$/.test(page) ? Number(page) : 1;
    const params = [pageNo > 1 ? `page=${pageNo}` : "", isSort(sort) && sort !== DEFAULT_SORT ? `sort=${sort}` : ""].filter(Boolean).join("&");
    const query = params ? `?${params}` : "";
    headers.set("Location", `/posts/${comment.postSlug}/${query}#comment-${id}`);
    return new Response(null, { status: 303, headers });
  }
  return json({ comment_id: id, reactions: result.count, mine: result.mine }, 200, headers);
}
