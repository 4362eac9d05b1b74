// Every comment query. Nothing else in the Worker touches D1.
import { and, asc, between, count, desc, eq, gt, inArray, isNull, lt, sql } from "drizzle-orm";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import { comments, type CommentRow, type CommentStatus, type NewCommentRow } from "./schema.ts";

export type Db = DrizzleD1Database;

export function openDb(d1: D1Database): Db {
  return drizzle(d1);
}

// Read-your-writes with D1 read replicas: a writer gets the session's bookmark in a short-lived
// cookie, and their next reads start from it, so they see their own comment.
export const BOOKMARK_COOKIE = "billet_d1";
const BOOKMARK = /^[\w.:+\/=-]{1,200}$/;

export function bookmarkFrom(request: Request): string | null {
  const value = (request.headers.get("Cookie") ?? "")
    .split(";")
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${BOOKMARK_COOKIE}=`))
    ?.slice(BOOKMARK_COOKIE.length + 1);
  return value && BOOKMARK.test(value) ? value : null;
}

/** A D1 session for a write (from the primary) or a read after one (from the bookmark). */
export function openSession(d1: D1Database, start: string | null): { db: Db; bookmark: () => string | null } {
  const session = d1.withSession(start ?? "first-unconstrained");
  // drizzle only needs prepare() and batch(), which a session has.
  return { db: drizzle(session as unknown as D1Database), bookmark: () => session.getBookmark() };
}

export function bookmarkCookie(bookmark: string | null, secure: boolean): string | null {
  if (!bookmark || !BOOKMARK.test(bookmark)) return null;
  return `${BOOKMARK_COOKIE}=${bookmark}; Path=/; Max-Age=300; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

/** Approved comments of a post, flat in order, a page at a time (the JSON list). */
export async function listApproved(db: Db, slug: string, opts: { limit: number; cursor?: number; sort: "oldest" | "newest" }) {
  const newest = opts.sort === "newest";
  const where = and(
    eq(comments.postSlug, slug),
    eq(comments.status, "approved"),
    opts.cursor === undefined ? undefined : newest ? lt(comments.id, opts.cursor) : gt(comments.id, opts.cursor),
  );
  const [rows, [{ total }]] = await db.batch([
    db.select().from(comments).where(where).orderBy(newest ? desc(comments.id) : asc(comments.id)).limit(opts.limit + 1),
    db.select({ total: count() }).from(comments).where(and(eq(comments.postSlug, slug), eq(comments.status, "approved"))),
  ]);
  const more = rows.length > opts.limit;
  const page = more ? rows.slice(0, opts.limit) : rows;
  return { rows: page, total, nextCursor: more ? page[page.length - 1].id : null };
}

/**
 * One page of threads for the post page: `perPage` top-level comments and all their approved
 * replies, plus the reader's own pending comments (`mine`). The threads of a page are a range of
 * root ids, so their comments are two index ranges, whatever the page size (D1 binds at most
 * 100 parameters to a query, so no list of ids).
 */
export async function pageOfThreads(db: Db, slug: string, page: number, perPage: number, mine: number[] = []) {
  const approvedOnPost = and(eq(comments.postSlug, slug), eq(comments.status, "approved"));
  const [roots, [{ total }], [{ rootTotal }]] = await db.batch([
    db.select({ id: comments.id }).from(comments).where(and(approvedOnPost, isNull(comments.rootId))).orderBy(asc(comments.id)).limit(perPage).offset((page - 1) * perPage),
    db.select({ total: count() }).from(comments).where(approvedOnPost),
    db.select({ rootTotal: count() }).from(comments).where(and(approvedOnPost, isNull(comments.rootId))),
  ]);
  const rootIds = new Set(roots.map((r) => r.id));
  const first = roots[0]?.id;
  const last = roots.at(-1)?.id;
  const pageCount = Math.max(1, Math.ceil(rootTotal / perPage));
  // Three separate reads, each served by an index range (one query ORing them scans the post).
  const reads = [
    ...(first !== undefined && last !== undefined
      ? [
          db.select().from(comments).where(and(approvedOnPost, isNull(comments.rootId), between(comments.id, first, last))),
          db.select().from(comments).where(and(approvedOnPost, between(comments.rootId, first, last))),
        ]
      : []),
    ...(mine.length ? [db.select().from(comments).where(and(eq(comments.postSlug, slug), eq(comments.status, "pending"), inArray(comments.id, mine.slice(0, 50))))] : []),
  ];
  const [head, ...tail] = reads;
  let rows: CommentRow[] = head ? (await db.batch([head, ...tail])).flat().sort((a, b) => a.id - b.id) : [];
  // Within the range, only the page's own threads (a reply under a root that was since held or
  // deleted belongs to no page); the reader's pending comment shows in its thread, or on the
  // last page when it starts one.
  rows = rows.filter((r) => (r.rootId === null ? rootIds.has(r.id) || (r.status === "pending" && page === pageCount) : rootIds.has(r.rootId)));
  return { rows, total, pageCount, firstNumber: (page - 1) * perPage + 1 };
}

export async function getComment(db: Db, id: number): Promise<CommentRow | undefined> {
  const [row] = await db.select().from(comments).where(eq(comments.id, id)).limit(1);
  return row;
}

/** Stores a new comment; undefined when the same comment is already there (see contentHash). */
export async function insertComment(db: Db, row: NewCommentRow): Promise<CommentRow | undefined> {
  const [inserted] = await db.insert(comments).values(row).onConflictDoNothing().returning();
  return inserted;
}

/** A write refused because the same comment is already there (the no-duplicates index). */
export function isDuplicateError(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    if (e.message.includes("UNIQUE constraint failed")) return true;
  }
  return false;
}

