// Posts (from KV) and the widget's configuration.
import { getConfig } from "../config.ts";
import { countApproved, openDb } from "../db/comments.ts";
import { ApiError, json } from "../http/answers.ts";
import { widgetStrings } from "../render/strings.ts";
import { commentsOpen, getPost, listPosts } from "../store/posts.ts";
import { SLUG } from "../http/validate.ts";
import site from "../../content/site.json";

type Params = { params: Record<string, string> };

/** GET /api/posts */
export async function listPostsRoute(_request: Request, env: Env): Promise<Response> {
  const posts = await listPosts(env.POSTS);
  const counts = await countApproved(
    openDb(env.DB),
    posts.map((p) => p.slug),
  );
  return json(
    {
      posts: posts.map((p) => ({
        slug: p.slug,
        title: p.title,
        date: p.date,
        summary: p.summary,
        url: p.url,
        lang: p.lang,
        comment_count: counts[p.slug] ?? 0,
      })),
    },
    200,
    { "Cache-Control": "public, max-age=30" },
  );
}

/** GET /api/posts/:slug */
export async function getPostRoute(request: Request & Params, env: Env): Promise<Response> {
  const slug = request.params.slug;
  const post = SLUG.test(slug) ? await getPost(env.POSTS, slug) : null;
  if (!post) throw new ApiError(404, "post_not_found", "There is no such post.");
  return json({ ...post, comments_open: commentsOpen(post) }, 200, { "Cache-Control": "public, max-age=30" });
}

/** GET /api/config — what the widget needs to know. */
export function configRoute(request: Request, env: Env): Response {
  const config = getConfig(env);
  const lang = new URL(request.url).searchParams.get("lang") ?? site.lang;
  return json(
    {
      locale: lang.startsWith("en") ? "en" : "fr",
      edit_window_seconds: config.editWindowMs / 1000,
      max_depth: config.maxDepth,
      max_comment_length: config.maxCommentLength,
      max_name_length: 80,
      moderation: config.moderation,
      turnstile_site_key: config.turnstileSiteKey || null,
      // The sites whose pages take comments (public: they are answered CORS), for the admin's site filter.
      embed_sites: config.embedSites,
      strings: widgetStrings(lang),
    },
    200,
    { "Cache-Control": "public, max-age=300" },
  );
}
