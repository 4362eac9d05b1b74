// No comment lost under concurrent posting: a few thousand comments to several posts, with
// replies, many in flight at once; then exactly that many are stored, none twice.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN, call, postJson } from "./helpers.ts";
import { within } from "../time-limit.ts";

const POSTS = ["charge-un", "charge-deux", "charge-trois"];
const PER_POST = 800;
// As many as issue 17 asks: 128 posters at once.
const IN_FLIGHT = 128;

async function inParallel<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await jobs[i]();
      }
    }),
  );
  return results;
}

describe("concurrent posting", () => {
  it(`stores exactly the ${POSTS.length * PER_POST} comments it accepted, none twice`, { timeout: within(25_000) }, async () => {
    for (const slug of POSTS) {
      const record = {
        slug,
        title: slug,
        date: "2026-01-01T00:00:00.000Z",
        author: "A",
        lang: "fr",
        tags: [],
        summary: "",
        url: `/posts/${slug}/`,
        comments_open: true,
        comments_close_at: null,
      };
      await env.POSTS.put(`post:${slug}`, JSON.stringify(record));
    }
    // A few approved threads to reply to.
    const parents: Record<string, number[]> = {};
    for (const slug of POSTS) {
      parents[slug] = [];
      for (let i = 0; i < 5; i++) {
        const res = await postJson(`/api/posts/${slug}/comments`, { author_name: "Racine", content: `Fil ${slug} ${i}` });
        parents[slug].push(((await res.json()) as { comment: { id: number } }).comment.id);
      }
    }
    const all = Object.values(parents).flat();
    const bulk = await call("/api/admin/comments/bulk", {
      method: "POST",
      headers: { ...ADMIN, "Content-Type": "application/json" },
      body: JSON.stringify({ ids: all, action: "approve" }),
    });
    expect(bulk.status).toBe(200);

    const jobs = POSTS.flatMap((slug) =>
      Array.from({ length: PER_POST }, (_, i) => async () => {
        const body: Record<string, unknown> = { author_name: `Lecteur ${i % 37}`, content: `Charge ${slug} n°${i}` };
        if (i % 3 === 0) body.parent_id = parents[slug][i % parents[slug].length];
        if (i % 5 === 0) body.author_email = `lecteur${i % 11}@example.org`;
        const res = await postJson(`/api/posts/${slug}/comments`, body);
        const json = (await res.json()) as { comment?: { id: number; parent_id: number | null } };
        return { slug, i, status: res.status, id: json.comment?.id, parent: json.comment?.parent_id, wantParent: body.parent_id };
      }),
    );
    const results = await inParallel(jobs, IN_FLIGHT);

    const statuses = new Set(results.map((r) => r.status));
    expect([...statuses].every((s) => s === 201 || s === 202)).toBe(true);
    const ids = results.map((r) => r.id!);
    expect(new Set(ids).size).toBe(results.length);
    expect(results.filter((r) => r.wantParent !== undefined).every((r) => r.parent === r.wantParent)).toBe(true);

    for (const slug of POSTS) {
      const rows = await env.DB.prepare("SELECT content, count(*) AS n FROM comments WHERE post_slug = ? AND author_name != 'Racine' GROUP BY content")
        .bind(slug)
        .all<{ content: string; n: number }>();
      expect(rows.results).toHaveLength(PER_POST);
      expect(rows.results.every((r) => r.n === 1)).toBe(true);
      const expected = new Set(Array.from({ length: PER_POST }, (_, i) => `Charge ${slug} n°${i}`));
      expect(rows.results.every((r) => expected.has(r.content))).toBe(true);
    }
  });
});
