// Threads of other sites' pages: their rows (the page each comment belongs to) and the cap on how
// many a client starts. Their comments are read and written by workers/db/comments.ts like any.
import { and, count, eq, gt } from "drizzle-orm";
import type { Db } from "./comments.ts";
import { threads, type ThreadRow } from "./schema.ts";

export async function getThread(db: Db, key: string): Promise<ThreadRow | undefined> {
  const [row] = await db.select().from(threads).where(eq(threads.key, key)).limit(1);
  return row;
}

/** How many threads this client's network started since `since` (ms). */
export async function threadsStartedBy(db: Db, createdBy: string, since: number): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(threads)
    .where(and(eq(threads.createdBy, createdBy), gt(threads.createdAt, since)));
  return row?.n ?? 0;
}

/** Stores a thread once: a second first comment arriving at the same time changes nothing. */
export async function insertThread(db: Db, row: ThreadRow): Promise<void> {
  await db.insert(threads).values(row).onConflictDoNothing({ target: threads.key });
}
