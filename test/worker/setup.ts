// Every test file starts from the published seed: migrations applied, post records in KV,
// the six seed comments in D1 (the same rows `npm start` seeds), the posts' search index.
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll } from "vitest";

beforeAll(async () => {
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
  await Promise.all(env.TEST_KV_RECORDS.map((r) => env.POSTS.put(r.key, r.value)));
  const insert = env.DB.prepare(
    "INSERT OR IGNORE INTO comments (id, post_slug, parent_id, root_id, depth, author_name, author_email, author_url, content, html, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'approved', ?, ?)",
  );
  await env.DB.batch(
    env.TEST_SEED_ROWS.map((r) =>
      insert.bind(
        r.id,
        r.slug,
        r.parentId,
        r.rootId,
        r.depth,
        r.comment.author_name,
        r.comment.author_email ?? null,
        r.comment.author_url ?? null,
        r.comment.content,
        r.html,
        r.createdAt,
        r.createdAt,
      ),
    ),
  );
  // The posts' search index, loaded as npm start loads it.
  const search = env.TEST_SEARCH_SQL.split("\n").filter((line) => line.trim());
  await env.DB.batch(search.map((statement) => env.DB.prepare(statement)));
});
