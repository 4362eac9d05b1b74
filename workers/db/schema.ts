// The one description of billet's D1 tables. Migrations are generated from it by drizzle-kit.
import { sql } from "drizzle-orm";
import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

// `purged` is gone for good: its text and author are erased. A purged comment with replies keeps
// its row, so its thread still reads as one (an empty place above the replies).
export const COMMENT_STATUSES = ["pending", "approved", "spam", "deleted", "purged"] as const;
export type CommentStatus = (typeof COMMENT_STATUSES)[number];
/** The states a moderator lists, counts and moves comments between. */
export const MODERATION_STATUSES = ["pending", "approved", "spam", "deleted"] as const;
export type ModerationStatus = (typeof MODERATION_STATUSES)[number];

export const comments = sqliteTable(
  "comments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    postSlug: text("post_slug").notNull(),
    // Direct parent (null for a top-level comment) and the top-level ancestor of the thread
    // (null for a top-level comment), so a page of threads is two indexed range reads.
    parentId: integer("parent_id"),
    rootId: integer("root_id"),
    // The thread: its top-level comment's id (the comment's own id at the top level). Computed by
    // SQLite, so a page of threads is one indexed range whichever comments of it are visible.
    threadId: integer("thread_id").generatedAlwaysAs(sql`coalesce(root_id, id)`, { mode: "virtual" }),
    depth: integer("depth").notNull().default(0),
    authorName: text("author_name").notNull(),
    // Private: never leaves the admin API.
    authorEmail: text("author_email"),
    authorUrl: text("author_url"),
    // What the commenter wrote, and the safe HTML rendered from it when it was written.
    content: text("content").notNull(),
    html: text("html").notNull(),
    status: text("status", { enum: COMMENT_STATUSES }).notNull().default("pending"),
    // Why a comment was held (link count, word list, honeypot...), for the moderator.
    heldFor: text("held_for"),
    createdAt: integer("created_at").notNull(),
    editedAt: integer("edited_at"),
    updatedAt: integer("updated_at").notNull(),
    // Keyed hash of the client's network (IPv4 address or IPv6 /64); never the address itself.
    // Erased after ADDRESS_RETENTION_DAYS (the daily clean-up), and with the commenter's data.
    ipHash: text("ip_hash"),
    // SHA-256 of the edit token handed to the commenter.
    editTokenHash: text("edit_token_hash"),
    // SHA-256 of author name and text: the same comment twice on a post is refused by the database
    // itself, so two identical posts arriving together cannot both be stored.
    contentHash: text("content_hash"),
    // The client's Idempotency-Key (scoped to the post): a retried post returns the first answer.
    idempotencyKey: text("idempotency_key"),
    // Where an imported comment came from ("wordpress:<site>:<comment id>", "disqus:<post id>"...),
    // so importing the same file twice adds nothing; null for comments written here.
    importKey: text("import_key"),
    // The spam filter's score when the comment arrived (0 ham … 1 spam), the features that weighed
    // most towards spam (JSON list, shown to the moderator), and what the filter learned from the
    // author's decision on it ("spam" or "ham"), so that a change of mind unlearns it.
    spamScore: real("spam_score"),
    spamReasons: text("spam_reasons"),
    trainedAs: text("trained_as", { enum: ["spam", "ham"] }),
    // Written by the blog's author through a signed-in path (the admin page, an email reply, the
    // page with the admin cookie or Access): the "Auteur" badge. Never set from what a reader types.
    byAuthor: integer("by_author", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [
    // The public list and the page: approved comments of a post, in order; threads by root.
    index("comments_post_status_id").on(t.postSlug, t.status, t.id),
    index("comments_post_status_thread").on(t.postSlug, t.status, t.threadId, t.id),
    // Replies of a comment (does it have any, before a purge).
    index("comments_parent").on(t.parentId),
    // Moderation queue.
    index("comments_status_id").on(t.status, t.id),
    // The site's comments feed: the latest approved comments, by date.
    index("comments_status_created").on(t.status, t.createdAt, t.id),
    // First-comment trust; a commenter's data (export, erase).
    index("comments_email").on(t.authorEmail, t.status),
    // The daily clean-up of address hashes.
    index("comments_created").on(t.createdAt),
    // No duplicates among the comments that count (approved, or waiting): a text that was marked
    // spam or deleted may be posted again, so a wrongly caught reader is never blocked for good.
    uniqueIndex("comments_no_duplicates").on(t.postSlug, t.contentHash).where(sql`${t.status} in ('approved', 'pending')`),
    uniqueIndex("comments_idempotency").on(t.postSlug, t.idempotencyKey),
    // npm run import: one row per source comment (null keys do not collide).
    uniqueIndex("comments_import_key").on(t.importKey),
  ],
);

export type CommentRow = typeof comments.$inferSelect;
export type NewCommentRow = typeof comments.$inferInsert;

// One row per post whose visible comments ever changed: a random version, replaced by triggers
// (migrations/0005_post-versions.sql) on every change readers can see, whatever wrote it (the
// Worker, an import, a console). Caches key on it, so a change is never hidden by any copy.
export const postVersions = sqliteTable(
  "post_versions",
  {
    postSlug: text("post_slug").primaryKey(),
    version: integer("version").notNull(),
    // What readers see of the post, kept by the same triggers (migrations/0009_post-counts.sql): its
    // approved comments, and its threads that hold one. A page reads them instead of counting.
    approved: integer("approved").notNull().default(0),
    threads: integer("threads").notNull().default(0),
    // When what readers see of the post last changed (ms; null before any change): the sitemap's
    // lastmod. Kept by triggers on this table (migrations/0011_post-changed-at.sql).
    changedAt: integer("changed_at"),
  },
  // The site's last change (its comments feed is cached under it): the greatest, read on the index.
  (t) => [index("post_versions_changed").on(t.changedAt)],
);

// The spam filter's memory: for each feature, in how many comments the author called spam and ham
// it appeared (workers/spam/classifier.ts). The row " documents" holds the totals.
export const spamFeatures = sqliteTable("spam_features", {
  feature: text("feature").primaryKey(),
  spam: integer("spam").notNull().default(0),
  ham: integer("ham").notNull().default(0),
});

export const BLOCK_KINDS = ["email", "network", "host"] as const;
export type BlockKind = (typeof BLOCK_KINDS)[number];

// Commenters the author blocked: by email, by network (the same keyed hash as comments.ip_hash) or
// by their website's host; until a time, or for good (null). Their new comments go to spam.
export const blocks = sqliteTable(
  "blocks",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    kind: text("kind", { enum: BLOCK_KINDS }).notNull(),
    value: text("value").notNull(),
    until: integer("until"),
    reason: text("reason"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("blocks_kind_value").on(t.kind, t.value)],
);
export type BlockRow = typeof blocks.$inferSelect;

// Every moderation action: what, on which comments, when, and who (the admin token, a Cloudflare
// Access identity, a one-click link, an email reply).
export const audit = sqliteTable(
  "audit",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at").notNull(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    // JSON list of comment ids, or null.
    commentIds: text("comment_ids"),
    detail: text("detail"),
  },
  (t) => [index("audit_at").on(t.at)],
);
export type AuditRow = typeof audit.$inferSelect;

