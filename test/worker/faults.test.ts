// When storage fails: a clear 503 or 404 in the error shape, never a 500, and nothing half-written.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { expectError, fetchWith, newReader, SLUG, uniqueComment } from "./helpers.ts";
import { forgetPost } from "../../workers/pages/cache.ts";

const COMMENTS = `/api/posts/${SLUG}/comments`;
const lost = () => new Error("D1_ERROR: Network connection lost.");

/** A D1 that fails every query, or only from the `failFrom`-th statement run on (a write cut off). */
function brokenD1(failFrom = 0): D1Database {
  let calls = 0;
  const fails = () => ++calls > failFrom;
  const wrap = (stmt: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(stmt, {
      get(target, prop) {
        if (prop === "bind") return (...args: unknown[]) => wrap(target.bind(...args));
        if (prop === "all" || prop === "run" || prop === "raw" || prop === "first") {
          return (...args: unknown[]) => (fails() ? Promise.reject(lost()) : (target[prop] as (...a: unknown[]) => unknown).apply(target, args));
        }
        return Reflect.get(target, prop, target);
      },
    });
  const db: D1Database = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => wrap(target.prepare(sql));
      if (prop === "batch") return (stmts: D1PreparedStatement[]) => (fails() ? Promise.reject(lost()) : target.batch(stmts));
      // A session of a broken database is just as broken.
      if (prop === "withSession") return () => Object.assign(Object.create(db), { getBookmark: () => null });
      return Reflect.get(target, prop, target);
    },
  });
  return db;
}

function brokenKV(): KVNamespace {
  return new Proxy(env.POSTS, {
    get(target, prop) {
      if (prop === "get") return () => Promise.reject(new Error("KV GET failed: 500 Internal Server Error"));
      return Reflect.get(target, prop, target);
    },
  });
}

async function count(): Promise<number> {
  return (await env.DB.prepare("SELECT count(*) AS n FROM comments").first<{ n: number }>())!.n;
}

const post = (body: unknown) => ({ method: "POST", headers: { "Content-Type": "application/json", ...newReader() }, body: JSON.stringify(body) });

