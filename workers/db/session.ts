// Where a request's D1 queries are answered: the one place that decides it (D1's Sessions API).
// With read replication on (npm run provision turns it on), a session started unconstrained reads
// the nearest copy of the database; one started from the primary, or from a bookmark, reads a copy
// at least as new as that. Locally (wrangler dev, tests) every session is the one local database.

/**
 * How a request uses D1: a write, and the checks it rests on, from the primary; a read from the
 * nearest copy, or, for a reader who just wrote, from their bookmark on (they see their own comment).
 */
export type D1Use = { write: true } | { bookmark: string | null };

export function d1Session(d1: D1Database, use: D1Use): D1DatabaseSession {
  if ("write" in use) return d1.withSession("first-primary");
  return d1.withSession(use.bookmark ?? "first-unconstrained");
}
