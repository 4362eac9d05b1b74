// The author's desk in D1: the spam filter's memory, blocks, the audit log, a commenter's data.
import { and, desc, eq, gt, inArray, isNotNull, isNull, lt, ne, or, sql } from "drizzle-orm";
import { DOCUMENTS, type FeatureCounts } from "../spam/classifier.ts";
import { drizzle } from "drizzle-orm/d1";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import type { Db } from "./comments.ts";
import { audit, type BlockKind, blocks, comments, spamFeatures, subscribers, subscriptions, usedLinks } from "./schema.ts";

const SLICE = 90;
const slices = <T>(list: T[], size = SLICE): T[][] => Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

/** What a new comment is checked against (see checkQueries). */
export interface CheckOptions {
  email?: string;
  network: string | null;
  host: string | null;
  features: string[];
  now: number;
  /** The commenter's own earlier comments (their signed cookie): one approved with this email makes them trusted. */
  ownIds?: number[];
  /** Their cookie proves they read this address: any approved comment with it makes them trusted. */
  provenEmail?: boolean;
}
export type Checks = { trusted: boolean; blocked: boolean; counts: Map<string, FeatureCounts> };

/**
 * The SQL a new comment's checks read, built once per isolate with placeholders (building it for
 * every comment cost more of the Worker's CPU than D1 takes to run it): `flags`, one row telling
 * whether the email is trusted (an approved comment already) and whether the commenter is blocked
 * (by email, network or website host, and since when), as columns of a select the caller adds
 * its own to; `counts`, what the filter knows of the comment's features. `values` binds a
 * comment's options to their placeholders, `read` turns the results into the answer.
 */
export const checkQueries = {
  // Trust is never the typed email alone: it must come with this browser's proof (see
  // auth/tokens.ts), the cookie proving the address or naming one of the commenter's comments.
  trusted: sql<number>`(${sql.placeholder("email")} is not null and exists (select 1 from ${comments} where ${comments.authorEmail} = ${sql.placeholder("email")} and ${comments.status} = 'approved'
    and (${sql.placeholder("proven")} = 1 or ${comments.id} in (select value from json_each(${sql.placeholder("own")})))))`,
  // A null value matches no block.
  blocked: sql<number>`exists (select 1 from ${blocks} where ((${blocks.kind} = 'email' and ${blocks.value} = ${sql.placeholder("email")})
    or (${blocks.kind} = 'network' and ${blocks.value} = ${sql.placeholder("network")}) or (${blocks.kind} = 'host' and ${blocks.value} = ${sql.placeholder("host")}))
    and (${blocks.until} is null or ${blocks.until} > ${sql.placeholder("now")}))`,
  // The features as one JSON parameter: one statement however many (D1 binds at most 100 parameters).
  counts: new SQLiteSyncDialect().sqlToQuery(
    sql`select ${spamFeatures.feature}, ${spamFeatures.spam}, ${spamFeatures.ham} from ${spamFeatures} where ${spamFeatures.feature} in (select value from json_each(${sql.placeholder("features")}))`,
  ),
  values: (opts: CheckOptions) => ({
    email: opts.email ?? null,
    network: opts.network,
    host: opts.host,
    now: opts.now,
    proven: opts.provenEmail ? 1 : 0,
    own: JSON.stringify((opts.ownIds ?? []).slice(-SLICE)),
    features: JSON.stringify([...opts.features, DOCUMENTS]),
  }),
  read: (flags: { trusted: number; blocked: number } | undefined, counts: Record<string, unknown>[]): Checks => {
    const known = new Map<string, FeatureCounts>();
    for (const r of counts) known.set(r.feature as string, { spam: Math.max(0, Number(r.spam)), ham: Math.max(0, Number(r.ham)) });
    return { trusted: Boolean(flags?.trusted), blocked: Boolean(flags?.blocked), counts: known };
  },
};

/** A list bound as one JSON parameter (any length: D1 binds at most 100 parameters). */
const inJson = (column: unknown, list: (string | number)[]) => sql`${column} in (select value from json_each(${JSON.stringify(list)}))`;

// Features per statement of a training delta: the rows go in as one JSON parameter (D1 binds at
// most 100 parameters), so a bulk decision's whole delta is a few statements, not hundreds.
const FEATURES_PER_STATEMENT = 2000;

/**
 * Statements that add a training delta to the filter's memory (to run in the decision's batch),
 * then forget the features it brought back to nothing (an undo, an erased commenter): the table
 * keeps only what the filter still knows.
 */
