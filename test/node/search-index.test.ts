// The posts' search index as the build writes it (build/search-posts.sql) and npm start / npm run
// deploy load it: idempotent, a changed post replaced, a removed one gone, every statement small
// enough for D1. Run on node:sqlite, the engine D1 runs on, with billet's migrations.
import type { DatabaseSync } from "node:sqlite";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Post } from "../../scripts/content.ts";
import { MAX_STATEMENT_BYTES, plainText, searchIndexSql, searchTexts } from "../../scripts/search-index.ts";
import { SEARCH_PATH } from "../../workers/render/addresses.ts";
import { SEARCH_ADDRESS } from "../../workers/render/search.ts";
import { freshDb } from "./sqlite.ts";

function post(slug: string, extra: Partial<Post> = {}): Post {
  return {
    slug,
    title: `Titre ${slug}`,
    date: "2020-01-01T00:00:00.000Z",
    author: "A",
    lang: "fr",
    tags: ["réseaux"],
    summary: `Résumé de ${slug}`,
    url: `/posts/${slug}/`,
    comments_open: true,
    comments_close_at: null,
    html: `<p>Le texte de ${slug}.</p>`,
    ...extra,
  };
}

/** Loads the file as wrangler does: every statement, in order. Returns the rows it changed. */
function load(db: DatabaseSync, posts: Post[]): number {
  const before = (db.prepare("SELECT total_changes() AS n").get() as { n: number }).n;
  const sql = searchIndexSql(searchTexts(posts, []));
  for (const statement of sql.split("\n").filter(Boolean)) db.exec(statement);
  return (db.prepare("SELECT total_changes() AS n").get() as { n: number }).n - before;
}

const slugsFound = (db: DatabaseSync, match: string) =>
  (
    db
      .prepare("SELECT t.slug FROM search_index JOIN search_post_texts t ON t.id = search_index.rowid WHERE search_index MATCH ? ORDER BY t.slug")
      .all(match) as { slug: string }[]
  ).map((r) => r.slug);

const indexed = (db: DatabaseSync) => (db.prepare("SELECT slug FROM search_post_texts ORDER BY slug").all() as { slug: string }[]).map((r) => r.slug);

function integrity(db: DatabaseSync): void {
  db.exec("INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 0)");
}

describe("the posts' search index", () => {
  it("is the search page's address everywhere", () => {
    expect(SEARCH_ADDRESS).toBe(SEARCH_PATH);
  });

  it("loads the same build twice without writing anything the second time", () => {
    const db = freshDb();
    const posts = Array.from({ length: 150 }, (_, i) => post(`billet-${String(i).padStart(3, "0")}`));
    expect(load(db, posts)).toBeGreaterThan(0);
    expect(load(db, posts)).toBe(0);
    expect(indexed(db)).toEqual(posts.map((p) => p.slug).sort());
    expect(slugsFound(db, '"reseaux"').length).toBe(150);
    // Posts take negative ids: never a comment's.
    expect((db.prepare("SELECT max(id) AS m FROM search_post_texts").get() as { m: number }).m).toBeLessThan(0);
    integrity(db);
  });

  it("replaces a changed post and drops removed ones, across many slices of slugs", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/), { minLength: 1, maxLength: 1200 }),
        fc.infiniteStream(fc.constantFrom("keep", "drop", "change")),
        (slugs, fates) => {
          const db = freshDb();
          const posts = slugs.map((s) => post(s));
          load(db, posts);
          const next: Post[] = [];
          const changed: string[] = [];
          const it = fates[Symbol.iterator]();
          for (const p of posts) {
            const fate = it.next().value;
            if (fate === "keep") next.push(p);
            if (fate === "change") {
              next.push({ ...p, title: `Nouveau ${p.slug} girafe` });
              changed.push(p.slug);
            }
          }
          load(db, next);
          expect(indexed(db)).toEqual(next.map((p) => p.slug).sort());
          expect(slugsFound(db, '"girafe"')).toEqual([...changed].sort());
          integrity(db);
        },
      ),
      { numRuns: 15 },
    );
  });

  it("an empty site empties the index", () => {
    const db = freshDb();
    load(db, [post("a"), post("b")]);
    load(db, []);
    expect(indexed(db)).toEqual([]);
    integrity(db);
  });

  it("keeps every statement under D1's size limit, a very long post cut but found by its start", () => {
    const long = post("long", { html: `<p>${"Début girafe. ".repeat(1)}${"é'".repeat(200_000)}</p>`, title: "x'".repeat(300) });
    const sql = searchIndexSql(searchTexts([long, post("court")], []));
    for (const statement of sql.split("\n").filter(Boolean)) expect(Buffer.byteLength(statement)).toBeLessThanOrEqual(MAX_STATEMENT_BYTES);
    const db = freshDb();
    load(db, [long, post("court")]);
    expect(slugsFound(db, '"girafe"')).toEqual(["long"]);
  });

  it("indexes the words a reader reads: entities decoded, no markup, no script", () => {
    expect(plainText('<p>L&rsquo;<em>été</em>&nbsp;&amp; <a href="/x">lien</a></p><script>var secret = 1;</script><style>p{}</style><p>fin</p>')).toBe(
      "L’été & lien fin",
    );
    const db = freshDb();
    load(db, [post("html", { html: "<p>caf&eacute; <b>cr&egrave;me</b></p><script>cachette()</script>" })]);
    expect(slugsFound(db, '"cafe" AND "creme"')).toEqual(["html"]);
    expect(slugsFound(db, '"cachette"')).toEqual([]);
  });
});