describe("D1 down", () => {
  it("answers 503 storage_unavailable with Retry-After to reads and writes, and stores nothing", async () => {
    const before = await count();
    const list = await fetchWith({ DB: brokenD1() }, COMMENTS);
    const body = await expectError(list, 503, "storage_unavailable");
    expect(list.headers.get("Retry-After")).toBe("5");
    expect(JSON.stringify(body)).not.toMatch(/D1_ERROR|Network connection|stack/);
    await expectError(await fetchWith({ DB: brokenD1() }, COMMENTS, post(uniqueComment())), 503, "storage_unavailable");
    await expectError(await fetchWith({ DB: brokenD1() }, "/api/comments/counts?posts=a"), 503, "storage_unavailable");
    expect(await count()).toBe(before);
  });

  it("still serves the post page, with its comments as built, uncached", async () => {
    const res = await fetchWith({ DB: brokenD1() }, `/posts/${SLUG}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("private, no-store");
    const html = await res.text();
    expect(html).toContain("Réseaux sociaux, trois ans après");
    expect([...html.matchAll(/<li id="comment-\d+" class="comment"/g)]).toHaveLength(6);
  });

  it("a write cut off at the insert leaves nothing behind, and the same comment can be sent again", async () => {
    const input = uniqueComment();
    const before = await count();
    // The checks before the insert succeed; the insert itself fails.
    let failFrom = 0;
    for (; failFrom < 10; failFrom++) {
      const res = await fetchWith({ DB: brokenD1(failFrom) }, COMMENTS, post(input));
      if (res.status !== 503) {
        // Enough queries succeeded for the insert to go through: the previous count was the insert.
        expect(res.status).toBe(202);
        break;
      }
      await expectError(res, 503, "storage_unavailable");
      expect(await count()).toBe(before);
    }
    expect(failFrom).toBeGreaterThan(0);
    expect(await count()).toBe(before + 1);
    // And it was stored once: a second send is a duplicate.
    await expectError(await fetchWith({}, COMMENTS, post(input)), 409, "duplicate_comment");
  });

  it("a moderation batch that fails changes nothing", async () => {
    const res = await fetchWith({}, COMMENTS, post(uniqueComment()));
    const { comment } = (await res.json()) as { comment: { id: number } };
    const admin = {
      method: "POST",
      headers: { Authorization: "Bearer test-admin-token", "Content-Type": "application/json" },
      body: JSON.stringify({ ids: [1, comment.id], action: "spam" }),
    };
    await expectError(await fetchWith({ DB: brokenD1() }, "/api/admin/comments/bulk", admin), 503, "storage_unavailable");
    const rows = await env.DB.prepare("SELECT id, status FROM comments WHERE id IN (1, ?) ORDER BY id").bind(comment.id).all();
    expect(rows.results).toEqual([
      { id: 1, status: "approved" },
      { id: comment.id, status: "pending" },
    ]);
  });
});

describe("KV down, missing or corrupt", () => {
  it("answers 503 when KV cannot be read", async () => {
    await expectError(await fetchWith({ POSTS: brokenKV() }, `/api/posts/${SLUG}`), 503, "storage_unavailable");
    forgetPost(SLUG); // what this isolate knows of the post has expired
    await expectError(await fetchWith({ POSTS: brokenKV() }, COMMENTS, post(uniqueComment())), 503, "storage_unavailable");
  });

  it("takes a comment while KV is down when this isolate knows the post (no KV read per comment)", async () => {
    forgetPost(SLUG);
    expect((await fetchWith({}, `/api/posts/${SLUG}/comments`)).status).toBe(200); // the list reads the record and keeps it
    const res = await fetchWith({ POSTS: brokenKV() }, COMMENTS, post(uniqueComment()));
    expect(res.status).toBe(202);
  });

  it("still serves the post page as built, like D1 down (the KV read was outside the fallback)", async () => {
    forgetPost(SLUG); // what this isolate knows of the post has expired
    const res = await fetchWith({ POSTS: brokenKV() }, `/posts/${SLUG}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("Cache-Control")).toBe("private, no-store");
    const html = await res.text();
    expect(html).toContain("Réseaux sociaux, trois ans après");
    expect([...html.matchAll(/<li id="comment-\d+" class="comment"/g)]).toHaveLength(6);
  });

  it("treats a missing or corrupt post record as no post (404), storing nothing", async () => {
    const record = (await env.POSTS.get(`post:${SLUG}`))!;
    const before = await count();
    try {
      for (const bad of ["{not json", JSON.stringify({ slug: SLUG }), "[]"]) {
        await env.POSTS.put(`post:${SLUG}`, bad);
        await expectError(await fetchWith({}, COMMENTS, post(uniqueComment())), 404, "post_not_found");
        await expectError(await fetchWith({}, `/api/posts/${SLUG}`), 404, "post_not_found");
      }
      await env.POSTS.delete(`post:${SLUG}`);
      await expectError(await fetchWith({}, COMMENTS, post(uniqueComment())), 404, "post_not_found");
      // The page itself is still there (it is a static asset); it just takes no comments.
      forgetPost(SLUG);
      const page = await (await fetchWith({}, `/posts/${SLUG}/?reply_to=1`)).text();
      expect(page).toContain("Les commentaires sont fermés");
    } finally {
      await env.POSTS.put(`post:${SLUG}`, record);
      forgetPost(SLUG);
    }
    expect(await count()).toBe(before);
  });
});

describe("unexpected errors", () => {
  it("answer a bare 500 in the error shape with nothing of the internals", async () => {
    const weird = new Proxy(env.DB, {
      get() {
        throw new TypeError("secret internal detail at /workers/db/comments.ts:42");
      },
    });
    const res = await fetchWith({ DB: weird }, COMMENTS);
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(JSON.parse(text)).toEqual({ error: { code: "internal_error", message: "Something went wrong on our side." } });
    expect(text).not.toContain("secret");
  });
});