export function trainingStatements(db: Db, delta: Map<string, FeatureCounts>) {
  const rows = [...delta].filter(([, d]) => d.spam !== 0 || d.ham !== 0).map(([feature, d]) => [feature, d.spam, d.ham]);
  return slices(rows, FEATURES_PER_STATEMENT).flatMap((slice) => {
    const list = JSON.stringify(slice);
    return [
      // "where true": SQLite needs it to read an upsert after a select. A new row may hold a
      // negative count (unlearning what was never learned): reads take it as 0.
      db
        .insert(spamFeatures)
        .select(sql`select value ->> 0, value ->> 1, value ->> 2 from json_each(${list}) where true`)
        .onConflictDoUpdate({
          target: spamFeatures.feature,
          set: { spam: sql`max(0, ${spamFeatures.spam} + excluded.spam)`, ham: sql`max(0, ${spamFeatures.ham} + excluded.ham)` },
        }),
      db.delete(spamFeatures).where(
        and(
          sql`${spamFeatures.spam} <= 0`,
          sql`${spamFeatures.ham} <= 0`,
          inJson(
            spamFeatures.feature,
            slice.map((r) => r[0]),
          ),
        ),
      ),
    ];
  });
}

/** The whole memory of the filter (`npm run spam:train` starts from it; tests read it). */
export function allFeatures(db: Db) {
  return db.select().from(spamFeatures);
}

export async function listBlocks(db: Db, now: number) {
  return db
    .select()
    .from(blocks)
    .where(or(isNull(blocks.until), gt(blocks.until, now)))
    .orderBy(desc(blocks.id));
}

/** Blocks a commenter (or extends an existing block of the same kind and value). */
export async function addBlock(db: Db, block: { kind: BlockKind; value: string; until: number | null; reason: string | null; now: number }) {
  const [row] = await db
    .insert(blocks)
    .values({ kind: block.kind, value: block.value, until: block.until, reason: block.reason, createdAt: block.now })
    .onConflictDoUpdate({ target: [blocks.kind, blocks.value], set: { until: block.until, reason: block.reason, createdAt: block.now } })
    .returning();
  return row;
}

export function removeBlockStatement(db: Db, id: number) {
  return db.delete(blocks).where(eq(blocks.id, id)).returning();
}

export async function removeBlock(db: Db, id: number) {
  const [row] = await removeBlockStatement(db, id);
  return row;
}

/** A statement recording a moderation action (to run in the action's batch). */
export function auditStatement(db: Db, entry: { actor: string; action: string; commentIds?: number[]; detail?: string | null; at: number }) {
  return db.insert(audit).values({
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    commentIds: entry.commentIds?.length ? JSON.stringify(entry.commentIds) : null,
    detail: entry.detail ?? null,
  });
}

/** A failed admin sign-in, in the log (never throws: the answer is a 401 whatever happens here). */
export async function recordFailedSignIn(d1: D1Database, at: number): Promise<void> {
  try {
    await auditStatement(drizzle(d1), { actor: "sign-in", action: "sign-in-failed", at });
  } catch (err) {
    console.error("failed sign-in not logged", err instanceof Error ? err.message : err);
  }
}

export async function listAudit(db: Db, opts: { limit: number; cursor?: number }) {
  const rows = await db
    .select()
    .from(audit)
    .where(opts.cursor === undefined ? undefined : lt(audit.id, opts.cursor))
    .orderBy(desc(audit.id))
    .limit(opts.limit + 1);
  const more = rows.length > opts.limit;
  const page = more ? rows.slice(0, opts.limit) : rows;
  return { rows: page, nextCursor: more ? page[page.length - 1].id : null };
}

/**
 * Everything stored about the commenter with this (normalised) email: their comments; the blocks
 * on them (their email, the networks and website hosts of their comments); their subscription;
 * and the log entries that name their comments. `hostOf` gives a website's host as blocks keep it.
 */
export async function commenterData(db: Db, email: string, hostOf: (url: string | null) => string | null) {
  const [rows, subscriber, followed] = await db.batch([
    db.select().from(comments).where(eq(comments.authorEmail, email)).orderBy(comments.id),
    db.select().from(subscribers).where(eq(subscribers.email, email)),
    db.select().from(subscriptions).where(eq(subscriptions.email, email)),
  ]);
  const networks = [...new Set(rows.flatMap((r) => r.ipHash ?? []))];
  const hosts = [...new Set(rows.flatMap((r) => hostOf(r.authorUrl) ?? []))];
  const ids = rows.map((r) => r.id);
  const [blocked, logged] = await db.batch([
    db
      .select()
      .from(blocks)
      .where(
        or(
          and(eq(blocks.kind, "email"), eq(blocks.value, email)),
          and(eq(blocks.kind, "network"), inJson(blocks.value, networks)),
          and(eq(blocks.kind, "host"), inJson(blocks.value, hosts)),
        ),
      )
      .orderBy(blocks.id),
    db
      .select()
      .from(audit)
      .where(sql`exists (select 1 from json_each(${audit.commentIds}) where ${inJson(sql`value`, ids)})`)
      .orderBy(audit.id),
  ]);
  return { comments: rows, blocks: blocked, subscriber: subscriber[0] ?? null, subscriptions: followed, audit: logged };
}

