// The author's voice: replying from the admin page, the author's cookie (so the blog's own comment
// form can publish as the author, with the badge), and the widget's question "am I the author?".
import { AUTHOR_COOKIE, AUTHOR_COOKIE_MAX_AGE, authorCookie, authorOf, requireAdmin } from "../auth/tokens.ts";
import { facesOf } from "../auth/faces.ts";
import { setCookie } from "../auth/cookies.ts";
import { ApiError, json } from "../http/answers.ts";
import { readFields } from "../http/body.ts";
import { authorComment } from "../moderation/author-comment.ts";
import { publicComment } from "./comments.ts";

type Params = { params: Record<string, string> };
const noStore = { "Cache-Control": "private, no-store" };

// POST /api/admin/comments/:id/reply {content}: published at once, with the author's badge.
export async function adminReply(request: Request & Params, env: Env): Promise<Response> {
  const actor = await requireAdmin(request, env);
  if (!/^\d{1,15}$/.test(request.params.id)) throw new ApiError(404, "comment_not_found", "There is no such comment.");
  if ((request.headers.get("Content-Type") ?? "").split(";")[0].trim() !== "application/json") {
    throw new ApiError(415, "unsupported_media_type", "Send application/json.");
  }
  const fields = await readFields(request, "json");
  const row = await authorComment(env, actor, { parentId: Number(request.params.id) }, fields.content);
  return json({ comment: publicComment(row, (await facesOf(env, [row]))[0]) }, 201, noStore);
}

// A hint readable by the widget, which proves nothing: only a browser that has it asks the API
// whether it is the author's, so readers' page views cost no request.
const HINT_COOKIE = "billet_author_hint";
const hint = (maxAge: number, secure: boolean) => `${HINT_COOKIE}=1; Path=/; Max-Age=${maxAge}; SameSite=Lax${secure ? "; Secure" : ""}`;

// POST /api/admin/session: the signed-in author (token or Access) gets the author's cookie;
// DELETE /api/admin/session takes it away (the admin page's log out).
export async function authorSession(request: Request, env: Env): Promise<Response> {
  const secure = new URL(request.url).protocol === "https:";
  const headers = new Headers(noStore);
  if (request.method === "DELETE") {
    headers.append("Set-Cookie", setCookie(AUTHOR_COOKIE, "", { maxAge: 0, secure }));
    headers.append("Set-Cookie", hint(0, secure));
    return new Response(null, { status: 204, headers });
  }
  const actor = await requireAdmin(request, env);
  headers.append("Set-Cookie", await authorCookie(env, actor, secure));
  headers.append("Set-Cookie", hint(AUTHOR_COOKIE_MAX_AGE, secure));
  return json({ author: true }, 200, headers);
}

// GET /api/author → {author: true|false}: whether this browser may comment as the author.
export async function amIAuthor(request: Request, env: Env): Promise<Response> {
  return json({ author: (await authorOf(request, env)) !== null }, 200, { ...noStore, Vary: "Cookie" });
}
