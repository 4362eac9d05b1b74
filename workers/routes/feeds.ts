// A post's comments as an Atom feed (newest first), for readers who follow a discussion.
import { listApproved, openDb } from "../db/comments.ts";
import { escapeHtml } from "../render/html.ts";
import { stringsFor } from "../render/strings.ts";
import { getPost } from "../store/posts.ts";
import { SLUG } from "../validate.ts";

type Params = { params: Record<string, string> };

const FEED_SIZE = 50;

/** GET /posts/:slug/comments.xml */
export async function commentsFeed(request: Request & Params, env: Env): Promise<Response> {
  const slug = request.params.slug;
  const post = SLUG.test(slug) ? await getPost(env.POSTS, slug) : null;
  if (!post) return new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const { rows } = await listApproved(openDb(env.DB), slug, { limit: FEED_SIZE, sort: "newest" });
  const origin = new URL(request.url).origin;
  const page = `${origin}/posts/${slug}/`;
  const s = stringsFor(post.lang);
  const updated = new Date(rows[0]?.updatedAt ?? Date.parse(post.date)).toISOString();
  const entries = rows
    .map(
      (c) => `<entry>
<title>${escapeHtml(c.authorName)}</title>
<link href="${escapeHtml(`${page}#comment-${c.id}`)}"/>
<id>${escapeHtml(`${page}#comment-${c.id}`)}</id>
<published>${new Date(c.createdAt).toISOString()}</published>
<updated>${new Date(c.editedAt ?? c.createdAt).toISOString()}</updated>
<author><name>${escapeHtml(c.authorName)}</name>${c.authorUrl ? `<uri>${escapeHtml(c.authorUrl)}</uri>` : ""}</author>
<content type="html">${escapeHtml(c.html)}</content>
</entry>`,
    )
    .join("\n");
  const xml = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${escapeHtml(post.lang)}">
<title>${escapeHtml(`${s.commentsTitle} · ${post.title}`)}</title>
<link href="${escapeHtml(`${page}comments.xml`)}" rel="self"/>
<link href="${escapeHtml(page)}"/>
<id>${escapeHtml(`${page}comments.xml`)}</id>
<updated>${updated}</updated>
${entries}
</feed>
`;
  return new Response(xml, { headers: { "Content-Type": "application/atom+xml; charset=utf-8", "Cache-Control": "public, max-age=60" } });
}
