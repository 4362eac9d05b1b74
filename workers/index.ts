// The router: which path goes to which handler, and what every answer carries (security headers,
// CORS for configured origins, the one error shape).
import { Router } from "itty-router";
import { getConfig } from "./config.ts";
import { ApiError, toErrorResponse, withSecurityHeaders } from "./http/answers.ts";
import { meteredEnv, RoundTrips } from "./db/round-trips.ts";
import { deliver, type NotifyMessage } from "./mail/notify.ts";
import { postPage } from "./pages/post-page.ts";
import { commentsFeed, siteCommentsFeed } from "./routes/feeds.ts";
import { sitemapRoute } from "./routes/sitemap.ts";
import { COMMENTS_FEED_PATH } from "./render/addresses.ts";
import {
  adminAction,
  adminAudit,
  adminBlock,
  adminBlocks,
  adminBulk,
  adminCommenterErase,
  adminCommenterExport,
  adminCounts,
  adminDelete,
  adminList,
  adminPin,
  adminUnblock,
  adminUnpin,
} from "./routes/admin.ts";
import { markUseful, unmarkUseful } from "./routes/reactions.ts";
import { daily } from "./mail/daily.ts";
import { receiveEmail } from "./mail/inbound.ts";
import { confirmLink, moderateLink, stopLink } from "./routes/links.ts";
import { commentCounts, createComment, deleteOwnComment, editComment, listComments } from "./routes/comments.ts";
import { deleteForm, editForm, editPage, mineRoute, previewRoute } from "./routes/own.ts";
import { configRoute, getPostRoute, listPostsRoute } from "./routes/posts.ts";
import { oldAddress, otherAddress } from "./routes/redirects.ts";
import { searchRoute } from "./routes/search.ts";
import { mediaFile, oldUpload } from "./routes/media.ts";
import { faceRoute } from "./routes/faces.ts";
import { adminReply, amIAuthor, authorSession } from "./routes/author.ts";
import { createThreadComment, embedFragment, listThreadComments, threadCounts, threadPageRoute } from "./routes/threads.ts";
import { originSpeaksFor } from "./store/thread-key.ts";

type Args = [Env, ExecutionContext];

const notAllowed = () => {
  throw new ApiError(405, "method_not_allowed", "This method is not allowed here.");
};

const router = Router<Request & { params: Record<string, string> }, Args>();
router
  .get("/api/posts", listPostsRoute)
  .get("/api/posts/:slug", getPostRoute)
  .get("/api/posts/:slug/comments", listComments)
  .post("/api/posts/:slug/comments", createComment)
  .get("/api/comments/counts", commentCounts)
  .patch("/api/comments/:id", editComment)
  .delete("/api/comments/:id", deleteOwnComment)
  .post("/api/comments/:id/reaction", markUseful)
  .delete("/api/comments/:id/reaction", unmarkUseful)
  .get("/api/comments/mine", mineRoute)
  .post("/api/comments/:id/edit", editForm)
  .post("/api/comments/:id/delete", deleteForm)
  .post("/api/preview", previewRoute)
  .get("/api/config", configRoute)
  .get("/api/author", amIAuthor)
  .post("/api/admin/session", authorSession)
  .delete("/api/admin/session", authorSession)
  .get("/api/threads/comments", listThreadComments)
  .post("/api/threads/comments", createThreadComment)
  .get("/api/threads/counts", threadCounts)
  .get("/api/admin/comments", adminList)
  .get("/api/admin/comments/counts", adminCounts)
  .post("/api/admin/comments/bulk", adminBulk)
  .post("/api/admin/comments/:id/reply", adminReply)
  .post("/api/admin/comments/:id/pin", adminPin)
  .post("/api/admin/comments/:id/unpin", adminUnpin)
  .post("/api/admin/comments/:id/:action", adminAction)
  .delete("/api/admin/comments/:id", adminDelete)
  .get("/api/admin/blocks", adminBlocks)
  .post("/api/admin/blocks", adminBlock)
  .delete("/api/admin/blocks/:id", adminUnblock)
  .get("/api/admin/audit", adminAudit)
  .get("/api/admin/commenters", adminCommenterExport)
  .delete("/api/admin/commenters", adminCommenterErase)
  .all("/api/posts/:slug/comments", notAllowed)
  .all("/api/*", () => {
    throw new ApiError(404, "not_found", "There is nothing at this address.");
  })
  .get("/moderate/:token", moderateLink)
  .post("/moderate/:token", moderateLink)
  .get("/subscriptions/confirm/:token", confirmLink)
  .post("/subscriptions/confirm/:token", confirmLink)
  .get("/subscriptions/stop/:token", stopLink)
  .post("/subscriptions/stop/:token", stopLink)
  .get("/comments/:id/edit", editPage)
  .get("/posts/:slug/comments.xml", commentsFeed)
  .get(COMMENTS_FEED_PATH, siteCommentsFeed)
  .get("/sitemap.xml", sitemapRoute)
  .get("/posts/:slug/", postPage)
  .get("/embed/comments", embedFragment)
  .get("/threads/:key/", threadPageRoute)
  .get("/search", searchRoute)
  .get("/search/", searchRoute)
  // Old WordPress addresses with a query (/?p=123): 301 to their post; else the home page.
  .get("/", oldAddress)
  .get("/index.php", oldAddress)
  // The old blog's media kept in R2 (those in the static assets never reach the Worker).
  .get("/media/*", mediaFile)
  .head("/media/*", mediaFile)
  .get("/wp-content/uploads/*", oldUpload)
  // Commenters' faces, drawn by billet (workers/render/faces.ts).
  .get("/avatars/:name", faceRoute)
  .head("/avatars/:name", faceRoute)
  // Anything else: a static asset under /posts/, an old address, or the 404 page.
  .all("*", otherAddress);

