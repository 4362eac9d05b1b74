// The old blog's listings after a WordPress import: its categories (nested too), tags (a Greek one
// percent-encoded), dates, author and feeds go into content/redirects.json for what the import
// holds, and the build publishes them (_redirects, and KV records the Worker follows).
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildSite } from "../../scripts/build.ts";
import { ROOT } from "../../scripts/content.ts";
import { parseArgs } from "../../scripts/import.ts";
import { authorNicename } from "../../scripts/import/archive-addresses.ts";
import { runPipeline } from "../../scripts/import/run.ts";
import { buildRedirects, MAX_STATIC } from "../../scripts/redirects.ts";
import { archivePath, COMMENTS_FEED_PATH, termFeedPath, termPath } from "../../workers/render/addresses.ts";

const FIXTURES = join(ROOT, "test", "fixtures", "import");
const tmp = mkdtempSync(join(tmpdir(), "billet-archive-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

async function imported(fixture: string, args: string[] = []) {
  const content = join(tmp, `content-${n++}`);
  cpSync(join(ROOT, "content"), content, { recursive: true });
  const run = () =>
    runPipeline({ ...parseArgs([join(FIXTURES, fixture), "--content", content, "--sql", join(tmp, `x-${n++}.sql`), ...args]), progress: false });
  const result = await run();
  const file = join(content, "redirects.json");
  return { content, result, run, redirects: existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>) : null };
}

const GREEK_TAG = "/blog/tag/%ce%b5%ce%bb%ce%bb%ce%ac%ce%b4%ce%b1/";

describe("the old blog's listings, recorded by the import", () => {
  it("a blog in a folder: categories at their nested and own paths, a Greek tag, days, the author, feeds, its home", async () => {
    const { redirects, result, run } = await imported("wxr-archive.xml");
    expect(redirects).toMatchObject({
      "/blog/category/voyages/grece/": termPath("categories", "Grèce"),
      "/blog/category/grece/": termPath("categories", "Grèce"),
      "/blog/category/grece/feed/": termFeedPath("categories", "Grèce"),
      "/blog/category/reseaux-sociaux/": "/categories/reseaux-sociaux/",
      [GREEK_TAG]: termPath("tags", "Ελλάδα"),
      [`${GREEK_TAG}feed/`]: termFeedPath("tags", "Ελλάδα"),
      "/blog/tag/bilan/": "/tags/bilan/",
      "/blog/2011/": archivePath(2011),
      "/blog/2011/03/": archivePath(2011, 3),
      // 23:30 on the 5th in the old blog's zone (22:30 UTC): the 5th.
      "/blog/2011/03/05/": archivePath(2011, 3),
      "/blog/2012/11/20/": archivePath(2012, 11),
      "/blog/author/jeandupont/": "/archives/",
      "/blog/feed/": "/feed.xml",
      "/blog/rss/": "/feed.xml",
      "/blog/atom/": "/feed.xml",
      "/blog/feed/atom/": "/feed.xml",
      "/blog/feed/rss2/": "/feed.xml",
      "/blog/comments/feed/": COMMENTS_FEED_PATH,
      "/blog/": "/",
    });
    // Only what the import holds: no unused category, no other year, nothing of billet's own.
    const froms = Object.keys(redirects!);
    expect(froms.filter((f) => /jamais|2010|2013/.test(f))).toEqual([]);
    expect(froms.every((f) => f.startsWith("/blog/"))).toBe(true);
    expect(result.archive).toMatchObject({ total: froms.length, added: froms.length });
    // A second run adds nothing.
    expect((await run()).archive).toMatchObject({ total: froms.length, added: 0 });
  });

  it("a blog at the root: no rule for / or /page/N/ (billet's own), and none on a dry run", async () => {
    const { redirects } = await imported("wxr-full.xml");
    expect(redirects).toMatchObject({
      "/category/travel/": "/categories/travel/",
      "/tag/sea/": "/tags/sea/",
      "/feed/": "/feed.xml",
      "/2009/07/14/": "/archives/2009/07/",
    });
    expect(Object.keys(redirects!).filter((f) => f === "/" || f.startsWith("/page/"))).toEqual([]);
    const dry = await imported("wxr-full.xml", ["--dry-run"]);
    expect(dry.redirects).toBeNull();
    expect(dry.result.archive!.total).toBe(Object.keys(redirects!).length);
  });

  it("the build publishes them in _redirects and as KV records, the Greek tag decoded", async () => {
    const { content } = await imported("wxr-archive.xml");
    const built = await buildSite({ content, public: join(tmp, "public"), build: join(tmp, "build"), scripts: false });
    expect(built.redirects.dropped).toEqual([]);
    const file = readFileSync(join(tmp, "public", "_redirects"), "utf8").split("\n");
    expect(file).toContain(`/blog/tag/ελλάδα/ ${termPath("tags", "Ελλάδα")} 301`);
    expect(file).toContain("/blog/category/voyages/grece/ /categories/grece/ 301");
    const kv = JSON.parse(readFileSync(join(tmp, "build", "kv-posts.json"), "utf8")) as { key: string; value: string }[];
    expect(kv).toContainEqual({ key: "redirect:/blog/tag/ελλάδα/", value: termPath("tags", "Ελλάδα") });
    expect(kv).toContainEqual({ key: "redirect:/blog/", value: "/" });
    // Not in _redirects, which would carry /blog/?p=12 to /?p=12.
    expect(file.filter((l) => l.startsWith("/blog/ "))).toEqual([]);
  });

  it("never over billet's own addresses, and posts' rules keep the first places of _redirects", () => {
    const archive: Record<string, string> = { "/posts/x/": "/", "/archives/": "/", "/page/2/": "/", "/feed.xml": "/", "/tag/a//": "/tags/a/" };
    for (let i = 0; i < MAX_STATIC + 50; i++) archive[`/tag/t${i}/`] = `/tags/t${i}/`;
    const r = buildRedirects([], [], archive);
    expect(r.dropped.filter((d) => /not an old address/.test(d))).toHaveLength(4);
    expect(r.staticCount).toBe(MAX_STATIC);
    // All of them in KV (the Worker answers what is beyond the static rules, and their pages).
    expect(r.kv.filter((e) => e.key.startsWith("redirect:/tag/t"))).toHaveLength(MAX_STATIC + 50);
    expect(r.kv).toContainEqual({ key: "redirect:/tag/a/", value: "/tags/a/" });
  });

  it("an author's nicename is WordPress's", () => {
    expect(authorNicename("Jean.Dupont")).toBe("jeandupont");
    expect(authorNicename("marie curie")).toBe("marie-curie");
    expect(authorNicename("bob_42")).toBe("bob_42");
  });
});