// One-click links in emails work once: the nonce of each link used.
export const usedLinks = sqliteTable("used_links", {
  nonce: text("nonce").primaryKey(),
  usedAt: integer("used_at").notNull(),
});

// Readers who asked to be told of replies: their address, once confirmed (double opt-in), and
// whether they stopped everything. Nothing is ever sent to an address not confirmed.
export const subscribers = sqliteTable("subscribers", {
  email: text("email").primaryKey(),
  confirmedAt: integer("confirmed_at"),
  createdAt: integer("created_at").notNull(),
  // When an address that had not confirmed was asked a second time (once only; the daily job
  // forgets addresses still unconfirmed after that).
  remindedAt: integer("reminded_at"),
});

// Which comments' replies a subscriber follows (their own comments). Consent is per thread: each
// is confirmed on its own (from the email, or by the commenter's cookie proving the address),
// never because the same address confirmed another one.
export const subscriptions = sqliteTable(
  "subscriptions",
  {
    commentId: integer("comment_id").notNull(),
    email: text("email").notNull(),
    createdAt: integer("created_at").notNull(),
    confirmedAt: integer("confirmed_at"),
  },
  (t) => [uniqueIndex("subscriptions_comment_email").on(t.commentId, t.email), index("subscriptions_email").on(t.email)],
);

// Threads the author pinned to the top of their post (the thread's top-level comment), in every
// order and on its first page. Triggers (migrations/0018_pins-version.sql) replace the post's
// version on a pin or unpin, so cached pages show it at once.
export const pins = sqliteTable(
  "pins",
  {
    threadId: integer("thread_id").primaryKey(),
    postSlug: text("post_slug").notNull(),
    pinnedAt: integer("pinned_at").notNull(),
  },
  (t) => [index("pins_post").on(t.postSlug)],
);

// "Useful" marks from readers: one per reader (a random id in their signed cookie) per comment.
// `network` is the keyed hash of the reader's network (as comments.ip_hash), which bounds how many
// marks one network can give one comment however often its cookies are cleared. A mark never
// changes the post's version: pages show counts as of their version.
export const reactions = sqliteTable(
  "reactions",
  {
    commentId: integer("comment_id").notNull(),
    reader: text("reader").notNull(),
    network: text("network"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("reactions_comment_reader").on(t.commentId, t.reader), index("reactions_comment_network").on(t.commentId, t.network)],
);
// Threads of other sites' pages (EMBED_SITES): one row per page that has comments, stored with
// its first accepted comment. Its comments are ordinary comments whose post_slug is the thread's
// key (workers/store/thread-key.ts), so moderation, feeds, email and exports treat them alike.
export const threads = sqliteTable(
  "threads",
  {
    key: text("key").primaryKey(),
    // The allowed site's origin, the page's normalised address and its explicit id (or null).
    site: text("site").notNull(),
    url: text("url").notNull(),
    explicitId: text("explicit_id"),
    // The page's title as the page gave it: plain text, always escaped where it is shown.
    title: text("title").notNull().default(""),
    createdAt: integer("created_at").notNull(),
    // Keyed hash of the network that started it (the cap on new threads per client and hour).
    createdBy: text("created_by"),
  },
  (t) => [index("threads_site").on(t.site, t.createdAt), index("threads_created_by").on(t.createdBy, t.createdAt)],
);
export type ThreadRow = typeof threads.$inferSelect;
