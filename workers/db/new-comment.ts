// A new comment in two round trips to D1 (README, "Far from the database"): one batch reads
// everything its checks need, one batch stores it. What may change in between is settled by the
// database in the write itself: the same text or Idempotency-Key sent twice at once meets the
// unique indexes (nothing stored twice), and the write reads back the comment a key is already
// used for, in the same transaction.
// Its statements are built by drizzle once per isolate, with placeholders (building them for every
// comment was half of a comment's own CPU, docs/bench-cpu.md), and run as D1 statements.
import { getTableColumns, inArray, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { QueryBuilder } from "drizzle-orm/sqlite-core";
import { BLOCKED_SEEN, bound } from "./comments.ts";
import { type CheckOptions, type Checks, checkQueries } from "./desk.ts";
import { comments, type CommentRow, type NewCommentRow } from "./schema.ts";

type D1 = D1Database | D1DatabaseSession;

/** A comment the new one replies to, or one of its ancestors (nearest first). */
export type Ancestor = Pick<CommentRow, "id" | "postSlug" | "status" | "heldFor" | "depth" | "parentId" | "rootId">;

const ancestorColumns = {
  id: comments.id,
  postSlug: comments.postSlug,
  status: comments.status,
  heldFor: comments.heldFor,
  depth: comments.depth,
  parentId: comments.parentId,
  rootId: comments.rootId,
};

// Ancestors read above the parent: deeper threads than this are cut here (MAX_DEPTH is far less).
const MAX_CHAIN = 64;

const columns = getTableColumns(comments);
// What a new comment is written with: every column but those the database fills (id, thread id).
const written = Object.entries(columns).filter(([field]) => field !== "id" && field !== "threadId");

/** A comments row as drizzle gives it, from D1's own row (columns by their SQL names). */
function commentFromD1(raw: Record<string, unknown>): CommentRow {
  const row: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(columns)) {
    const value = raw[column.name];
    row[field] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as CommentRow;
}

function ancestorFromD1(raw: Record<string, unknown>): Ancestor {
  const row: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(ancestorColumns)) row[field] = raw[column.name] ?? null;
  return row as Ancestor;
}

const buildQueries = () => {
  const qb = new QueryBuilder();
  const slug = sql.placeholder("slug");
  const hash = sql.placeholder("hash");
  const blockedSeen = [BLOCKED_SEEN.approved, BLOCKED_SEEN.pending];
  // The same text on the post already in a way the unique index cannot see (a blocked commenter's,
  // kept as spam), with the desk's trust and blocks: one row.
  const twin = sql<number>`exists (select 1 from ${comments} where ${comments.postSlug} = ${slug} and ${comments.contentHash} = ${hash} and ${comments.status} in ('approved', 'pending'))
      or exists (select 1 from ${comments} where ${comments.postSlug} = ${slug} and ${comments.status} = 'spam' and ${comments.contentHash} = ${hash} and ${inArray(comments.heldFor, blockedSeen)})`;
  // The parent and its ancestors: ids up the thread (one recursive step a level), then their rows.
  const ancestors = sql`(with recursive chain(id, n) as (
      select ${sql.placeholder("parent")}, 0
      union all
      select c.parent_id, chain.n + 1 from chain join ${comments} as c on c.id = chain.id where c.parent_id is not null and chain.n < ${MAX_CHAIN}
    ) select id from chain)`;
  // Only toSQL() is asked of this one: it never reaches a database.
  const builder = drizzle({} as D1Database);
  return {
    flags: qb
      .select({ twin: twin.as("twin"), trusted: checkQueries.trusted.as("trusted"), blocked: checkQueries.blocked.as("blocked") })
      .from(sql`(select 1) as one`)
      .toSQL(),
    chain: qb.select(ancestorColumns).from(comments).where(inArray(comments.id, ancestors)).toSQL(),
    byKey: qb
      .select()
      .from(comments)
      .where(sql`${comments.postSlug} = ${slug} and ${comments.idempotencyKey} = ${sql.placeholder("key")}`)
      .limit(1)
      .toSQL(),
    insert: builder
      .insert(comments)
      .values(Object.fromEntries(written.map(([field]) => [field, sql.placeholder(field)])) as unknown as NewCommentRow)
      .onConflictDoNothing()
      .returning()
      .toSQL(),
  };
};
let built: ReturnType<typeof buildQueries> | undefined;
const queries = () => {
  built ??= buildQueries();
  return built;
};

