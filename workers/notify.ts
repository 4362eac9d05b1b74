// Telling the author about new comments: a queue message when a comment is written, and the
// queue consumer that delivers it to the webhook, retrying with backoff while the webhook is down.
import { getComment, openDb } from "./db/comments.ts";
import { getPost } from "./store/posts.ts";

export interface NotifyMessage {
  event: "comment.created";
  comment_id: number;
  post_slug: string;
}

/** Never throws: the comment is already saved; a lost notification is logged, not the reader's problem. */
export async function announce(env: Env, message: NotifyMessage): Promise<void> {
  if (!env.WEBHOOK_URL) return;
  try {
    await env.NOTIFY.send(message);
  } catch (err) {
    console.error("notification queue unavailable", message, err instanceof Error ? err.message : err);
  }
}

/** 30 s, 1 min, 2 min… up to an hour between tries. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(3600, 30 * 2 ** Math.max(0, attempts - 1));
}

export async function deliver(batch: MessageBatch<NotifyMessage>, env: Env, _ctx?: ExecutionContext): Promise<void> {
  const db = openDb(env.DB);
  for (const message of batch.messages) {
    const { comment_id, post_slug } = message.body;
    if (!env.WEBHOOK_URL) {
      message.ack();
      continue;
    }
    try {
      const [comment, post] = await Promise.all([getComment(db, comment_id), getPost(env.POSTS, post_slug)]);
      // Gone (purged) or already dealt with as spam: nothing to announce.
      if (!comment || comment.status === "spam" || comment.status === "deleted") {
        message.ack();
        continue;
      }
      const title = post?.title ?? post_slug;
      const waiting = comment.status === "pending" ? " (awaiting moderation)" : "";
      const res = await fetch(env.WEBHOOK_URL, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          event: message.body.event,
          text: `${comment.authorName} commented on “${title}”${waiting}: ${comment.content.slice(0, 280)}`,
          post: { slug: post_slug, title, url: `/posts/${post_slug}/` },
          comment: {
            id: comment.id,
            status: comment.status,
            held_for: comment.heldFor,
            author: { name: comment.authorName, url: comment.authorUrl },
            content: comment.content,
            created_at: new Date(comment.createdAt).toISOString(),
            url: `/posts/${post_slug}/#comment-${comment.id}`,
          },
        }),
      });
      if (!res.ok) throw new Error(`webhook answered ${res.status}`);
      message.ack();
    } catch (err) {
      console.error("webhook delivery failed; will retry", comment_id, err instanceof Error ? err.message : err);
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    }
  }
}
