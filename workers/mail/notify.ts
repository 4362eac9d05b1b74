// Telling people: a queue message when something happens (one per way of telling, so that a
// failure of one is retried without repeating the other), and the queue consumer that delivers
// it — to the author's webhook, to the author by email, to readers who follow a thread —,
// retrying with backoff while a service is down. A reader's post never waits for any of it.
import { getComment, openDb } from "../db/comments.ts";
import { getThread } from "../db/threads.ts";
import * as desk from "../db/desk.ts";
import type { CommentRow } from "../db/schema.ts";
import { confirmationEmail, emailSettings, newCommentEmail, replyEmail, send } from "./email.ts";
import { getPost } from "../store/posts.ts";
import { threadPagePath } from "../render/addresses.ts";

export type NotifyMessage =
  | { event: "comment.created"; channel?: "webhook" | "email"; comment_id: number; post_slug: string }
  | { event: "reply.published"; comment_id: number; post_slug: string }
  // The address to confirm is the author's of `comment_id` (their own comment, the thread they
  // follow), read at delivery: messages carry ids only, so an erased commenter is in no message,
  // logged, retried or dead-lettered.
  | { event: "subscriber.confirm"; comment_id: number };

/** Never throws: what it announces is already saved; a lost notification is logged, not the reader's problem. */
async function enqueue(env: Env, messages: NotifyMessage[]): Promise<void> {
  if (!messages.length) return;
  try {
    await env.NOTIFY.sendBatch(messages.map((body) => ({ body })));
  } catch (err) {
    console.error("notification queue unavailable", messages, err instanceof Error ? err.message : err);
  }
}

/** A new comment: to the webhook and to the author's inbox (when each is configured), and to followers when it is a published reply. */
export function announceComment(env: Env, row: CommentRow): Promise<void> {
  const settings = emailSettings(env);
  const messages: NotifyMessage[] = [];
  if (row.status !== "spam") {
    if (env.WEBHOOK_URL) messages.push({ event: "comment.created", channel: "webhook", comment_id: row.id, post_slug: row.postSlug });
    if (settings?.author && settings.mode === "each")
      messages.push({ event: "comment.created", channel: "email", comment_id: row.id, post_slug: row.postSlug });
  }
  if (row.status === "approved" && row.parentId !== null && settings) messages.push({ event: "reply.published", comment_id: row.id, post_slug: row.postSlug });
  return enqueue(env, messages);
}

/** Replies just published by a moderator's decision: their followers are told. */
export function announcePublished(env: Env, rows: CommentRow[]): Promise<void> {
  if (!emailSettings(env)) return Promise.resolve();
  return enqueue(
    env,
    rows.filter((r) => r.parentId !== null).map((r) => ({ event: "reply.published", comment_id: r.id, post_slug: r.postSlug })),
  );
}

/** Readers asked to follow replies with an address not yet confirmed (the author of each comment): they get the confirmation email. */
export function askConfirmation(env: Env, ...commentIds: number[]): Promise<void> {
  return emailSettings(env)
    ? enqueue(
        env,
        commentIds.map((id) => ({ event: "subscriber.confirm", comment_id: id })),
      )
    : Promise.resolve();
}

/** 30 s, 1 min, 2 min… up to an hour between tries. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(3600, 30 * 2 ** Math.max(0, attempts - 1));
}

async function webhook(env: Env, comment: CommentRow, title: string): Promise<void> {
  const waiting = comment.status === "pending" ? " (awaiting moderation)" : "";
  const res = await fetch(env.WEBHOOK_URL!, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      event: "comment.created",
      text: `${comment.authorName} commented on “${title}”${waiting}: ${comment.content.slice(0, 280)}`,
      post: { slug: comment.postSlug, title, url: threadPagePath(comment.postSlug) },
      comment: {
        id: comment.id,
        status: comment.status,
        held_for: comment.heldFor,
        author: { name: comment.authorName, url: comment.authorUrl },
        content: comment.content,
        created_at: new Date(comment.createdAt).toISOString(),
        url: `${threadPagePath(comment.postSlug)}#comment-${comment.id}`,
      },
    }),
  });
  if (!res.ok) throw new Error(`webhook answered ${res.status}`);
}

async function deliverOne(env: Env, body: NotifyMessage): Promise<void> {
  const db = openDb(env.DB);
  const settings = emailSettings(env);
  if (body.event === "subscriber.confirm") {
    // Asked once per thread: a thread confirmed, stopped or erased meanwhile gets nothing.
    // A message from before messages carried ids only (it held an address): dropped, not sent.
    if (!settings || typeof body.comment_id !== "number") return;
    const email = (await getComment(db, body.comment_id))?.authorEmail;
    if (email && !(await desk.subscriptionSettled(db, email, body.comment_id))) await send(env, await confirmationEmail(env, settings, email, body.comment_id));
    return;
  }
  const [comment, post] = await Promise.all([getComment(db, body.comment_id), titled(env, db, body.post_slug)]);
  if (body.event === "reply.published") {
    // Still published: its followers (confirmed, and not its own author) are told, once each.
    if (!settings || comment?.status !== "approved" || comment.parentId === null) return;
    const followed = await getComment(db, comment.parentId);
    if (!followed) return;
    for (const email of await desk.followersOf(db, followed.id)) {
      if (email !== comment.authorEmail) await send(env, await replyEmail(env, settings, email, comment, followed, post));
    }
    return;
  }
  // Gone (purged) or already dealt with as spam: nothing to announce.
  if (!comment || comment.status === "spam" || comment.status === "deleted" || comment.status === "purged") return;
  if (body.channel === "email") {
    const message = settings ? await newCommentEmail(env, settings, comment, post) : null;
    if (message) await send(env, message);
  } else if (env.WEBHOOK_URL) {
    await webhook(env, comment, post?.title ?? body.post_slug);
  }
}

/** What the messages call a comment's page: its post, or another site's page (its title, else its address). */
async function titled(env: Env, db: ReturnType<typeof openDb>, slug: string): Promise<{ title: string } | null> {
  if (!slug.startsWith("~")) return getPost(env.POSTS, slug);
  const thread = await getThread(db, slug);
  return thread ? { title: thread.title || thread.url } : null;
}

export async function deliver(batch: MessageBatch<NotifyMessage>, env: Env, _ctx?: ExecutionContext): Promise<void> {
  for (const message of batch.messages) {
    try {
      await deliverOne(env, message.body);
      message.ack();
    } catch (err) {
      console.error("notification failed; will retry", message.body, err instanceof Error ? err.message : err);
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    }
  }
}
