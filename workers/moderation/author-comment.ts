// The author's voice: a reply written by the blog's author from a signed-in path (the admin page,
// an email reply to a notification, the page's form with the author's cookie). It is published at
// once, with the author's badge (comments.by_author), which nothing a reader types can set.
// Answering a comment that waits publishes it first: the author would not answer what they refuse.
import * as v from "valibot";
import { sha256 } from "../auth/tokens.ts";
import { getConfig } from "../config.ts";
import * as store from "../db/comments.ts";
import { storeNewComment } from "../db/new-comment.ts";
import * as desk from "../db/desk.ts";
import type { CommentRow } from "../db/schema.ts";
import { ApiError } from "../http/answers.ts";
import { editCommentSchema, fieldErrors } from "../http/validate.ts";
import { announcePublished } from "../mail/notify.ts";
import { forgetVersion } from "../pages/cache.ts";
import { renderCommentHtml } from "../render/markdown.ts";
import { getPost } from "../store/posts.ts";
import { decide } from "./decisions.ts";
import site from "../../content/site.json";

/** Where the author writes: under a comment, or at the top of a post. */
export type AuthorTarget = { parentId: number; slug?: string } | { slug: string };

/**
 * The author's comment, published: a reply to a comment (`parentId`; one that waits is published
 * first), or a new thread on a post. `actor` as the audit log names them; `extra` statements run
 * with the log entry (an email reply's reference marked used); `editTokenHash` when the page's
 * form wrote it (its edit window, like any comment's).
 */
export async function authorComment(
  env: Env,
  actor: string,
  target: AuthorTarget,
  text: unknown,
  opts: { extra?: unknown[]; editTokenHash?: string } = {},
): Promise<CommentRow> {
  const config = getConfig(env);
  const parsed = v.safeParse(editCommentSchema(config.maxCommentLength), { content: text });
  if (!parsed.success) throw new ApiError(422, "validation_failed", "Some fields are not valid.", fieldErrors(parsed.issues));
  const content = parsed.output.content;
  const db = store.openDb(env.DB);
  let slug: string;
  let place: { parentId: number | null; rootId: number | null; depth: number } = { parentId: null, rootId: null, depth: 0 };
  if ("parentId" in target) {
    const parent = await store.getComment(db, target.parentId);
    if (!parent || (parent.status !== "approved" && parent.status !== "pending") || (target.slug !== undefined && parent.postSlug !== target.slug)) {
      throw new ApiError(404, "comment_not_found", "There is no such comment to answer (it may have been removed).");
    }
    if (parent.status === "pending") await decide(env, actor, [parent.id], "approve");
    slug = parent.postSlug;
    place = await store.replyPlace(db, parent, config.maxDepth);
  } else {
    slug = target.slug;
  }
  const post = await getPost(env.POSTS, slug).catch(() => null);
  if (!post && !("parentId" in target)) throw new ApiError(404, "post_not_found", "There is no such post.");
  const name = post?.author || site.author;
  const now = Date.now();
  const { row } = await storeNewComment(env.DB, {
    postSlug: slug,
    ...place,
    authorName: name,
    authorEmail: null,
    authorUrl: new URL("/", site.url).toString(),
    content,
    html: renderCommentHtml(content),
    status: "approved",
    createdAt: now,
    updatedAt: now,
    editTokenHash: opts.editTokenHash ?? null,
    // The same hash as a reader's comment (routes/comments.ts): the same text twice is refused.
    contentHash: await sha256(`${name}\n${content}`),
    byAuthor: true,
  });
  if (!row) throw new ApiError(409, "duplicate_comment", "This comment has already been posted.");
  await store.runBatch(db, [desk.auditStatement(db, { actor, action: "author-comment", commentIds: [row.id], at: now }), ...(opts.extra ?? [])]);
  forgetVersion(row.postSlug);
  // Readers who follow the thread are told; the author is not told of their own words.
  await announcePublished(env, [row]);
  return row;
}
