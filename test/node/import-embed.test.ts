// An export of a site billet does not serve (README, "Comments on any site"): its threads on pages
// of an allowed site (EMBED_SITES, or --embed-site) go into those pages' threads, no post needed;
// threads that match a post still go to the post.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/content.ts";
import { parseArgs, runImport } from "../../scripts/import.ts";
import { threadKey } from "../../workers/store/thread-key.ts";
import { freshDb } from "./sqlite.ts";

const FIXTURES = join(ROOT, "test", "fixtures", "import");
const tmp = mkdtempSync(join(tmpdir(), "billet-embed-import-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

async function dry(file: string, args: string[]) {
  const content = join(tmp, `content-${n++}`);
  cpSync(join(ROOT, "content"), content, { recursive: true });
  const sql = join(tmp, `out-${n++}.sql`);
  const lines: string[] = [];
  await runImport(parseArgs([file, "--dry-run", "--sql", sql, "--content", content, ...args]), (l) => lines.push(l));
  return { log: lines.join("\n"), sql: existsSync(sql) ? readFileSync(sql, "utf8") : "" };
}

describe("importing an outside site's comments", () => {
  it("puts a Disqus thread of an allowed site's page into that page's thread, and the one of a post into the post", async () => {
    const { log, sql } = await dry(join(FIXTURES, "disqus.xml"), ["--embed-site", "https://www.ancien-blog.example.org"]);
    expect(log).toContain("Threads of other sites' pages (EMBED_SITES): 1 (https://ancien-blog.example.org/2012/04/un-autre-billet.html)");
    const db = freshDb();
    db.exec(sql);
    const key = await threadKey("https://ancien-blog.example.org/2012/04/un-autre-billet.html", null);
    const thread = db.prepare("SELECT * FROM threads").all() as { key: string; site: string; url: string; title: string; created_at: number }[];
    expect(thread).toHaveLength(1);
    expect(thread[0]).toMatchObject({
      key,
      site: "https://www.ancien-blog.example.org",
      url: "https://ancien-blog.example.org/2012/04/un-autre-billet.html",
      title: "Un autre billet",
    });
    const bySlug = db.prepare("SELECT post_slug, count(*) AS n, min(created_at) AS first FROM comments GROUP BY post_slug").all() as {
      post_slug: string;
      n: number;
      first: number;
    }[];
    const slugs = bySlug.map((r) => r.post_slug).sort();
    expect(slugs).toEqual([key, "reseaux-sociaux-trois-ans-apres"].sort());
    expect(thread[0].created_at).toBe(bySlug.find((r) => r.post_slug === key)!.first);
    // Importing again changes nothing.
    db.exec(sql);
    expect((db.prepare("SELECT count(*) AS n FROM threads").get() as { n: number }).n).toBe(1);
  });

  it("leaves a thread of a site not allowed unplaced, as before", async () => {
    const { log, sql } = await dry(join(FIXTURES, "disqus.xml"), ["--embed-site", "https://autre.example"]);
    expect(log).not.toContain("Threads of other sites' pages");
    expect(sql).not.toContain("INSERT OR IGNORE INTO threads");
  });
});
