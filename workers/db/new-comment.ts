// A new comment in two round trips to D1 (README, "Far from the database"): one batch reads
// everything its checks need, one batch stores it. What may change in between is settled by the
// database in the write itself: the same text or Idempotency-Key sent twice at once meets the
// unique indexes (nothing stored twice), and the write reads back the comment a key is already
// used for, in the same transaction.
import { and, eq, inArray, sql } from "drizzle-orm";
import { BLOCKED_SEEN, type Db } from "./comments.ts";
import { type CheckOptions, type Checks, checkStatements } from "./desk.ts";
import { comments, type CommentRow, type NewCommentRow } from "./schema.ts";

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

const byKey = (db: Db, slug: string, key: string) =>
  db
    .select()
    .from(comments)
    .where(and(eq(comments.postSlug, slug), eq(comments.idempotencyKey, key)))
    .limit(1);

/**
 * Everything a new comment is checked against, in one batch: the comment already posted with its
 * Idempotency-Key (a retry), the comment it replies to and that one's ancestors (where a reply too
 * deep goes), the desk's checks (trust, blocks, the filter's counts), and whether the same text is
 * on the post already in a way the unique index cannot see (a blocked commenter's, kept as spam).
 */
export async function readForNewComment(
  db: Db,
  ask: { slug: string; key?: string; parentId?: number; contentHash: string; checks: CheckOptions },
): Promise<{ earlier: CommentRow | undefined; chain: Ancestor[]; checks: Checks; twin: boolean }> {
  const checks = checkStatements(db, ask.checks);
  const blockedSeen = [BLOCKED_SEEN.approved, BLOCKED_SEEN.pending];
  // drizzle's D1 batch takes builders only (not raw SQL with parameters): each is a select.
  const twin = db
    .select({
      twin: sql<number>`exists (select 1 from ${comments} where ${comments.postSlug} = ${ask.slug} and ${comments.contentHash} = ${ask.contentHash} and ${comments.status} in ('approved', 'pending'))
      or exists (select 1 from ${comments} where ${comments.postSlug} = ${ask.slug} and ${comments.status} = 'spam' and ${comments.contentHash} = ${ask.contentHash} and ${inArray(comments.heldFor, blockedSeen)})`,
    })
    .from(sql`(select 1) as one`);
  // The parent and its ancestors: ids up the thread (one recursive step a level), then their rows.
  const ancestors = sql`(with recursive chain(id, n) as (
      select ${ask.parentId ?? null}, 0
      union all
      select c.parent_id, chain.n + 1 from chain join ${comments} as c on c.id = chain.id where c.parent_id is not null and chain.n < ${MAX_CHAIN}
    ) select id from chain)`;
  const chain = ask.parentId === undefined ? null : db.select(ancestorColumns).from(comments).where(inArray(comments.id, ancestors));
  const earlier = ask.key === undefined ? null : byKey(db, ask.slug, ask.key);
  const statements = [twin, ...checks.statements, ...(chain ? [chain] : []), ...(earlier ? [earlier] : [])];
  const [first, ...rest] = statements;
  const results: readonly unknown[] = await db.batch([first, ...rest] as unknown as Parameters<Db["batch"]>[0]);
  const n = checks.statements.length;
  return {
    twin: Boolean((results[0] as { twin: number }[])[0]?.twin),
    // The parent first, then its ancestors (each row's parent is further up).
    checks: checks.read(results.slice(1, 1 + n)),
    chain: chain ? nearestFirst(results[1 + n] as Ancestor[], ask.parentId!) : [],
    earlier: earlier ? (results.at(-1) as CommentRow[])[0] : undefined,
  };
}

/**
 * Stores a new comment, in one batch (one transaction): `row` is the comment stored, or undefined
 * when the database refused it as already there (the same text by the same name on the post, or
 * the same Idempotency-Key); then `same` is the comment stored with that key, if any.
 */
export async function storeNewComment(db: Db, row: NewCommentRow): Promise<{ row: CommentRow | undefined; same: CommentRow | undefined }> {
  const insert = db.insert(comments).values(row).onConflictDoNothing().returning();
  if (!row.idempotencyKey) {
    const [inserted] = await insert;
    return { row: inserted, same: undefined };
  }
  const [[inserted], [same]] = await db.batch([insert, byKey(db, row.postSlug, row.idempotencyKey)]);
  return { row: inserted, same: inserted ? undefined : same };
}

/** The parent, then its parent, and so on (from the rows of a thread's chain in any order). */
function nearestFirst(rows: Ancestor[], parentId: number): Ancestor[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out: Ancestor[] = [];
  for (let at = byId.get(parentId); at && out.length <= rows.length; at = at.parentId === null ? undefined : byId.get(at.parentId)) out.push(at);
  return out;
}