export type CommenterData = Awaited<ReturnType<typeof commenterData>>;

/**
 * Rewrites every full-text index (FTS5 tables, found by name so any added later counts) so that
 * the words of erased rows leave it: FTS5 only marks a deletion, and keeps the old entries in its
 * segments until they are merged. Run after an erasure; costs a pass over the index.
 */
export async function compactSearchIndexes(db: Db): Promise<void> {
  const tables = await db.all<{ name: string }>(sql`select name from sqlite_master where type = 'table' and sql like 'CREATE VIRTUAL TABLE%USING fts5%'`);
  for (const { name } of tables) {
    const table = sql.identifier(name);
    await db.run(sql`insert into ${table} (${table}) values ('optimize')`);
  }
}

/** Statements forgetting that this address ever subscribed. */
export function forgetSubscriberStatements(db: Db, email: string) {
  return [db.delete(subscriptions).where(eq(subscriptions.email, email)), db.delete(subscribers).where(eq(subscribers.email, email))];
}

/**
 * Statements following a comment's replies for this address: the address is created when new, and
 * the subscription is confirmed at once only when `proven` (the commenter's cookie proves the
 * address; it counts as the address confirmed too). The second statement returns the subscription.
 */
export function subscribeStatements(db: Db, email: string, commentId: number, now: number, proven = false) {
  return [
    proven
      ? db
          .insert(subscribers)
          .values({ email, createdAt: now, confirmedAt: now })
          .onConflictDoUpdate({ target: subscribers.email, set: { confirmedAt: sql`coalesce(${subscribers.confirmedAt}, ${now})` } })
          .returning()
      : db.insert(subscribers).values({ email, createdAt: now }).onConflictDoNothing().returning(),
    db
      .insert(subscriptions)
      .values({ email, commentId, createdAt: now, confirmedAt: proven ? now : null })
      .onConflictDoUpdate({
        target: [subscriptions.commentId, subscriptions.email],
        set: { confirmedAt: proven ? sql`coalesce(${subscriptions.confirmedAt}, ${now})` : sql`${subscriptions.confirmedAt}` },
      })
      .returning(),
  ];
}

/** Is this address subscribed and not yet confirmed (the only case a confirmation email is sent)? */
export async function awaitsConfirmation(db: Db, email: string): Promise<boolean> {
  const [row] = await db.select({ at: subscribers.confirmedAt }).from(subscribers).where(eq(subscribers.email, email));
  return row !== undefined && row.at === null;
}

/**
 * Addresses that have not confirmed `askAgainBefore` after asking are asked once more: marked
 * reminded, and one comment each that they follow (its author is the address) is returned.
 */
export async function unconfirmedToAskAgain(db: Db, askAgainBefore: number, now: number): Promise<number[]> {
  const reminded = await db
    .update(subscribers)
    .set({ remindedAt: now })
    .where(and(isNull(subscribers.confirmedAt), isNull(subscribers.remindedAt), lt(subscribers.createdAt, askAgainBefore)))
    .returning({ email: subscribers.email });
  if (!reminded.length) return [];
  const rows = await db
    .select({ commentId: sql<number>`min(${subscriptions.commentId})` })
    .from(subscriptions)
    .where(
      inJson(
        subscriptions.email,
        reminded.map((r) => r.email),
      ),
    )
    .groupBy(subscriptions.email);
  return rows.map((r) => r.commentId);
}

/** Forgets addresses that never confirmed: asked a second time before `remindedBefore`, or created before `createdBefore`. */
export async function forgetUnconfirmed(db: Db, remindedBefore: number, createdBefore: number): Promise<number> {
  const expired = sql`select ${subscribers.email} from ${subscribers} where ${subscribers.confirmedAt} is null and (${subscribers.remindedAt} < ${remindedBefore} or ${subscribers.createdAt} < ${createdBefore})`;
  const [, gone] = await db.batch([
    db.delete(subscriptions).where(sql`${subscriptions.email} in (${expired})`),
    db.delete(subscribers).where(sql`${subscribers.email} in (${expired})`).returning({ email: subscribers.email }),
  ]);
  return gone.length;
}

/** Is this address's following of this comment confirmed (or gone, so nothing is to be asked)? */
export async function subscriptionSettled(db: Db, email: string, commentId: number): Promise<boolean> {
  const [row] = await db
    .select({ at: subscriptions.confirmedAt })
    .from(subscriptions)
    .where(and(eq(subscriptions.email, email), eq(subscriptions.commentId, commentId)));
  return !row || row.at != null;
}

/**
 * Confirms an address and one thread it follows (double opt-in, per thread); false when it no
 * longer asks for anything. Without a thread (links sent before consent was per thread), the
 * threads it followed before `askedAt`, when that link was sent.
 */