const CORS_METHODS = "GET, POST, PATCH, DELETE, OPTIONS";
const CORS_HEADERS = "Content-Type, X-Edit-Token, Idempotency-Key";

/** What a site that embeds comments (EMBED_SITES) may call: its threads, the fragment, a commenter's own edit, and the preview. */
const EMBED_PATHS = /^\/(api\/threads\/|api\/comments\/\d+$|api\/preview$|embed\/)/;

/** Cross-origin calls: only from the configured origins, and never to the admin API. */
function crossOrigin(request: Request, env: Env, url: URL): { origin: string | null; allowed: boolean } {
  const origin = request.headers.get("Origin");
  if (!origin || origin === url.origin) return { origin: null, allowed: true };
  const admin = url.pathname.startsWith("/api/admin/");
  const config = getConfig(env);
  const embedding = EMBED_PATHS.test(url.pathname) && config.embedSites.some((site) => originSpeaksFor(origin, site));
  return { origin, allowed: !admin && (config.allowedOrigins.includes(origin) || embedding) };
}

async function handle(request: Request, rawEnv: Env, ctx: ExecutionContext): Promise<Response> {
  // Every answer says how many sequential round trips to D1 it waited for (Server-Timing).
  const d1 = new RoundTrips();
  const env = meteredEnv(rawEnv, d1);
  const url = new URL(request.url);
  const api = url.pathname.startsWith("/api/") || url.pathname.startsWith("/embed/");
  const cors = crossOrigin(request, env, url);
  let response: Response;
  try {
    if (api && !cors.allowed && (request.method !== "GET" || url.pathname.startsWith("/api/admin/"))) {
      throw new ApiError(403, "forbidden", "Requests from this origin are not allowed.");
    }
    if (api && request.method === "OPTIONS") {
      response = cors.allowed
        ? new Response(null, {
            status: 204,
            headers: { "Access-Control-Allow-Methods": CORS_METHODS, "Access-Control-Allow-Headers": CORS_HEADERS, "Access-Control-Max-Age": "86400" },
          })
        : new Response(null, { status: 403 });
    } else {
      response = await router.fetch(request as Request & { params: Record<string, string> }, env, ctx);
    }
  } catch (err) {
    response = toErrorResponse(err);
  }
  response = withSecurityHeaders(response, url, { turnstile: getConfig(env).turnstileSiteKey !== "" });
  response.headers.append("Server-Timing", d1.serverTiming());
  if (api) {
    response.headers.append("Vary", "Origin");
    if (cors.origin && cors.allowed) {
      response.headers.set("Access-Control-Allow-Origin", cors.origin);
      // What the widget reads on another site: how long to wait after a 429.
      response.headers.set("Access-Control-Expose-Headers", "Retry-After");
    }
  }
  return response;
}

export default { fetch: handle, queue: deliver, scheduled: daily, email: receiveEmail } satisfies ExportedHandler<Env, NotifyMessage>;