/** Has this email an approved comment already? (first-comment moderation) */
export async function isTrustedEmail(db: Db, email: string): Promise<boolean> {
  const [row] = await db
    .select({ id: comments.id })
    .from(comments)
    .where(and(eq(comments.authorEmail, email), eq(comments.status, "approved")))
    .limit(1);
  return row !== undefined;
}

// D1 binds at most 100 parameters to a statement: long id lists go in slices, in one batch
// (a batch is one transaction: all of it or none).
const ID_SLICE = 90;
function slices(ids: number[]): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < ids.length; i += ID_SLICE) out.push(ids.slice(i, i + ID_SLICE));
  return out;
}

/** Moves comments to a state. `heldFor` says why, when it is a decision (undefined leaves it as it was). */
export async function setStatus(db: Db, ids: number[], status: CommentStatus, now: number, heldFor?: string | null): Promise<CommentRow[]> {
  if (!ids.length) return [];
  const values = heldFor === undefined ? { status, updatedAt: now } : { status, heldFor, updatedAt: now };
  const [first, ...rest] = slices(ids).map((slice) => db.update(comments).set(values).where(inArray(comments.id, slice)).returning());
  return (await db.batch([first, ...rest])).flat();
}

/** How many comments are in each state (the moderation page's tabs). */
export async function countByStatus(db: Db): Promise<Record<CommentStatus, number>> {
  const rows = await db.select({ status: comments.status, n: count() }).from(comments).groupBy(comments.status);
  const out = { pending: 0, approved: 0, spam: 0, deleted: 0 };
  for (const r of rows) out[r.status] = r.n;
  return out;
}

export async function editComment(db: Db, id: number, content: string, html: string, contentHash: string, now: number): Promise<CommentRow | undefined> {
  const [row] = await db.update(comments).set({ content, html, contentHash, editedAt: now, updatedAt: now }).where(eq(comments.id, id)).returning();
  return row;
}

/** Removes comments for good (admin purge); their replies stay, shown at the top level. */
export async function purgeComments(db: Db, ids: number[]): Promise<CommentRow[]> {
  if (!ids.length) return [];
  const [first, ...rest] = slices(ids).map((slice) => db.delete(comments).where(inArray(comments.id, slice)).returning());
  return (await db.batch([first, ...rest])).flat();
}

/** Approved comment counts for these posts (missing posts count 0). */
export async function countApproved(db: Db, slugs: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = Object.fromEntries(slugs.map((s) => [s, 0]));
  if (!slugs.length) return out;
  const rows = await db
    .select({ slug: comments.postSlug, n: count() })
    .from(comments)
    .where(and(inArray(comments.postSlug, slugs), eq(comments.status, "approved")))
    .groupBy(comments.postSlug);
  for (const r of rows) out[r.slug] = r.n;
  return out;
}

/** The moderation queue: comments in one state, newest first, a page at a time. */
export async function listForModeration(db: Db, opts: { status: CommentStatus; post?: string; limit: number; cursor?: number }) {
  const rows = await db
    .select()
    .from(comments)
    .where(
      and(
        eq(comments.status, opts.status),
        opts.post ? eq(comments.postSlug, opts.post) : undefined,
        opts.cursor === undefined ? undefined : lt(comments.id, opts.cursor),
      ),
    )
    .orderBy(desc(comments.id))
    .limit(opts.limit + 1);
  const more = rows.length > opts.limit;
  const page = more ? rows.slice(0, opts.limit) : rows;
  return { rows: page, nextCursor: more ? page[page.length - 1].id : null };
}