/**
 * Everything a new comment is checked against, in one batch: the comment already posted with its
 * Idempotency-Key (a retry), the comment it replies to and that one's ancestors (where a reply too
 * deep goes), the desk's checks (trust, blocks, the filter's counts), and whether the same text is
 * on the post already in a way the unique index cannot see (a blocked commenter's, kept as spam).
 */
export async function readForNewComment(
  d1: D1,
  ask: { slug: string; key?: string; parentId?: number; contentHash: string; checks: CheckOptions },
): Promise<{ earlier: CommentRow | undefined; chain: Ancestor[]; checks: Checks; twin: boolean }> {
  const q = queries();
  const values = { ...checkQueries.values(ask.checks), slug: ask.slug, hash: ask.contentHash, parent: ask.parentId ?? null, key: ask.key ?? null };
  const results = await d1.batch<Record<string, unknown>>([
    bound(d1, q.flags, values),
    bound(d1, checkQueries.counts, values),
    ...(ask.parentId === undefined ? [] : [bound(d1, q.chain, values)]),
    ...(ask.key === undefined ? [] : [bound(d1, q.byKey, values)]),
  ]);
  const flags = results[0].results[0] as { twin: number; trusted: number; blocked: number } | undefined;
  const chain = ask.parentId === undefined ? [] : results[2].results.map(ancestorFromD1);
  const earlier = ask.key === undefined ? undefined : results.at(-1)?.results[0];
  return {
    twin: Boolean(flags?.twin),
    checks: checkQueries.read(flags, results[1].results),
    // The parent first, then its ancestors (each row's parent is further up).
    chain: ask.parentId === undefined ? [] : nearestFirst(chain, ask.parentId),
    earlier: earlier ? commentFromD1(earlier) : undefined,
  };
}

/**
 * Stores a new comment, in one batch (one transaction): `row` is the comment stored, or undefined
 * when the database refused it as already there (the same text by the same name on the post, or
 * the same Idempotency-Key); then `same` is the comment stored with that key, if any.
 */
export async function storeNewComment(d1: D1, row: NewCommentRow): Promise<{ row: CommentRow | undefined; same: CommentRow | undefined }> {
  const q = queries();
  // Each column's value as D1 stores it; a column left out takes its default.
  const values: Record<string, unknown> = {};
  for (const [field, column] of written) {
    const given = (row as Record<string, unknown>)[field];
    const value = given === undefined ? column.default : given;
    values[field] = value === undefined || value === null ? null : column.mapToDriverValue(value);
  }
  const insert = bound(d1, q.insert, values);
  if (!row.idempotencyKey) {
    const [inserted] = (await insert.all<Record<string, unknown>>()).results;
    return { row: inserted ? commentFromD1(inserted) : undefined, same: undefined };
  }
  const [stored, same] = await d1.batch<Record<string, unknown>>([insert, bound(d1, q.byKey, { slug: row.postSlug, key: row.idempotencyKey })]);
  const inserted = stored.results[0];
  return { row: inserted ? commentFromD1(inserted) : undefined, same: inserted || !same.results[0] ? undefined : commentFromD1(same.results[0]) };
}

/** The parent, then its parent, and so on (from the rows of a thread's chain in any order). */
function nearestFirst(rows: Ancestor[], parentId: number): Ancestor[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out: Ancestor[] = [];
  for (let at = byId.get(parentId); at && out.length <= rows.length; at = at.parentId === null ? undefined : byId.get(at.parentId)) out.push(at);
  return out;
}
