// Moving a whole blog in: WordPress posts and pages written into a content folder, refusals of
// files that cannot be read (with line and column, or comment and field), --lenient, threads
// matched to posts in every form, import keys with the site, and the other comment servers'
// exports (Isso, Remark42, Waline). No wrangler here: dry runs and SQL run against node:sqlite.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DatabaseSync } from "node:sqlite";
import matter from "gray-matter";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/content.ts";
import { buildSite } from "../../scripts/build.ts";
import { errorMessage, parseArgs, runImport } from "../../scripts/import.ts";
import { parseText } from "../../scripts/import/readers.ts";
import { readIsso } from "../../scripts/import/servers.ts";
import { MemorySink } from "../../scripts/import/formats.ts";
import { emptyIndex, indexPost, resolveSlug, slugify } from "../../scripts/import/plan.ts";
import { wordpressBody } from "../../scripts/import/wp-content.ts";
import { freshDb } from "./sqlite.ts";
import { within } from "../time-limit.ts";

const FIXTURES = join(ROOT, "test", "fixtures", "import");
const fixture = (name: string) => readFileSync(join(FIXTURES, name), "utf8");
const tmp = mkdtempSync(join(tmpdir(), "billet-moving-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

/** A fresh content folder (the real site.json and seed post). */
function contentDir(): string {
  const dir = join(tmp, `content-${n++}`);
  cpSync(join(ROOT, "content"), dir, { recursive: true });
  return dir;
}

/** Runs npm run import without touching a database: writes content, returns the result, the log and the SQL. */
async function dry(file: string, args: string[] = [], content = contentDir()) {
  const lines: string[] = [];
  const sql = join(tmp, `out-${n++}.sql`);
  const result = await runImport(parseArgs([file, "--sql", sql, "--content", content, ...args]), (l) => lines.push(l));
  return { result, log: lines.join("\n"), sql: existsSync(sql) ? readFileSync(sql, "utf8") : "", content };
}

const rows = (db: DatabaseSync) => db.prepare("SELECT * FROM comments ORDER BY id").all() as Record<string, unknown>[];
const write = (name: string, text: string | Buffer) => {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
};

describe("pingbacks and trackbacks", () => {
  it("are left out and counted, or with --pingbacks kept as comments and counted so", async () => {
    const without = await dry(join(FIXTURES, "wxr-full.xml"), ["--dry-run"]);
    expect(without.log).toContain("Not imported: 1 × pingback (add --pingbacks to keep them)");
    const kept = await dry(join(FIXTURES, "wxr-full.xml"), ["--dry-run", "--pingbacks"]);
    expect(kept.log).toContain("Kept as comments (--pingbacks): 1 × pingback");
    expect(kept.log).not.toContain("× pingback (add --pingbacks");
    const keys = (sql: string) => new Set(sql.match(/wordpress:carnet\.example\.net:\d+:\d+/g)).size;
    expect(keys(kept.sql)).toBe(keys(without.sql) + 1);
  });
});

describe("a WordPress export brings the posts and pages", () => {
  it("writes nothing on a dry run, and says what it would do", async () => {
    const { log, content } = await dry(join(FIXTURES, "wxr-full.xml"), ["--dry-run"]);
    expect(log).toContain("Posts: 2 published in the export: 2 would be created");
    expect(log).toContain("Pages: 1 published in the export: 1 would be created");
    expect(log).toContain("Not imported: 1 × draft");
    expect(log).toContain("Dry run: no post, page or comment was written; only the SQL it would apply");
    expect(existsSync(join(content, "posts", "summer-and-the-sea.md"))).toBe(false);
    expect(existsSync(join(content, "pages"))).toBe(false);
  });

  it("creates the files, keeps them on a second run, never overwrites unless asked", async () => {
    const content = contentDir();
    const sqlFile = join(tmp, "full.sql");
    const opts = { ...parseArgs([join(FIXTURES, "wxr-full.xml"), "--sql", sqlFile, "--content", content]), progress: false };
    // No wrangler: run the pipeline only (the database step is tested elsewhere).
    const { runPipeline } = await import("../../scripts/import/run.ts");
    const first = await runPipeline(opts);
    expect(first.items!.created.map((e) => `${e.kind}:${e.slug}`).sort()).toEqual(["page:about", "post:ete-a-paris", "post:summer-and-the-sea"]);
    const post = matter(readFileSync(join(content, "posts", "summer-and-the-sea.md"), "utf8"));
    expect(post.data).toMatchObject({
      title: "Summer & the sea",
      author: "Marie Curie-Dupont",
      lang: "en",
      categories: ["Travel"],
      tags: ["sea", "summer"],
      summary: "A summer by the sea.",
      comments: "closed",
      format: "html",
      redirect_from: ["/2009/07/14/summer_and_the_sea/", "/?p=10"],
    });
    // The date in the blog's zone (WordPress's local time and its offset).
    expect(readFileSync(join(content, "posts", "summer-and-the-sea.md"), "utf8")).toContain("date: 2009-07-14T10:00:00+02:00");
    const body = post.content;
    expect(body).toContain("<p>First paragraph with <strong>bold</strong>.<br />\nA line break.</p>");
    expect(body).toContain('<figure id="attachment_30" class="wp-caption alignleft">');
    expect(body).toContain('<figcaption class="wp-caption-text">The sea at noon</figcaption>');
    expect(body).toContain('<div class="gallery gallery-columns-3">');
    expect(body).toContain("sand.jpg");
    expect(body).toContain('<p class="embed"><a href="https://video.example.org/watch?v=abc">');
    expect(body).toContain('<pre><code class="language-php">&lt;?php echo "a &lt; b"; ?&gt;\n\necho 2;</code></pre>');
    expect(body).not.toContain("<!--more-->");
    // Block-editor content: no automatic paragraphs, block comments out.
    const ete = matter(readFileSync(join(content, "posts", "ete-a-paris.md"), "utf8"));
    expect(ete.content.trim()).toBe("<p>Block editor paragraph.</p>");
    expect(ete.data.redirect_from).toEqual(["/2010/08/01/%c3%a9t%c3%a9-a-paris/", "/?p=11"]);
    expect(ete.data.comments).toBe("open");
    const page = matter(readFileSync(join(content, "pages", "about.md"), "utf8"));
    expect(page.data).toMatchObject({ title: "About", redirect_from: ["/?page_id=2"] });
    expect(page.content.trim()).toBe("<p>I write here.</p>");
    expect(first.ignored).toMatchObject({
      draft: 1,
      "private post": 1,
      "scheduled post": 1,
      "password-protected post": 1,
      "attachment (medium)": 2,
      "menu item": 1,
      pingback: 1,
    });
    expect(first.items!.unknownShortcodes).toEqual({ "contact-form-7": 1 });
    expect(readFileSync(first.mediaFile!, "utf8").trim().split("\n")).toEqual([
      "https://www.carnet.example.net/wp-content/uploads/2009/07/sand.jpg",
      "https://www.carnet.example.net/wp-content/uploads/2009/07/sea-300x200.jpg",
      "https://www.carnet.example.net/wp-content/uploads/2009/07/sea.jpg",
    ]);

    // Again: nothing changes.
    const before = readFileSync(join(content, "posts", "summer-and-the-sea.md"), "utf8");
    const second = await runPipeline(opts);
    expect(second.items!.unchanged).toHaveLength(3);
    expect(second.items!.created).toHaveLength(0);
    // Edited by the author: kept, unless --overwrite.
    writeFileSync(join(content, "posts", "summer-and-the-sea.md"), `${before}\n<p>My edit.</p>\n`);
    const third = await runPipeline(opts);
    expect(third.items!.kept.map((e) => e.slug)).toEqual(["summer-and-the-sea"]);
    expect(readFileSync(join(content, "posts", "summer-and-the-sea.md"), "utf8")).toContain("My edit.");
    const fourth = await runPipeline({ ...opts, overwrite: true, mediaBase: "https://media.example.org" });
    expect(fourth.items!.overwritten.map((e) => e.slug)).toEqual(["summer-and-the-sea"]);
    const moved = readFileSync(join(content, "posts", "summer-and-the-sea.md"), "utf8");
    expect(moved).not.toContain("My edit.");
    expect(moved).toContain('src="https://media.example.org/wp-content/uploads/2009/07/sea-300x200.jpg"');

    // Comments: the same comment id in two posts imports both; the page's comment goes to the page.
    const db = freshDb();
    db.exec(readFileSync(sqlFile, "utf8"));
    const got = rows(db);
    expect(got.map((r) => [r.post_slug, r.status, r.import_key])).toEqual([
      ["about", "spam", "wordpress:carnet.example.net:2:40"],
      ["summer-and-the-sea", "approved", "wordpress:carnet.example.net:10:5"],
      ["summer-and-the-sea", "approved", "wordpress:carnet.example.net:10:6"],
      ["ete-a-paris", "pending", "wordpress:carnet.example.net:11:5"],
    ]);
    expect(got[2].parent_id).toBe(got[1].id);

    // The build: pages at their address, not on the home page or in the feed; old addresses redirect.
    const pub = join(tmp, "full-public");
    const build = join(tmp, "full-build");
    const built = await buildSite({ content, public: pub, build, scripts: false });
    expect(built.pages.map((p) => p.url)).toEqual(["/about/"]);
    // It takes comments (as in WordPress): built where the Worker fills them in, its address left to the Worker.
    const about = readFileSync(join(pub, "posts", "about", "index.html"), "utf8");
    expect(about).toContain("I write here.");
    expect(about).toContain('<form class="comment-form" method="post" action="/api/posts/about/comments"');
    // The starter's site.json took the old blog's address (npm run import fills it in).
    expect(about).toContain('<link rel="canonical" href="https://www.carnet.example.net/about/">');
    expect(existsSync(join(pub, "about"))).toBe(false);
    expect(readFileSync(join(pub, "index.html"), "utf8")).not.toContain('href="/about/"');
    expect(readFileSync(join(pub, "feed.xml"), "utf8")).not.toContain("/about/");
    expect(readFileSync(join(pub, "sitemap.xml"), "utf8")).toContain("/about/");
    const redirects = readFileSync(join(pub, "_redirects"), "utf8");
    expect(redirects).toContain("/2009/07/14/summer_and_the_sea/ /posts/summer-and-the-sea/ 301");
    expect(redirects).toContain("/2009/07/14/summer_and_the_sea/feed/ /posts/summer-and-the-sea/comments.xml 301");
    expect(redirects).toContain("/2010/08/01/été-a-paris/ /posts/ete-a-paris/ 301");
    const kv = JSON.parse(readFileSync(join(build, "kv-posts.json"), "utf8")) as { key: string; value: string }[];
    expect(kv.filter((r) => r.key.startsWith("redirect:"))).toEqual(
      expect.arrayContaining([
        { key: "redirect:/?p=10", value: "/posts/summer-and-the-sea/" },
        { key: "redirect:/?p=11", value: "/posts/ete-a-paris/" },
        { key: "redirect:/?page_id=2", value: "/about/" },
      ]),
    );
    expect(JSON.parse(kv.find((r) => r.key === "post:summer-and-the-sea")!.value)).not.toHaveProperty("redirect_from");
    expect(JSON.parse(kv.find((r) => r.key === "post:about")!.value)).toMatchObject({ url: "/about/", comments_open: true });
    expect((JSON.parse(kv.find((r) => r.key === "posts:index")!.value) as { slug: string }[]).map((p) => p.slug)).not.toContain("about");
  });

  it("a blog that lived in a folder (/blog/): its ?p= and ?page_id= addresses are that folder's; over 2,000 old paths go to the Worker", {
    timeout: within(15_000),
  }, async () => {
    const inFolder = fixture("wxr-full.xml").replaceAll("https://www.carnet.example.net", "https://www.carnet.example.net/blog");
    const { content } = await dry(write("in-folder.xml", inFolder));
    expect(matter(readFileSync(join(content, "posts", "summer-and-the-sea.md"), "utf8")).data.redirect_from).toEqual([
      "/blog/2009/07/14/summer_and_the_sea/",
      "/blog/?p=10",
    ]);
    expect(matter(readFileSync(join(content, "pages", "about.md"), "utf8")).data.redirect_from).toEqual(["/blog/about/", "/blog/?page_id=2"]);
    // 2,100 old paths of no common shape: 2,000 in _redirects, the rest as records the Worker answers.
    for (let i = 0; i < 2100; i++)
      writeFileSync(
        join(content, "posts", `old-${i}.md`),
        `---\ntitle: "Old ${i}"\ndate: 2010-01-01T10:00:00Z\nredirect_from:\n  - /archives/${i}-${"x".repeat(i % 7)}.html\n---\nText.\n`,
      );
    const pub = join(tmp, "folder-public");
    const build = join(tmp, "folder-build");
    const built = await buildSite({ content, public: pub, build, scripts: false });
    expect(built.redirects.dropped).toEqual([]);
    const rules = readFileSync(join(pub, "_redirects"), "utf8")
      .split("\n")
      .filter((l) => l.endsWith(" 301"));
    expect(rules).toHaveLength(2000);
    const kv = new Map((JSON.parse(readFileSync(join(build, "kv-posts.json"), "utf8")) as { key: string; value: string }[]).map((r) => [r.key, r.value]));
    expect(kv.get("redirect:/blog/?p=10")).toBe("/posts/summer-and-the-sea/");
    expect(kv.get("redirect:/blog/?page_id=2")).toBe("/about/");
    // Every old path is either a rule or a record, each once.
    const paths = Array.from({ length: 2100 }, (_, i) => `/archives/${i}-${"x".repeat(i % 7)}.html`);
    const ruled = paths.filter((path) => rules.some((r) => r.startsWith(`${path} `)));
    const recorded = paths.filter((path) => kv.get(`redirect:${path}`) === `/posts/old-${path.match(/\/archives\/(\d+)/)![1]}/`);
    expect(ruled.length + recorded.length).toBe(2100);
    expect(ruled.filter((path) => recorded.includes(path))).toEqual([]);
  });

  it("pages the home page", async () => {
    const content = contentDir();
    for (let i = 0; i < 45; i++)
      writeFileSync(
        join(content, "posts", `p-${String(i).padStart(2, "0")}.md`),
        `---\ntitle: "Post ${i}"\ndate: 2010-01-${String((i % 28) + 1).padStart(2, "0")}T10:${String(i).padStart(2, "0")}:00Z\n---\nText ${i}.\n`,
      );
    const pub = join(tmp, "paged-public");
    await buildSite({ content, public: pub, build: join(tmp, "paged-build"), scripts: false });
    const home = readFileSync(join(pub, "index.html"), "utf8");
    expect(home.match(/class="post-item"/g)).toHaveLength(20);
    expect(home).toContain('<a href="/page/2/" rel="next">');
    const third = readFileSync(join(pub, "page", "3", "index.html"), "utf8");
    expect(third.match(/class="post-item"/g)).toHaveLength(6);
    expect(third).toContain('<a href="/page/2/" rel="prev">');
    expect(third).not.toContain('rel="next"');
    expect(existsSync(join(pub, "page", "4"))).toBe(false);
  });
});

describe("a file that cannot be read is refused whole, with the reason", () => {
  const wxr = fixture("wxr-full.xml");
  const refused = async (name: string, text: string | Buffer, args: string[] = []) => {
    const content = contentDir();
    const path = write(name, text);
    const before = readdirSync(join(content, "posts")).sort();
    let message = "";
    try {
      await dry(path, args, content);
    } catch (err) {
      message = errorMessage(err);
    }
    expect(message).not.toBe("");
    expect(message).not.toMatch(/\n\s+at |Error:/);
    expect(readdirSync(join(content, "posts")).sort()).toEqual(before);
    return message;
  };

  it("a stray character before <?xml", async () => {
    const m = await refused("stray.xml", `x${wxr}`);
    expect(m).toMatch(/^stray\.xml, line 1, column \d+: /);
    expect(m).toContain("Nothing was imported");
  });

  it("blank lines before <?xml (some WordPress plugins add them): refused, saying what to delete", async () => {
    const m = await refused("blank.xml", `\n\n${wxr}`);
    expect(m).toMatch(/^blank\.xml, line 3, column \d+: something comes before the XML declaration/);
    expect(m).toContain("delete everything before <?xml");
  });

  it("an unquoted attribute", async () => {
    const m = await refused("unquoted.xml", wxr.replace('<category domain="category" nicename="travel">', "<category domain=category nicename=travel>"));
    const line = wxr.split("\n").findIndex((l) => l.includes('nicename="travel"')) + 1;
    expect(m).toMatch(new RegExp(`^unquoted\\.xml, line ${line}, column \\d+: an attribute's value is not in quotes`));
  });

  it("a truncated file, plain or gzipped", async () => {
    const cut = wxr.slice(0, Math.floor(wxr.length * 0.6));
    expect(await refused("cut.xml", cut)).toMatch(/^cut\.xml, line \d+, column \d+: the file ends while <.*> is still open: it looks truncated/);
    const gz = gzipSync(wxr);
    expect(await refused("cut.xml.gz", gz.subarray(0, Math.floor(gz.length * 0.7)))).toMatch(
      /cut\.xml\.gz: the gzip file is damaged or truncated|it looks truncated/,
    );
  });

  it("a date or a status that does not parse: the comment and the field", async () => {
    const m = await refused(
      "date.xml",
      wxr.replace("<wp:comment_date_gmt><![CDATA[2009-07-14 11:00:00]]>", "<wp:comment_date_gmt><![CDATA[2009-13-45 99:00:00]]>"),
    );
    expect(m).toContain("WordPress comment 6 on “Summer & the sea” (line");
    expect(m).toContain('<wp:comment_date_gmt> is "2009-13-45 99:00:00", not a date');
    const spam = fixture("disqus.xml").replace("<isSpam>true</isSpam>", "<isSpam>maybe</isSpam>");
    const d = await refused("spam.xml", spam);
    expect(d).toContain("Disqus comment 9004 (line");
    expect(d).toContain('<isSpam> is "maybe", neither true nor false');
  });

  it("--lenient imports what is sound and lists what it left out", async () => {
    const content = contentDir();
    const path = write("lenient.xml", wxr.replace("<wp:comment_approved><![CDATA[0]]>", "<wp:comment_approved><![CDATA[perhaps]]>"));
    const { result, log } = await dry(path, ["--lenient", "--dry-run"], content);
    expect(result.leftOut).toHaveLength(1);
    expect(log).toContain("Left out (--lenient): 1 item (a value that does not parse, or cut off by the break):\n  WordPress comment 5 on “Été à Paris”");
    expect(result.comments).toBe(3);
    // A broken file: what came before the break.
    const cut = write("lenient-cut.xml", wxr.slice(0, wxr.indexOf("<title>About</title>") + 40));
    const broken = await dry(cut, ["--lenient", "--dry-run"], content);
    expect(broken.result.brokenAt).toMatch(/it looks truncated/);
    expect(broken.log).toContain("(cut off before its end). Everything after that point is left out");
    expect(broken.result.comments).toBe(3);
    // Cut after a comment of the page but before the page's end: that comment goes with its page,
    // listed as cut off (no --map line to paste for a post that never came).
    const afterComment = write("lenient-cut-2.xml", wxr.slice(0, wxr.indexOf("</wp:comment>", wxr.indexOf("Hello Marie")) + 13));
    const cutPage = await dry(afterComment, ["--lenient", "--dry-run"], content);
    expect(cutPage.result.plan.skipped).toEqual([]);
    expect(cutPage.result.leftOut).toEqual(["https://www.carnet.example.net/about/: 1 comment of a post the break cut off"]);
    expect(cutPage.log).not.toContain("--map");
  });

  it("an export that names no site needs --site", async () => {
    const nosite = wxr.replace(/<link>https:\/\/www\.carnet\.example\.net<\/link>|<wp:base_(site|blog)_url>[^<]*<\/wp:base_\1_url>/g, "");
    const m = await refused("nosite.xml", nosite);
    expect(m).toContain("--site");
    const ok = await dry(write("nosite2.xml", nosite), ["--site", "https://carnet.example.net", "--dry-run"]);
    expect(ok.sql).toContain("wordpress:carnet.example.net:10:5");
  });
});

describe("threads find their posts", () => {
  const posts = new Set(["mon-billet", "autre", "ete"]);
  const index = emptyIndex();
  indexPost(index, { slug: "mon-billet", title: "Mon billet", redirect_from: ["/2008/03/17/mon_billet/", "/?p=42"] });
  indexPost(index, { slug: "autre", title: "Un « autre » billet", redirect_from: ["/archives/57"] });
  indexPost(index, { slug: "ete", title: "Été" });
  const find = (refs: string[], title?: string, slug?: string) => resolveSlug({ refs, title, slug }, { posts, index });

  it("by link in any form", () => {
    for (const link of [
      "http://www.old.example/2008/03/17/mon_billet/",
      "https://old.example/2008/03/17/mon_billet",
      "//old.example/2008/03/17/mon_billet/#comments",
      "http://old.example/?p=42",
      "https://www.old.example/index.php?p=42&utm_source=feed",
      "/blog/?p=42",
      "http://old.example/archives/57",
    ])
      expect([link, find([link])]).toEqual([link, link.includes("57") ? "autre" : "mon-billet"]);
  });

  it("by identifier, by the last segment as a slug, then by title", () => {
    expect(find(["42 http://old.example/?p=42"])).toBe("mon-billet");
    expect(find(["", "42", "/?p=42"])).toBe("mon-billet");
    expect(find(["http://old.example/2011/06/ete.html"])).toBe("ete");
    expect(find(["http://old.example/unknown/"], "un « Autre » billet")).toBe("autre");
    expect(find(["http://old.example/unknown/"], "Nothing like it")).toBeNull();
    expect(slugify("Mon_Billet%20d%C3%A9t%C3%A9")).toBe("mon-billet-dete");
  });

  it("lists what matches nothing with the --map line to paste, or makes posts for them", async () => {
    const { log } = await dry(join(FIXTURES, "disqus.xml"), ["--dry-run"]);
    expect(log).toContain("npm run import -- disqus.xml --map 'https://ancien-blog.example.org/2012/04/un-autre-billet.html=<slug>'");
    const content = contentDir();
    const { runPipeline } = await import("../../scripts/import/run.ts");
    const r = await runPipeline({
      ...parseArgs([join(FIXTURES, "disqus.xml"), "--create-posts", "--content", content, "--sql", join(tmp, "stub.sql")]),
      progress: false,
    });
    expect(r.stubs.map((s) => s.slug)).toEqual(["un-autre-billet"]);
    expect(r.plan.skipped).toEqual([]);
    const stub = matter(readFileSync(join(content, "posts", "un-autre-billet.md"), "utf8"));
    expect(stub.data).toMatchObject({ title: "Un autre billet", redirect_from: ["/2012/04/un-autre-billet.html"] });
    // A WordPress export then a Disqus export of the same blog: Disqus threads find the imported posts.
    const wpThenDisqus = contentDir();
    await runPipeline({ ...parseArgs([join(FIXTURES, "wordpress.xml"), "--content", wpThenDisqus, "--sql", join(tmp, "wp.sql")]), progress: false });
    const d = await runPipeline({ ...parseArgs([join(FIXTURES, "disqus.xml"), "--content", wpThenDisqus, "--sql", join(tmp, "dq.sql")]), progress: false });
    // Its ?p=57 identifier finds the post the WordPress export made.
    expect(d.plan.skipped).toEqual([]);
    expect([...d.inFile.keys()]).toEqual(["reseaux-sociaux-trois-ans-apres", "un-autre-billet"]);
  });

  it("makes posts for threads without a title too (Remark42, Waline): named and dated from the address and the first comment", async () => {
    // The shape of Remark42's own test backup: no titles, a thread at the site's root.
    const line = (id: string, url: string, time: string) =>
      JSON.stringify({ id, pid: "", text: "hi", user: { name: "u", id: "u1" }, locator: { site: "radio", url }, time });
    const file = write(
      "remark-untitled.txt",
      `{"version":1,"users":[],"posts":[]}\n${line("a", "https://radio.example/", "2017-12-20T15:18:22-06:00")}\n${line("b", "https://radio.example/2017/mon_billet.html", "2017-12-20T15:18:23-06:00")}\n${line("c", "https://radio.example/2017/mon_billet.html", "2017-12-19T10:00:00Z")}\n${line("d", "https://radio.example/archives/mon_billet.html", "2017-12-21T10:00:00Z")}\n`,
    );
    const content = contentDir();
    const { result } = await dry(file, ["--create-posts", "--dry-run"], content);
    expect(result.plan.skipped).toEqual([]);
    expect(result.stubs.map((s) => [s.slug, s.title])).toEqual([
      ["radio-example", "radio.example"],
      ["mon-billet", "mon billet"],
    ]);
    const { runPipeline } = await import("../../scripts/import/run.ts");
    const written = await runPipeline({ ...parseArgs([file, "--create-posts", "--content", content, "--sql", join(tmp, "untitled.sql")]), progress: false });
    expect(written.stubs).toHaveLength(2);
    const post = readFileSync(join(content, "posts", "mon-billet.md"), "utf8");
    expect(post).toContain("date: 2017-12-19T10:00:00.000Z");
    expect(post).toContain('"/2017/mon_billet.html"');
    // The same post's thread at another address (Disqus and Remark42 keep one per address): it leads there too.
    expect(matter(post).data.redirect_from).toEqual(["/2017/mon_billet.html", "/archives/mon_billet.html"]);
  });
});

describe("other comment servers", () => {
  const OPTS = { anonymous: "Anonyme", timeZone: "Europe/Paris", site: "https://old.example.org" };

  it("Isso: its SQLite database, modes, one level of replies, deleted comments kept as empty places only under replies", () => {
    const path = join(tmp, "comments.db");
    const db = new DatabaseSync(path);
    db.exec(`CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));
      CREATE TABLE comments (tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER, created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR, text VARCHAR, author VARCHAR, email VARCHAR, website VARCHAR, likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL, notification INTEGER NOT NULL DEFAULT 0);
      INSERT INTO threads VALUES (1, '/2008/03/17/mon_billet/', 'Mon billet'), (2, '/empty/', 'Empty');
      INSERT INTO comments (tid, id, parent, created, modified, mode, remote_addr, text, author, email, website, voters) VALUES
        (1, 1, NULL, 1205762400.5, NULL, 1, '192.0.2.1', 'Premier *commentaire*', 'Zoé', 'zoe@example.org', 'zoe.example.org', x''),
        (1, 2, 1, 1205766000, 1205766100, 1, '192.0.2.2', 'Une réponse', NULL, NULL, NULL, x''),
        (1, 3, NULL, 1205769600, NULL, 2, '192.0.2.3', 'En attente', 'Paul', NULL, NULL, x''),
        (1, 4, NULL, 1205773200, NULL, 4, '192.0.2.4', '', NULL, 'gone@example.org', NULL, x''),
        (1, 5, 4, 1205776800, NULL, 1, '192.0.2.5', 'Réponse à un supprimé', 'Léa', NULL, NULL, x''),
        (2, 6, NULL, 1205780400, NULL, 4, '192.0.2.6', '', NULL, NULL, NULL, x'');`);
    db.close();
    const sink = new MemorySink("isso");
    readIsso(path, sink, OPTS);
    const parsed = sink.result();
    expect(parsed.threads).toHaveLength(1);
    const [t] = parsed.threads;
    expect(t.refs).toEqual(["/2008/03/17/mon_billet/"]);
    expect(t.comments.map((c) => [c.sourceId, c.parentSourceId, c.status, c.authorName])).toEqual([
      ["1", null, "approved", "Zoé"],
      ["2", "1", "approved", "Anonyme"],
      ["3", null, "pending", "Paul"],
      ["4", null, "purged", ""],
      ["5", "4", "approved", "Léa"],
    ]);
    expect(t.comments[0]).toMatchObject({
      importKey: "isso:old.example.org:1",
      createdAt: 1205762400500,
      authorUrl: "http://zoe.example.org",
      content: "Premier *commentaire*",
    });
    expect(t.comments[1].editedAt).toBe(1205766100000);
    expect(parsed.ignored).toEqual({ "comment deleted in Isso without replies (nothing left to keep)": 1 });
    expect(() => readIsso(path, new MemorySink("isso"), { ...OPTS, site: undefined })).toThrow(/--site/);
    // A truncated database is refused in words.
    const bytes = readFileSync(path);
    const cut = write("cut.db", bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect(() => readIsso(cut, new MemorySink("isso"), { ...OPTS, file: "cut.db" })).toThrow(/^cut\.db: .*(damaged or truncated|not an Isso database)/);
  });

  it("Remark42: its backup, a line of metadata then a comment a line", () => {
    const lines = [
      JSON.stringify({ version: 1, users: [], posts: [{ url: "https://old.example.org/2008/03/17/mon_billet/", read_only: false }] }),
      JSON.stringify({
        id: "c1",
        pid: "",
        text: "<p>Hello <b>there</b></p>",
        orig: "Hello **there**",
        user: { name: "Ann", id: "github_1", ip: "hash" },
        locator: { site: "remark", url: "https://old.example.org/2008/03/17/mon_billet/" },
        score: 2,
        votes: {},
        time: "2018-01-02T03:04:05.123+01:00",
        title: "Mon billet",
      }),
      JSON.stringify({
        id: "c2",
        pid: "c1",
        text: "<p>Re</p>",
        user: { name: "Bob", id: "x" },
        locator: { site: "remark", url: "https://old.example.org/2008/03/17/mon_billet/" },
        time: "2018-01-02T04:00:00Z",
        edit: { time: "2018-01-02T04:05:00Z", summary: "" },
      }),
      JSON.stringify({
        id: "c3",
        pid: "",
        text: "",
        user: { name: "deleted", id: "deleted" },
        locator: { site: "remark", url: "https://old.example.org/other/" },
        time: "2018-01-03T00:00:00Z",
        delete: true,
      }),
    ];
    const parsed = parseText(`${lines.join("\n")}\n`, "remark42", { anonymous: "Anonyme" });
    expect(parsed.threads).toHaveLength(1);
    const [t] = parsed.threads;
    expect(t.title).toBe("Mon billet");
    expect(t.comments.map((c) => [c.importKey, c.parentSourceId, c.status, c.content])).toEqual([
      ["remark42:remark:c1", null, "approved", "Hello **there**"],
      ["remark42:remark:c2", "c1", "approved", "Re"],
    ]);
    expect(t.comments[0].createdAt).toBe(Date.UTC(2018, 0, 2, 2, 4, 5, 123));
    expect(t.comments[1].editedAt).toBe(Date.UTC(2018, 0, 2, 4, 5, 0));
    const bad = parseText(`${lines[0]}\n${lines[1].replace('"2018-01-02T03:04:05.123+01:00"', '"yesterday"')}\n${lines[2].slice(0, 40)}`, "remark42", {});
    expect(bad.problems!.map((p) => `${p.item}: ${p.field} ${p.expected}`)).toEqual([
      'Remark42 comment c1: "time" not a date',
      "Remark42 comment on line 3: the line cut off: the file looks truncated",
    ]);
  });

  it("Waline: its JSON export, statuses, parents, users", () => {
    const data = {
      type: "waline",
      version: 1,
      time: 1700000000000,
      tables: ["Comment", "Counter", "Users"],
      data: {
        Comment: [
          {
            objectId: "a1",
            comment: "Bonjour **tout** le monde",
            insertedAt: "2021-05-03T06:43:31.000Z",
            ip: "192.0.2.1",
            link: "https://ann.example",
            mail: "ann@example.org",
            nick: "Ann",
            pid: null,
            rid: null,
            status: "approved",
            ua: "x",
            url: "/2008/03/17/mon_billet/",
          },
          {
            objectId: "a2",
            comment: "<p>Une <b>réponse</b></p>",
            insertedAt: "2021-05-04 08:00:00",
            nick: "",
            mail: "",
            pid: "a1",
            rid: "a1",
            status: "waiting",
            url: "/2008/03/17/mon_billet/",
            user_id: "u1",
          },
          { objectId: "a3", comment: "casino", insertedAt: "2021-05-05T00:00:00.000Z", nick: "Spam", status: "spam", url: "/2008/03/17/mon_billet/" },
        ],
        Counter: [],
        Users: [{ objectId: "u1", display_name: "Arnaud", email: "arnaud@example.org", url: "https://arnaud.example" }],
      },
    };
    const parsed = parseText(JSON.stringify(data), "waline", OPTS);
    const [t] = parsed.threads;
    expect(t.comments.map((c) => [c.importKey, c.parentSourceId, c.status, c.authorName, c.content])).toEqual([
      ["waline:old.example.org:a1", null, "approved", "Ann", "Bonjour **tout** le monde"],
      ["waline:old.example.org:a2", "a1", "pending", "Arnaud", "Une **réponse**"],
      ["waline:old.example.org:a3", null, "spam", "Spam", "casino"],
    ]);
    // A local time without a zone is read in the site's zone.
    expect(t.comments[1].createdAt).toBe(Date.UTC(2021, 4, 4, 6, 0, 0));
    const bad = parseText(JSON.stringify({ ...data, data: { ...data.data, Comment: [{ ...data.data.Comment[0], status: "maybe" }] } }), "waline", OPTS);
    expect(bad.problems![0]).toMatchObject({ item: "Waline comment a1", field: '"status"', value: "maybe" });
    // Waline on LeanCloud writes its dates as LeanCloud's Date objects.
    const leanDate = { __type: "Date", iso: "2021-05-03T06:43:31.000Z" };
    const lean = parseText(JSON.stringify({ ...data, data: { ...data.data, Comment: [{ ...data.data.Comment[0], insertedAt: leanDate }] } }), "waline", OPTS);
    expect(lean.problems ?? []).toEqual([]);
    expect(lean.threads[0].comments[0].createdAt).toBe(Date.UTC(2021, 4, 3, 6, 43, 31));
    expect(() => parseText(JSON.stringify(data), "waline", { ...OPTS, site: undefined })).toThrow(/--site/);
  });
});

describe("WordPress exports as other versions wrote them", () => {
  it('reads WXR 1.0\'s tags (domain="tag") and its categories without a domain', async () => {
    // As WordPress 2.x exported them: each term twice, with and without a nicename.
    const wxr = fixture("wxr-full.xml").replace(
      '<category domain="category" nicename="travel">',
      '<category><![CDATA[Travel]]></category><category domain="tag"><![CDATA[old tag]]></category><category domain="tag" nicename="old-tag"><![CDATA[old tag]]></category><category domain="category" nicename="travel">',
    );
    const content = contentDir();
    const { runPipeline } = await import("../../scripts/import/run.ts");
    await runPipeline({ ...parseArgs([write("wxr10-tags.xml", wxr), "--content", content, "--sql", join(tmp, "wxr10.sql")]), progress: false });
    const post = matter(readFileSync(join(content, "posts", "summer-and-the-sea.md"), "utf8"));
    expect(post.data.categories).toEqual(["Travel"]);
    expect(post.data.tags).toEqual(["old tag", "sea", "summer"]);
  });
});

describe("files that are not WordPress exports, or not whole ones", () => {
  it("refuses an RSS feed (no WordPress namespace), and a post without its id instead of merging such posts", async () => {
    // The shape of a blog's feed.xml: <rss><channel><item> with no wp: fields.
    const feed = write(
      "feed.xml",
      `<?xml version="1.0" encoding="UTF-8"?>\n<rss xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0"><channel><title>Feed</title><link>https://example.com/</link>
<item><title>First</title><link>https://example.com/blog/first</link><pubDate>Tue, 22 Nov 2022 08:01:46 GMT</pubDate><description>One.</description></item>
<item><title>Second</title><link>https://example.com/blog/second</link><pubDate>Thu, 10 Nov 2022 21:39:51 GMT</pubDate><description>Two.</description></item>
</channel></rss>`,
    );
    await expect(dry(feed, ["--dry-run"])).rejects.toThrow(/feed\.xml: not a WordPress export \(WXR\): <rss> does not declare WordPress's namespace/);
    // Items without <wp:post_id> all had the same identity: the second was taken for the first.
    const noIds = fixture("wxr-full.xml").replace(/<wp:post_id>\d+<\/wp:post_id>/g, "");
    await expect(dry(write("no-ids.xml", noIds), ["--dry-run"])).rejects.toThrow(
      /WordPress post “Summer & the sea” \(line \d+\): <wp:post_id> is "", not a post number/,
    );
  });
});

describe("WordPress bodies", () => {
  it("applies wpautop and keeps <pre> as it is", () => {
    const { html } = wordpressBody("One\ntwo\n\n<pre>a\n\nb</pre>\n\nhttps://example.org/watch", { attachments: new Map(), postId: "1" });
    expect(html).toBe('<p>One<br />\ntwo</p>\n<pre>a\n\nb</pre>\n<p class="embed"><a href="https://example.org/watch">https://example.org/watch</a></p>');
  });
});