export async function confirmSubscriber(db: Db, email: string, now: number, which: { commentId: number } | { askedAt: number }): Promise<boolean> {
  const [address, threads] = await db.batch([
    db
      .update(subscribers)
      .set({ confirmedAt: sql`coalesce(${subscribers.confirmedAt}, ${now})` })
      .where(eq(subscribers.email, email))
      .returning(),
    db
      .update(subscriptions)
      .set({ confirmedAt: sql`coalesce(${subscriptions.confirmedAt}, ${now})` })
      .where(
        and(
          eq(subscriptions.email, email),
          "commentId" in which ? eq(subscriptions.commentId, which.commentId) : lt(subscriptions.createdAt, which.askedAt + 1),
        ),
      )
      .returning(),
  ]);
  return address.length > 0 && ("askedAt" in which || threads.length > 0);
}

/** Stops following one comment's replies, or everything (`commentId` null: the address is forgotten). */
export async function stopFollowing(db: Db, email: string, commentId: number | null): Promise<void> {
  if (commentId === null) {
    const [first, second] = forgetSubscriberStatements(db, email);
    await db.batch([first, second]);
  } else await db.delete(subscriptions).where(and(eq(subscriptions.email, email), eq(subscriptions.commentId, commentId)));
}

/** The confirmed addresses following a comment's replies. */
export async function followersOf(db: Db, commentId: number): Promise<string[]> {
  const rows = await db
    .select({ email: subscriptions.email })
    .from(subscriptions)
    .innerJoin(subscribers, eq(subscribers.email, subscriptions.email))
    .where(and(eq(subscriptions.commentId, commentId), isNotNull(subscribers.confirmedAt), isNotNull(subscriptions.confirmedAt)));
  return rows.map((r) => r.email);
}

/** A one-click link's comment (any state) and whether the link was used, in one round trip. */
export async function linkAndComment(db: Db, nonce: string, commentId: number) {
  const [used, [comment]] = await db.batch([
    db.select({ nonce: usedLinks.nonce }).from(usedLinks).where(eq(usedLinks.nonce, nonce)),
    db.select().from(comments).where(eq(comments.id, commentId)).limit(1),
  ]);
  return { used: used.length > 0, comment };
}

/** Has this one-click link been used? */
export async function linkUsed(db: Db, nonce: string): Promise<boolean> {
  const [row] = await db.select().from(usedLinks).where(eq(usedLinks.nonce, nonce));
  return row !== undefined;
}

/** A statement marking a link used (fails if it was: run it in the action's batch). */
export function useLinkStatement(db: Db, nonce: string, now: number) {
  return db.insert(usedLinks).values({ nonce, usedAt: now });
}

/** Comments waiting for the author, however old, the oldest first (`limit` of them), and how many wait in all (the digest). */
export async function waitingComments(db: Db, limit: number) {
  const [rows, [counted]] = await db.batch([
    db.select().from(comments).where(eq(comments.status, "pending")).orderBy(comments.createdAt, comments.id).limit(limit),
    db.select({ n: sql<number>`count(*)` }).from(comments).where(eq(comments.status, "pending")),
  ]);
  return { rows, total: counted?.n ?? rows.length };
}

/**
 * Keeps the filter's memory under `max` features: those brought back to nothing go, then, beyond
 * the cap, the rarest (seen in the fewest decided comments). The totals row stays.
 */
export async function pruneFeatures(db: Db, max: number): Promise<number> {
  const zero = await db
    .delete(spamFeatures)
    .where(and(sql`${spamFeatures.spam} <= 0`, sql`${spamFeatures.ham} <= 0`, ne(spamFeatures.feature, DOCUMENTS)))
    .returning({ f: spamFeatures.feature });
  const [{ n }] = await db.select({ n: sql<number>`count(*)` }).from(spamFeatures);
  const excess = n - 1 - max;
  if (excess <= 0) return zero.length;
  const rarest = db
    .select({ feature: spamFeatures.feature })
    .from(spamFeatures)
    .where(ne(spamFeatures.feature, DOCUMENTS))
    .orderBy(sql`max(0, ${spamFeatures.spam}) + max(0, ${spamFeatures.ham})`, spamFeatures.feature)
    .limit(excess);
  const gone = await db.delete(spamFeatures).where(inArray(spamFeatures.feature, rarest)).returning({ f: spamFeatures.feature });
  return zero.length + gone.length;
}

/** Erases address hashes older than `before` (the retention the author configured). */
export async function eraseOldAddresses(db: Db, before: number): Promise<number> {
  const rows = await db
    .update(comments)
    .set({ ipHash: null })
    .where(and(lt(comments.createdAt, before), isNotNull(comments.ipHash)))
    .returning({ id: comments.id });
  return rows.length;
}
