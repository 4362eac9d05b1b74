// Every comment query. Nothing else in the Worker touches D1.
import { and, count, desc, eq, getTableColumns, inArray, is, lt, ne, or, Param, Placeholder, type SQL, sql } from "drizzle-orm";
import { QueryBuilder, SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import { DEFAULT_SORT, type PageThread, pinnedThread, reactionCount, type Sort, threadOrder } from "./order.ts";
import { d1Session } from "./session.ts";
import { COMMENT_STATUSES, comments, postVersions, threads, type CommentRow, type CommentStatus, type ModerationStatus } from "./schema.ts";

export type Db = DrizzleD1Database;

export function openDb(d1: D1Database): Db {
  return drizzle(d1);
}

/**
 * A D1 session (see session.ts): for a write, from the primary ("first-primary"); for a reader who
 * just wrote, from their bookmark, so that they see their own comment; for any other reader, the
 * nearest copy (null).
 */
export function openSession(d1: D1Database, start: string | null): { db: Db; d1: D1DatabaseSession; bookmark: () => string | null } {
  const session = d1Session(d1, start === "first-primary" ? { write: true } : { bookmark: start });
  // drizzle only needs prepare() and batch(), which a session has.
  return { db: drizzle(session as unknown as D1Database), d1: session, bookmark: () => session.getBookmark() };
}

/** What a reader reads from: the nearest copy of the database, or from their bookmark on when they just wrote. */
export function readerSession(d1: D1Database, bookmark: string | null): D1DatabaseSession {
  return d1Session(d1, { bookmark });
}

// D1 binds at most 100 parameters to a statement: every list goes in slices, all in one batch
// (a batch is one transaction: all of it or none).
// A statement that also binds values of its own (an update's new values) takes smaller slices.
const SLICE = 90;
export function slices<T>(list: T[], size = SLICE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Runs one statement per slice of `list` in a single batch, and joins their results. */
async function inSlices<T, R>(db: Db, list: T[], statement: (slice: T[]) => { execute(): Promise<R[]> }): Promise<R[]> {
  if (!list.length) return [];
  const [first, ...rest] = slices(list).map(statement);
  // drizzle's batch wants a non-empty tuple of its own query types.
  return (await db.batch([first, ...rest] as unknown as Parameters<Db["batch"]>[0])).flat() as R[];
}

/** The post's state as the database keeps it: its version and what readers see (no row: nothing yet). */
function stateQuery(db: Db, slug: string) {
  return db
    .select({ version: postVersions.version, approved: postVersions.approved, threads: postVersions.threads })
    .from(postVersions)
    .where(eq(postVersions.postSlug, slug));
}
const NO_STATE = { version: 0, approved: 0, threads: 0 };

/** The post's version: replaced by the database on every change readers can see (0 before any). */
export async function postVersion(db: Db, slug: string): Promise<number> {
  const [row] = await stateQuery(db, slug);
  return row?.version ?? 0;
}

// A blocked commenter's comment is stored as spam (nobody else sees it), its `held_for` saying
// what it would have been without the block: what its author is told and shown (own cookie).
export const BLOCKED_SEEN = { approved: "blocked:published", pending: "blocked:held" } as const;
export const isBlockedSeen = (heldFor: string | null): boolean => heldFor === BLOCKED_SEEN.approved || heldFor === BLOCKED_SEEN.pending;

/** How a comment shows on the page: itself, its author's own pending one, or an empty place above replies. */
export type Shown = "approved" | "pending" | "removed";

// What a page shows of a comment: nothing private, and not the Markdown it was written in.
const pageColumns = {
  id: comments.id,
  parentId: comments.parentId,
  threadId: comments.threadId,
  authorName: comments.authorName,
  authorUrl: comments.authorUrl,
  html: comments.html,
  createdAt: comments.createdAt,
  editedAt: comments.editedAt,
  byAuthor: comments.byAuthor,
};
export type PageRow = Pick<CommentRow, keyof typeof pageColumns> & { authorEmail?: string | null; reactions?: number };
// The email is read only to draw the commenter's face from (auth/faces.ts); it is never rendered.
const threadColumns = { ...pageColumns, status: comments.status, authorEmail: comments.authorEmail };

// The page's own read, built by drizzle once per isolate and run as D1 statements: on every render,
// building the query cost more of the Worker's CPU than D1 takes to run it.
// One per order of threads (workers/db/order.ts), built when first asked for.
const buildPageRead = (sort: Sort) => {
  const qb = new QueryBuilder();
  const dialect = new SQLiteSyncDialect();
  const slug = sql.placeholder("slug");
  const limit = sql.placeholder("limit");
  const offset = sql.placeholder("offset");
  const visible = and(eq(comments.postSlug, slug), eq(comments.status, "approved"));
  // The page's threads (id, pinned). Oldest and newest first: the pinned threads (few, from `pins`)
  // then the others as one index range of thread ids, whose offset and length leave room for the
  // pinned ones; so a page costs the same however many threads come before it. Best first sorts
  // every thread by its marks: no index gives that order.
  const pageThreadIds =
    sort === "best"
      ? sql`select ${comments.threadId} as id, ${pinnedThread} as pinned, row_number() over (order by ${comments.threadId}) as number from ${comments} where ${visible} group by ${comments.threadId} order by ${sql.join(threadOrder(sort), sql`, `)} limit ${limit} offset ${offset}`
      : (() => {
          const direction = sort === "newest" ? sql`desc` : sql`asc`;
          const pinnedShown = sql`select "pins"."thread_id" from "pins" where "pins"."post_slug" = ${slug} and exists (select 1 from "comments" where "comments"."post_slug" = ${slug} and "comments"."status" = 'approved' and "comments"."thread_id" = "pins"."thread_id")`;
          const pinnedCount = sql`(select count(*) from (${pinnedShown}))`;
          return sql`select id, 1 as pinned from (select "thread_id" as id from (${pinnedShown}) order by id ${direction} limit ${limit} offset ${offset})
            union all
            select id, 0 as pinned from (select ${comments.threadId} as id from ${comments} where ${visible} and ${comments.threadId} not in (select "pins"."thread_id" from "pins" where "pins"."post_slug" = ${slug})
              group by ${comments.threadId} order by ${comments.threadId} ${direction}
              limit min(${limit}, max(0, ${offset} + ${limit} - ${pinnedCount})) offset max(0, ${offset} - ${pinnedCount}))`;
        })();
  const onPage = sql`(select id from (${pageThreadIds}))`;
  return {
    state: qb
      .select({ version: postVersions.version, approved: postVersions.approved, threads: postVersions.threads })
      .from(postVersions)
      .where(eq(postVersions.postSlug, slug))
      .toSQL(),
    // Every comment of the page's threads: the approved ones, shown; and the others, for the empty
    // places above replies (no query per level of a thread). Two statements, so that each reads
    // its own index range (approved rows by thread; the others among the post's few not approved).
    rows: qb
      .select({ ...threadColumns, reactions: reactionCount.as("reactions") })
      .from(comments)
      .where(and(visible, inArray(comments.threadId, onPage)))
      .toSQL(),
    // The page's threads, and the post's pinned threads shown, each with its number as the seed
    // counts (oldest first): from these, pageThreads numbers the page's threads without counting
    // every thread before them.
    threads: dialect.sqlToQuery(pageThreadIds),
    pinned: dialect.sqlToQuery(
      sql`select "pins"."thread_id" as id, (select count(distinct ${comments.threadId}) from ${comments} where ${visible} and ${comments.threadId} < "pins"."thread_id") + 1 as number from "pins"
        where "pins"."post_slug" = ${slug} and exists (select 1 from ${comments} where ${visible} and ${comments.threadId} = "pins"."thread_id")`,
    ),
    others: qb
      .select(threadColumns)
      .from(comments)
      .where(
        and(
          eq(comments.postSlug, slug),
          inArray(
            comments.status,
            COMMENT_STATUSES.filter((st) => st !== "approved"),
          ),
          inArray(comments.threadId, onPage),
        ),
      )
      .toSQL(),
    // Each field of a row and the column D1 names it by.
    fields: [...Object.entries(threadColumns).map(([field, column]) => [field, column.name] as const), ["reactions", "reactions"] as const],
  };
};
const pageReads = new Map<Sort, ReturnType<typeof buildPageRead>>();
function pageReadFor(sort: Sort) {
  const known = pageReads.get(sort);
  if (known) return known;
  const read = buildPageRead(sort);
  pageReads.set(sort, read);
  return read;
}

// Does a comment's thread show on the post's pages (does it hold an approved comment)? On comments_post_status_thread.
// (Written out: drizzle names a column of the query's one table without it, which the subquery would take for its own.)
const threadShown = sql<number>`exists (select 1 from "comments" as shown where shown.post_slug = "comments"."post_slug" and shown.status = 'approved' and shown.thread_id = "comments"."thread_id")`;

/** A statement for D1 from a query built with placeholders, and their values (undefined binds as null). */
export function bound(d1: D1Database | D1DatabaseSession, query: { sql: string; params: unknown[] }, values: Record<string, unknown> = {}) {
  // An insert's value is a Param holding its placeholder; its column's mapping is the caller's.
  const bindable = (p: unknown): unknown => (is(p, Param) ? bindable(p.value) : is(p, Placeholder) ? (values[p.name] ?? null) : p);
  return d1.prepare(query.sql).bind(...query.params.map(bindable));
}

/**
 * One page of threads for the post page. A thread (a top-level comment and its replies) is on the
 * page when it holds an approved comment; `perPage` threads a page, in order. A page is one index
 * range of thread ids, whatever its size (D1 binds at most 100 parameters, so no list of ids).
 * Shown are: the approved comments of those threads; every ancestor they hang under, as an empty
 * place when it is not approved (held, spam, deleted, purged), so that a reply never loses its
 * thread; and the reader's own pending comments (`mine`), in their thread, or on the last page
 * when their thread has nothing else to show. `version` comes from the same snapshot as the rows.
 * `d1` is the database or a session of it (a reader's bookmark).
 */
export async function pageOfThreads(
  d1: D1Database | D1DatabaseSession,
  slug: string,
  page: number,
  perPage: number,
  mine: number[] = [],
  sort: Sort = DEFAULT_SORT,
) {
  const db = drizzle(d1 as D1Database);
  const pageRead = pageReadFor(sort);
  const own = mine.slice(0, 50);
  // One round trip: the state and the page's comments (its threads are those its approved comments
  // are in), and the reader's own waiting comments when they have some.
  const range = { slug, limit: perPage, offset: (page - 1) * perPage };
  const results = await d1.batch<Record<string, unknown>>([
    bound(d1, pageRead.state, { slug }),
    bound(d1, pageRead.rows, range),
    bound(d1, pageRead.others, range),
    bound(d1, pageRead.threads, range),
    bound(d1, pageRead.pinned, { slug }),
    ...(own.length
      ? [
          bound(
            d1,
            db
              // With each, whether its thread shows anywhere (in the same round trip).
              .select({ ...threadColumns, heldFor: comments.heldFor, threadShown: threadShown.as("thread_shown") })
              .from(comments)
              .where(
                and(
                  eq(comments.postSlug, slug),
                  inArray(comments.id, own),
                  or(
                    eq(comments.status, "pending"),
                    and(eq(comments.status, "spam"), inArray(comments.heldFor, [BLOCKED_SEEN.approved, BLOCKED_SEEN.pending])),
                  ),
                ),
              )
              .toSQL(),
          ),
        ]
      : []),
  ]);
  const toRow = (r: Record<string, unknown>) => {
    const row: Record<string, unknown> = {};
    for (const [field, column] of pageRead.fields) row[field] = r[column];
    // Raw D1 rows: SQLite's 0 and 1 for the author's flag.
    row.byAuthor = row.byAuthor === 1 || row.byAuthor === true;
    return row as PageRow & { status: CommentStatus };
  };
  const state = (results[0].results[0] as { version: number; approved: number; threads: number } | undefined) ?? NO_STATE;
  const approved = results[1].results.map(toRow);
  const inThreads = [...approved, ...results[2].results.map(toRow)];
  // The reader's own comments not published: waiting, or blocked and shown to them as they would have been.
  const pending = (results[5]?.results ?? []).map((r) => ({ ...toRow(r), heldFor: r.held_for as string | null, threadShown: Boolean(r.thread_shown) }));
  const seenApproved = (r: { status: CommentStatus; heldFor: string | null }) => r.status === "spam" && r.heldFor === BLOCKED_SEEN.approved;
  const pageCount = Math.max(1, Math.ceil(state.threads / perPage));
  const onPage = new Set(approved.map((r) => r.threadId));
  // The reader's pending comments whose thread shows nowhere (a new thread of theirs) go on the last page.
  const shownThreads = new Set(pending.filter((r) => r.threadShown).map((r) => r.threadId));
  const rows: (PageRow & { shown: Shown })[] = [
    ...approved.map((r) => ({ ...r, shown: "approved" as const })),
    ...pending
      .filter((r) => onPage.has(r.threadId) || (!shownThreads.has(r.threadId) && page === pageCount))
      .map(({ heldFor, ...r }) => ({ ...r, shown: seenApproved({ status: r.status, heldFor }) ? ("approved" as const) : ("pending" as const) })),
  ];
  // The ancestors that are not shown themselves: found among the rows of the page's threads, else
  // (a reader's own comment in another thread) read level by level; one that no longer exists at
  // all leaves its replies where they can hang.
  const byId = new Map(rows.map((r) => [r.id, r]));
  const read = new Map(inThreads.map((r) => [r.id, r]));
  for (let level = 0; level < 32; level++) {
    const missing = [...new Set(rows.map((r) => r.parentId).filter((id): id is number => id !== null && !byId.has(id)))];
    if (!missing.length) break;
    const toRead = missing.filter((id) => !read.has(id));
    const found = [...missing.flatMap((id) => read.get(id) ?? [])];
    if (toRead.length)
      found.push(
        ...(await inSlices(db, toRead, (ids) =>
          db
            .select(threadColumns)
            .from(comments)
            .where(and(eq(comments.postSlug, slug), inArray(comments.id, ids))),
        )),
      );
    for (const id of missing) byId.set(id, { id } as PageRow & { shown: Shown });
    for (const r of found) {
      const placeholder = { ...r, shown: "removed" as const };
      byId.set(r.id, placeholder);
      rows.push(placeholder);
    }
  }
  rows.sort((a, b) => a.id - b.id);
  const threads = pageThreads(sort, results[3].results, results[4].results, range.offset, rows, state.threads);
  return {
    rows,
    total: state.approved + pending.filter(seenApproved).length,
    pageCount,
    firstNumber: (page - 1) * perPage + 1,
    version: state.version,
    threads,
  };
}

/**
 * The page's threads in their order (pinned first), numbered as the seed counts them (oldest first,
 * whatever the order shown); after them, a reader's own new threads shown on this page, numbered
 * after the post's threads. `pinned` holds every pinned thread shown, with its number; an unpinned
 * thread's number follows from its place among the unpinned ones (`offset` on) and the pinned
 * ones before it. Best first comes numbered by the database.
 */
function pageThreads(
  sort: Sort,
  read: Record<string, unknown>[],
  pinned: Record<string, unknown>[],
  offset: number,
  rows: PageRow[],
  threadCount: number,
): PageThread[] {
  const pinnedNumbers = new Map(pinned.map((r) => [r.id as number, r.number as number]));
  const direction = sort === "newest" ? -1 : 1;
  const onPage = read
    .map((r) => ({ id: r.id as number, pinned: Boolean(r.pinned), number: r.number as number | undefined }))
    .sort((a, b) => Number(b.pinned) - Number(a.pinned) || (sort === "best" ? 0 : direction * (a.id - b.id)));
  const unpinnedCount = threadCount - pinnedNumbers.size;
  let place = Math.max(0, offset - pinnedNumbers.size);
  const threads = onPage.map((t): PageThread => {
    if (t.pinned) return { id: t.id, pinned: true, number: pinnedNumbers.get(t.id) ?? Number(t.number) };
    if (t.number !== undefined && t.number !== null) return { id: t.id, pinned: false, number: Number(t.number) };
    // Its place among the unpinned threads, oldest first, and the pinned threads older than it.
    const rank = sort === "newest" ? unpinnedCount - place : place + 1;
    place++;
    let before = 0;
    for (const id of pinnedNumbers.keys()) if (id < t.id) before++;
    return { id: t.id, pinned: false, number: rank + before };
  });
  const known = new Set(threads.map((t) => t.id));
  const theirs = [...new Set(rows.map((r) => r.threadId ?? r.id))].filter((id) => !known.has(id)).sort((a, b) => a - b);
  for (const [i, id] of theirs.entries()) threads.push({ id, number: threadCount + i + 1, pinned: false });
  return threads;
}

/** Where a reply to `parent` goes: under it, or under its deepest ancestor within `maxDepth`. */
export async function replyPlace(db: Db, parent: CommentRow, maxDepth: number): Promise<{ parentId: number | null; rootId: number | null; depth: number }> {
  if (maxDepth === 0) return { parentId: null, rootId: null, depth: 0 };
  let at = parent;
  while (at.depth >= maxDepth && at.parentId !== null) {
    const up = await getComment(db, at.parentId);
    if (!up) break;
    at = up;
  }
  return { parentId: at.id, rootId: at.rootId ?? at.id, depth: at.depth + 1 };
}

export async function getComment(db: Db, id: number): Promise<CommentRow | undefined> {
  const [row] = await db.select().from(comments).where(eq(comments.id, id)).limit(1);
  return row;
}

/** A write refused as already there: by default the same comment (the no-duplicates index), or in `table`. */
export function isDuplicateError(err: unknown, table = "comments"): boolean {
  for (let e: unknown = err; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    if (e.message.includes(`UNIQUE constraint failed: ${table}.`)) return true;
  }
  return false;
}

/** A batch of statements (any number, in slices), and all their results in order. */
export async function runBatch(db: Db, statements: unknown[]): Promise<unknown[]> {
  if (!statements.length) return [];
  return [...(await db.batch(statements as unknown as Parameters<Db["batch"]>[0]))];
}

/**
 * Statements moving comments to a state (one per slice of ids; each returns the rows it changed).
 * `heldFor` says why, when it is a decision (undefined leaves it as it was). Purged comments are
 * gone and stay so.
 */
export function setStatusStatements(db: Db, ids: number[], status: ModerationStatus, now: number, heldFor?: string | null) {
  const values = heldFor === undefined ? { status, updatedAt: now } : { status, heldFor, updatedAt: now };
  return slices(ids).map((slice) =>
    db
      .update(comments)
      .set(values)
      .where(and(inArray(comments.id, slice), ne(comments.status, "purged")))
      .returning(),
  );
}

/** Moves comments to a state (see setStatusStatements), on its own. */
export async function setStatus(db: Db, ids: number[], status: ModerationStatus, now: number, heldFor?: string | null): Promise<CommentRow[]> {
  return (await runBatch(db, setStatusStatements(db, ids, status, now, heldFor))).flat() as CommentRow[];
}

/** Statements recording what the filter learned from each comment. */
export function trainedAsStatements(db: Db, ids: number[], trainedAs: "spam" | "ham" | null) {
  return slices(ids).map((slice) => db.update(comments).set({ trainedAs }).where(inArray(comments.id, slice)));
}

/** Comments by id (any state), for a decision about them. */
export function commentsByIds(db: Db, ids: number[]): Promise<CommentRow[]> {
  return inSlices(db, ids, (slice) => db.select().from(comments).where(inArray(comments.id, slice)));
}

/** How many comments are in each state (the moderation page's tabs); purged ones are gone. */
export async function countByStatus(db: Db): Promise<Record<ModerationStatus, number>> {
  const rows = await db.select({ status: comments.status, n: count() }).from(comments).groupBy(comments.status);
  const out = { pending: 0, approved: 0, spam: 0, deleted: 0 };
  for (const r of rows) if (r.status !== "purged") out[r.status] = r.n;
  return out;
}

/** A new text for a comment, and its state when the new text must be held, in one statement. */
export async function editComment(
  db: Db,
  id: number,
  edit: { content: string; html: string; contentHash: string; now: number; hold?: string; heldFor?: string },
): Promise<CommentRow | undefined> {
  const [row] = await db
    .update(comments)
    .set({
      content: edit.content,
      html: edit.html,
      contentHash: edit.contentHash,
      editedAt: edit.now,
      updatedAt: edit.now,
      ...(edit.heldFor ? { heldFor: edit.heldFor } : {}),
      ...(edit.hold ? { status: "pending" as const, heldFor: edit.hold } : {}),
    })
    .where(eq(comments.id, id))
    .returning();
  return row;
}

// Leaves of a purge are removed level by level within one batch; deeper threads than this keep
// empty rows that nobody sees.
const PURGE_LEVELS = 12;

/**
 * Statements removing comments for good: text, author and everything about them is erased. A
 * comment that still has replies keeps its row, empty, so the replies keep their place in the
 * thread; the others are deleted (leaves first, so purging a whole branch leaves nothing).
 * `purged` picks the purged rows out of the batch's results.
 */
export function purgeStatements(db: Db, ids: number[], now: number) {
  const erase = {
    status: "purged" as const,
    authorName: "",
    authorEmail: null,
    authorUrl: null,
    content: "",
    html: "",
    heldFor: null,
    ipHash: null,
    editTokenHash: null,
    contentHash: null,
    idempotencyKey: null,
    spamReasons: null,
    updatedAt: now,
  };
  // The erasing update binds its dozen new values besides the ids.
  const parts = slices(ids, 80);
  const hasReplies = sql`exists (select 1 from ${comments} as reply where reply.parent_id = ${comments.id})`;
  const statements = [
    ...parts.map((slice) => db.update(comments).set(erase).where(inArray(comments.id, slice)).returning()),
    ...Array.from({ length: PURGE_LEVELS }, () =>
      parts.map((slice) => db.delete(comments).where(and(inArray(comments.id, slice), eq(comments.status, "purged"), sql`not ${hasReplies}`))),
    ).flat(),
  ];
  return { statements, purged: (results: unknown[]) => (results.slice(0, parts.length) as CommentRow[][]).flat() };
}

/** Removes comments for good (see purgeStatements), on its own. */
export async function purgeComments(db: Db, ids: number[]): Promise<CommentRow[]> {
  if (!ids.length) return [];
  const purge = purgeStatements(db, ids, Date.now());
  return purge.purged(await runBatch(db, purge.statements));
}

/** Approved comment counts for these posts, as the database keeps them (0 for a post without any). */
export async function countApproved(db: Db, slugs: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = Object.fromEntries(slugs.map((s) => [s, 0]));
  const rows = await inSlices(db, slugs, (slice) =>
    db.select({ slug: postVersions.postSlug, n: postVersions.approved }).from(postVersions).where(inArray(postVersions.postSlug, slice)),
  );
  for (const r of rows) out[r.slug] = r.n;
  return out;
}

/** The moderation queue: comments in one state, newest first, a page at a time. */
export async function listForModeration(db: Db, opts: { status: ModerationStatus; post?: string; site?: string; q?: string; limit: number; cursor?: number }) {
  // Search: the words given, each found in the name, email, website or text (case-insensitive).
  const words = (opts.q ?? "").split(/\s+/).filter(Boolean).slice(0, 5);
  const like = (word: string) => {
    const pattern = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return or(
      sql`${comments.authorName} like ${pattern} escape '\\'`,
      sql`${comments.authorEmail} like ${pattern} escape '\\'`,
      sql`${comments.authorUrl} like ${pattern} escape '\\'`,
      sql`${comments.content} like ${pattern} escape '\\'`,
    );
  };
  // With each comment, whether its thread is pinned and, for another site's page, that page: one read.
  const rows = await db
    .select({ ...getTableColumns(comments), pinned: pinnedThread, page: { site: threads.site, url: threads.url, title: threads.title } })
    .from(comments)
    .leftJoin(threads, eq(threads.key, comments.postSlug))
    .where(
      and(
        eq(comments.status, opts.status),
        opts.post ? eq(comments.postSlug, opts.post) : undefined,
        // By site: billet's own posts (no thread key), or the threads of another site's pages.
        opts.site === undefined
          ? undefined
          : opts.site === "blog"
            ? sql`${comments.postSlug} not like '~%'`
            : inArray(comments.postSlug, db.select({ key: threads.key }).from(threads).where(eq(threads.site, opts.site))),
        opts.cursor === undefined ? undefined : lt(comments.id, opts.cursor),
        ...words.map(like),
      ),
    )
    .orderBy(desc(comments.id))
    .limit(opts.limit + 1);
  const more = rows.length > opts.limit;
  const page = more ? rows.slice(0, opts.limit) : rows;
  return { rows: page, nextCursor: more ? page[page.length - 1].id : null };
}

// What a feed tells of a comment: nothing private.
const feedColumns = {
  id: comments.id,
  postSlug: comments.postSlug,
  authorName: comments.authorName,
  authorUrl: comments.authorUrl,
  html: comments.html,
  createdAt: comments.createdAt,
  editedAt: comments.editedAt,
  byAuthor: comments.byAuthor,
};
/** A comment in a feed, and the post's threads shown before its own (its page of comments is threadsBefore / perPage + 1). */
export type FeedRow = Pick<CommentRow, keyof typeof feedColumns> & { threadsBefore: number };

/**
 * The approved comments of the posts `where` picks, each with the number of that post's threads
 * before its own (threads hold an approved comment and come in order of thread, as the page shows
 * them): a rank over one pass of the posts' approved comments, not a count for each comment.
 */
function ranked(db: Db, where: SQL | undefined) {
  return db
    .select({
      ...feedColumns,
      threadsBefore: sql<number>`dense_rank() over (partition by ${comments.postSlug} order by ${comments.threadId}) - 1`.as("threads_before"),
    })
    .from(comments)
    .where(and(eq(comments.status, "approved"), where))
    .as("ranked");
}

/** A post's latest approved comments for its feed, newest first (one statement, one pass over its approved comments). */
export function postFeedComments(db: Db, slug: string, limit: number) {
  const rows = ranked(db, eq(comments.postSlug, slug));
  return db.select().from(rows).orderBy(desc(rows.id)).limit(limit);
}

/**
 * The site's latest approved comments, by date, newest first (one statement: the latest on
 * comments_status_created, then one pass over the approved comments of their posts).
 */
export function latestComments(db: Db, limit: number) {
  const latest = (column: typeof comments.id | typeof comments.postSlug) =>
    db.select({ v: column }).from(comments).where(eq(comments.status, "approved")).orderBy(desc(comments.createdAt), desc(comments.id)).limit(limit);
  const rows = ranked(db, inArray(comments.postSlug, latest(comments.postSlug)));
  // An outside thread's comment comes with its page (joined, not read again); a post's has nulls.
  const fields = Object.fromEntries(Object.keys(feedColumns).map((k) => [k, rows[k as keyof typeof feedColumns]])) as {
    [K in keyof typeof feedColumns]: (typeof rows)[K];
  };
  return db
    .select({ ...fields, threadsBefore: rows.threadsBefore, pageUrl: threads.url, pageTitle: threads.title })
    .from(rows)
    .leftJoin(threads, eq(threads.key, rows.postSlug))
    .where(inArray(rows.id, latest(comments.id)))
    .orderBy(desc(rows.createdAt), desc(rows.id));
}

/** When what readers see of each post last changed (ms), for the posts that ever had a comment shown. */
export async function postsChangedAt(db: Db): Promise<Map<string, number>> {
  const rows = await db
    .select({ slug: postVersions.postSlug, changedAt: postVersions.changedAt })
    .from(postVersions)
    .where(sql`${postVersions.changedAt} is not null`);
  return new Map(rows.map((r) => [r.slug, r.changedAt!]));
}

/** When what readers see anywhere on the site last changed (ms; 0 before any change), on post_versions_changed. */
export async function siteChangedAt(db: Db): Promise<number> {
  const [row] = await db.select({ at: sql<number | null>`max(${postVersions.changedAt})` }).from(postVersions);
  return row?.at ?? 0;
}
