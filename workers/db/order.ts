// The order of a post's comments (oldest, newest, best first; pinned threads before all), the
// author's pins, and readers' "useful" marks.
import { and, asc, count, desc, eq, getTableColumns, gt, isNotNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import { comments, pins, postVersions, reactions } from "./schema.ts";

type Db = DrizzleD1Database;

/** How a post's threads are ordered: oldest first (the default, as the seed numbers them), newest first, best first. */
export const SORTS = ["oldest", "newest", "best"] as const;
export type Sort = (typeof SORTS)[number];
export const DEFAULT_SORT: Sort = "oldest";
export const isSort = (value: unknown): value is Sort => SORTS.includes(value as Sort);

/** 1 when the comment's thread is pinned, else 0 (a primary-key look-up). */
// Written out with their tables' names: drizzle leaves a column of the query's own table unqualified,
// which inside the subquery would name the subquery's column.
export const pinnedThread = sql<number>`exists (select 1 from "pins" where "pins"."thread_id" = "comments"."thread_id")`;

/** How many readers marked the comment useful (an index range of its marks). */
export const reactionCount = sql<number>`(select count(*) from "reactions" where "reactions"."comment_id" = "comments"."id")`;

/**
 * The order of the groups of a query grouped by thread: pinned threads first, then by `sort`.
 * Best first: the thread's useful marks (on its approved comments), then its size, then age.
 */
export function threadOrder(sort: Sort): SQL[] {
  const keys =
    sort === "newest"
      ? [desc(comments.threadId)]
      : sort === "best"
        ? [desc(sql`sum(${reactionCount})`), desc(count()), asc(comments.threadId)]
        : [asc(comments.threadId)];
  return [desc(pinnedThread), ...keys];
}

/** A thread on a page: its number as the seed counts (oldest first, whatever the order shown), and whether it is pinned. */
export interface PageThread {
  id: number;
  number: number;
  pinned: boolean;
}

// The flat JSON list: comments of pinned threads first, then in the order asked; a page ends with
// a cursor that names its last comment's place in that order ("p" when pinned, its marks when
// best first, its id), so the next page starts right after it, whatever arrived since (but for
// best first, whose marks can change between two pages).
export interface ListCursor {
  pinned: boolean;
  reactions: number;
  id: number;
}

export const LIST_CURSOR = /^(p?)(?:(\d{1,9})\.)?(\d{1,15})$/;

/** The cursor's place, or null when it does not fit the order (a best-first cursor names the marks). */
export function parseCursor(raw: string, sort: Sort): ListCursor | null {
  const match = LIST_CURSOR.exec(raw);
  if (!match || (sort === "best") !== (match[2] !== undefined)) return null;
  return { pinned: match[1] === "p", reactions: Number(match[2] ?? 0), id: Number(match[3]) };
}

export function cursorOf(row: { pinned: boolean; reactions: number; id: number }, sort: Sort): string {
  return `${row.pinned ? "p" : ""}${sort === "best" ? `${row.reactions}.` : ""}${row.id}`;
}

function after(cursor: ListCursor, sort: Sort): SQL | undefined {
  const within =
    sort === "newest"
      ? lt(comments.id, cursor.id)
      : sort === "best"
        ? or(sql`${reactionCount} < ${cursor.reactions}`, and(sql`${reactionCount} = ${cursor.reactions}`, gt(comments.id, cursor.id)))
        : gt(comments.id, cursor.id);
  const group = cursor.pinned ? 1 : 0;
  return or(sql`${pinnedThread} < ${group}`, and(sql`${pinnedThread} = ${group}`, within));
}

/** Approved comments of a post, flat, in the order asked, a page at a time (the JSON list), with the post's state. */
export async function listInOrder(db: Db, slug: string, opts: { limit: number; cursor?: ListCursor; sort: Sort }) {
  const keys = opts.sort === "newest" ? [desc(comments.id)] : opts.sort === "best" ? [desc(reactionCount), asc(comments.id)] : [asc(comments.id)];
  const [rows, [state]] = await db.batch([
    db
      .select({ ...getTableColumns(comments), pinned: pinnedThread, reactions: reactionCount })
      .from(comments)
      .where(and(eq(comments.postSlug, slug), eq(comments.status, "approved"), opts.cursor ? after(opts.cursor, opts.sort) : undefined))
      .orderBy(desc(pinnedThread), ...keys)
      .limit(opts.limit + 1),
    db.select({ version: postVersions.version, approved: postVersions.approved }).from(postVersions).where(eq(postVersions.postSlug, slug)),
  ]);
  const more = rows.length > opts.limit;
  const page = (more ? rows.slice(0, opts.limit) : rows).map((r) => ({ ...r, pinned: Boolean(r.pinned), reactions: Number(r.reactions) }));
  return {
    rows: page,
    total: state?.approved ?? 0,
    nextCursor: more ? cursorOf(page[page.length - 1], opts.sort) : null,
    version: state?.version ?? 0,
  };
}

/** Pins a thread (given by its top-level comment); the row when it was not pinned yet. */
export function pinStatement(db: Db, thread: { threadId: number; postSlug: string }, now: number) {
  return db.insert(pins).values({ threadId: thread.threadId, postSlug: thread.postSlug, pinnedAt: now }).onConflictDoNothing().returning();
}

/** Unpins a thread; the row when it was pinned. */
export function unpinStatement(db: Db, threadId: number) {
  return db.delete(pins).where(eq(pins.threadId, threadId)).returning();
}

/** At most this many readers of one network (IPv4 address, IPv6 /64) mark one comment, however many cookies they use. */
export const NETWORK_MARKS_PER_COMMENT = 5;

/**
 * A reader's mark on a comment, or its undo: the comment's count after it, and whether the reader's
 * mark is there. A mark beyond NETWORK_MARKS_PER_COMMENT from one network is not stored (`mine`
 * stays false). One batch: the change and what it left.
 */
export async function setReaction(db: Db, mark: { commentId: number; reader: string; network: string | null; now: number; on: boolean }) {
  const fromNetwork = mark.network === null ? sql`${reactions.network} is null` : eq(reactions.network, mark.network);
  const change = mark.on
    ? db
        .insert(reactions)
        .select(
          sql`select ${mark.commentId}, ${mark.reader}, ${mark.network}, ${mark.now} where (select count(*) from ${reactions} where ${reactions.commentId} = ${mark.commentId} and ${fromNetwork}) < ${NETWORK_MARKS_PER_COMMENT}`,
        )
        .onConflictDoNothing()
    : db.delete(reactions).where(and(eq(reactions.commentId, mark.commentId), eq(reactions.reader, mark.reader)));
  const [changed, [total], mine] = await db.batch([
    change,
    db.select({ n: count() }).from(reactions).where(eq(reactions.commentId, mark.commentId)),
    db
      .select({ n: reactions.commentId })
      .from(reactions)
      .where(and(eq(reactions.commentId, mark.commentId), eq(reactions.reader, mark.reader)))
      .limit(1),
  ]);
  return { count: total?.n ?? 0, mine: mine.length > 0, added: mark.on && ((changed as { meta?: { changes?: number } }).meta?.changes ?? 0) > 0 };
}

/** Erases the network hashes of marks older than `before` (ADDRESS_RETENTION_DAYS, as for comments). */
export async function eraseOldMarkNetworks(db: Db, before: number): Promise<void> {
  await db
    .update(reactions)
    .set({ network: null })
    .where(and(lt(reactions.createdAt, before), isNotNull(reactions.network)));
}
