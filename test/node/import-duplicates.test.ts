// Exports merged or edited by hand: items that share a WordPress id are each imported (told apart
// by type and slug), an item written twice is imported once, and the summary says so; comments go
// to their own post with import keys that stay unique and the same from run to run.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import matter from "gray-matter";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/content.ts";
import { parseArgs, runImport } from "../../scripts/import.ts";
import { runPipeline } from "../../scripts/import/run.ts";
import { freshDb } from "./sqlite.ts";
import { within } from "../time-limit.ts";

const FILE = join(ROOT, "test", "fixtures", "import", "wxr-duplicates.xml");
const tmp = mkdtempSync(join(tmpdir(), "billet-duplicates-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

function contentDir(): string {
  const dir = join(tmp, `content-${n++}`);
  cpSync(join(ROOT, "content"), dir, { recursive: true });
  return dir;
}

async function pipeline(content: string, args: string[] = []) {
  const sql = join(tmp, `out-${n++}.sql`);
  const result = await runPipeline({ ...parseArgs([FILE, "--sql", sql, "--content", content, ...args]), progress: false });
  return { result, sql: readFileSync(sql, "utf8") };
}

const front = (content: string, path: string) => matter(readFileSync(join(content, path), "utf8"));

describe("items that share an id, or are written twice", () => {
  it("imports each item of a shared id under its own slug, with its own text, and a true duplicate once", async () => {
    const content = contentDir();
    const { result } = await pipeline(content);
    const items = result.items!;
    expect(items.created.map((e) => `${e.kind}:${e.slug}`).sort()).toEqual([
      "page:une-page",
      "post:double",
      "post:premier",
      "post:sans-titre",
      "post:second",
      "post:un-billet",
    ]);
    expect(items.kept).toEqual([]);
    expect(front(content, "posts/premier.md").content).toContain("Texte du premier.");
    expect(front(content, "posts/second.md").content).toContain("Texte du second.");
    expect(front(content, "posts/un-billet.md").content).toContain("Un billet.");
    expect(front(content, "pages/une-page.md").content).toContain("Une page.");
    // Each its own identity; /?p=12 leads to the first only (it cannot lead to both).
    const premier = front(content, "posts/premier.md").data;
    const second = front(content, "posts/second.md").data;
    expect(premier.imported_from).not.toBe(second.imported_from);
    expect(premier.redirect_from).toContain("/?p=12");
    expect(second.redirect_from).not.toContain("/?p=12");
    expect(second.redirect_from).toContain("/2012/02/second/");
    expect(front(content, "pages/une-page.md").data.redirect_from).toContain("/?page_id=13");
    expect(front(content, "posts/un-billet.md").data.redirect_from).toContain("/?p=13");
    expect(items.duplicates).toEqual([{ kind: "post", wpId: "14", title: "Double", slug: "double" }]);
  });

  it("sends each item's comments to its own post, with keys unique in the file and the same on the next run", async () => {
    const content = contentDir();
    const first = await pipeline(content);
    const db = freshDb();
    db.exec(first.sql);
    const rows = db.prepare("SELECT post_slug, author_name, import_key, parent_id, id FROM comments ORDER BY id").all() as {
      post_slug: string;
      author_name: string;
      import_key: string;
      parent_id: number | null;
      id: number;
    }[];
    expect(rows.map((r) => `${r.post_slug} ${r.author_name}`).sort()).toEqual([
      "double Fred",
      "premier Ann",
      "premier Marie",
      "second Bob",
      "second Chloé",
      "un-billet Dan",
      "une-page Eve",
    ]);
    expect(new Set(rows.map((r) => r.import_key)).size).toBe(rows.length);
    const ann = rows.find((r) => r.author_name === "Ann")!;
    expect(rows.find((r) => r.author_name === "Marie")!.parent_id).toBe(ann.id);
    // A second run (with or without --overwrite) writes no file and adds no comment.
    for (const args of [[], ["--overwrite"]]) {
      const again = await pipeline(content, args);
      expect(again.result.items!.created).toEqual([]);
      expect(again.result.items!.overwritten).toEqual([]);
      expect(again.result.items!.kept).toEqual([]);
      expect(again.result.items!.unchanged).toHaveLength(6);
      db.exec(again.sql);
      expect((db.prepare("SELECT count(*) AS n FROM comments").get() as { n: number }).n).toBe(rows.length);
      expect(again.sql.match(/'wordpress:[^']*'/g)!.sort()).toEqual(first.sql.match(/'wordpress:[^']*'/g)!.sort());
    }
  });

  it("does not put one item's text under another's slug with --overwrite after an import of the id's first item", async () => {
    const content = contentDir();
    await pipeline(content);
    await pipeline(content, ["--overwrite"]);
    expect(front(content, "posts/premier.md").content).toContain("Texte du premier.");
    expect(front(content, "posts/second.md").content).toContain("Texte du second.");
    expect(front(content, "pages/une-page.md").content).toContain("Une page.");
  });

  it("finds an item imported before its id was shared (by an earlier export) by its type and slug, instead of making a second copy", async () => {
    const content = contentDir();
    writeFileSync(
      join(content, "posts", "premier.md"),
      '---\ntitle: "Premier"\ndate: 2012-01-10T10:00:00+00:00\nimported_from: "wordpress:dup.example.org:12"\n---\n\nTexte du premier.\n',
    );
    const { result } = await pipeline(content);
    expect(result.items!.kept.map((e) => e.slug)).toEqual(["premier"]);
    expect(result.items!.created.map((e) => e.slug)).toContain("second");
    expect(result.items!.entries.map((e) => e.slug).filter((s) => s.startsWith("premier"))).toEqual(["premier"]);
    expect(result.inFile.get("premier")).toMatchObject({ approved: 2 });
  });

  it("says it all in the summary: the true duplicate, the shared ids, the post without a title, the sticky post", async () => {
    const lines: string[] = [];
    const content = contentDir();
    await runImport(parseArgs([FILE, "--sql", join(tmp, "s.sql"), "--content", content, "--dry-run"]), (l) => lines.push(l));
    const log = lines.join("\n");
    expect(log).toContain("Posts: 6 published in the export (1 of them a second time): 5 would be created");
    expect(log).toContain("Twice in the export (same id, type and slug): post 14 “Double”, imported once (double)");
    expect(log).toContain("Id 12 is shared by 2 items of the export: each imported, told apart by type and slug (post /posts/premier/, post /posts/second/)");
    expect(log).toContain("Id 13 is shared by 2 items of the export: each imported, told apart by type and slug (post /posts/un-billet/, page /une-page/)");
    expect(log).toMatch(/Without a title in the export .*: \/posts\/sans-titre\//);
    expect(log).toMatch(/Sticky on the old blog .*: \/posts\/sans-titre\//);
    expect(log).not.toContain("nothing was written");
    expect(log).toContain("Dry run: no post, page or comment was written; only the SQL it would apply");
    expect(existsSync(join(content, "posts", "premier.md"))).toBe(false);
  });
});

/** A WXR of items (id, type, slug), each with one comment whose id is the same under every item. */
function wxr(items: { id: number; kind: "post" | "page"; slug: string }[]): string {
  const body = items
    .map(
      (it, i) => `<item><title>${it.slug}</title><link>https://gros.example.org/${it.slug}/</link><dc:creator>a</dc:creator>
<content:encoded><![CDATA[Texte de ${it.kind} ${it.slug}.]]></content:encoded><wp:post_id>${it.id}</wp:post_id>
<wp:post_date>2016-01-0${1 + (i % 9)} 10:00:00</wp:post_date><wp:post_date_gmt>2016-01-0${1 + (i % 9)} 10:00:00</wp:post_date_gmt>
<wp:comment_status>open</wp:comment_status><wp:post_name>${it.slug}</wp:post_name><wp:status>publish</wp:status><wp:post_type>${it.kind}</wp:post_type>
<wp:comment><wp:comment_id>7</wp:comment_id><wp:comment_author>Sur ${it.kind} ${it.slug}</wp:comment_author><wp:comment_date_gmt>2016-02-01 10:00:00</wp:comment_date_gmt>
<wp:comment_content>Bonjour ${it.kind} ${it.slug}</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment></item>`,
    )
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Gros</title><link>https://gros.example.org</link>${body}</channel></rss>`;
}

describe("many items sharing few ids, in any order", () => {
  it(
    "imports each (id, type, slug) once, its comment on its own post, and a second run changes nothing",
    async () => {
      const item = fc.record({
        id: fc.integer({ min: 1, max: 12 }),
        kind: fc.constantFrom<"post" | "page">("post", "page"),
        slug: fc.constantFrom("a", "b", "c", "d", "e", "f", "g", "h"),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(item, { minLength: 110, maxLength: 160 }), async (items) => {
          const file = join(tmp, `many-${n++}.xml`);
          writeFileSync(file, wxr(items));
          const content = contentDir();
          const run = async () => {
            const sql = join(tmp, `out-${n++}.sql`);
            const result = await runPipeline({ ...parseArgs([file, "--sql", sql, "--content", content]), progress: false });
            return { result, sql: readFileSync(sql, "utf8") };
          };
          const first = await run();
          const distinct = new Set(items.map((i) => `${i.id} ${i.kind} ${i.slug}`));
          const files = ["posts", "pages"].flatMap((d) => (existsSync(join(content, d)) ? readdirSync(join(content, d)).map((f) => `${d}/${f}`) : []));
          // The seed post is there too.
          expect(files.length).toBe(distinct.size + 1);
          expect(first.result.items!.duplicates).toHaveLength(items.length - distinct.size);
          const db = freshDb();
          db.exec(first.sql);
          const rows = db.prepare("SELECT post_slug, author_name, import_key FROM comments").all() as {
            post_slug: string;
            author_name: string;
            import_key: string;
          }[];
          expect(rows).toHaveLength(distinct.size);
          expect(new Set(rows.map((r) => r.import_key)).size).toBe(rows.length);
          for (const r of rows) {
            const [, kind, slug] = r.author_name.split(" ");
            const text = readFileSync(join(content, `${kind}s`, `${r.post_slug}.md`), "utf8");
            expect(text).toContain(`Texte de ${kind} ${slug}.`);
          }
          const again = await run();
          expect(again.result.items!.created).toEqual([]);
          expect(again.result.items!.kept).toEqual([]);
          db.exec(again.sql);
          expect((db.prepare("SELECT count(*) AS n FROM comments").get() as { n: number }).n).toBe(rows.length);
        }),
        { numRuns: 4 },
      );
    },
    within(2_500),
  );
});
