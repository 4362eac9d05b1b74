// Old links of an imported blog, through the running Worker (wrangler dev): a WordPress export
// imported into a content folder, built, its KV records loaded, and every old address asked for;
// and its page that takes comments.
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSite } from "../../scripts/build.ts";
import { ROOT } from "../../scripts/content.ts";
import { parseArgs } from "../../scripts/import.ts";
import { runPipeline } from "../../scripts/import/run.ts";
import { OFFLINE_ENV, wrangler } from "../../scripts/local.ts";
import { termPath } from "../../workers/render/addresses.ts";
import { within } from "../time-limit.ts";

const tmp = mkdtempSync(join(tmpdir(), "billet-redirects-"));
const PORT = 8700 + Math.floor(Math.random() * 80);
const BASE = `http://127.0.0.1:${PORT}`;
let dev: ChildProcess | null = null;

beforeAll(async () => {
  const content = join(tmp, "content");
  cpSync(join(ROOT, "content"), content, { recursive: true });
  await runPipeline({
    ...parseArgs([join(ROOT, "test", "fixtures", "import", "wxr-full.xml"), "--content", content, "--sql", join(tmp, "x.sql")]),
    progress: false,
  });
  // And a blog that lived in /blog/, with a Greek tag.
  await runPipeline({
    ...parseArgs([join(ROOT, "test", "fixtures", "import", "wxr-archive.xml"), "--content", content, "--sql", join(tmp, "y.sql")]),
    progress: false,
  });
  await buildSite({ content, public: join(tmp, "public"), build: join(tmp, "build"), scripts: false });
  const state = join(tmp, "state");
  // With two records of the kinds the build writes for a blog that lived in /blog/ and for old
  // paths beyond the 2,000 rules of _redirects (import-moving.test.ts checks that it writes them).
  const records = JSON.parse(readFileSync(join(tmp, "build", "kv-posts.json"), "utf8")) as { key: string; value: string }[];
  records.push({ key: "redirect:/blog/?p=10", value: "/posts/summer-and-the-sea/" }, { key: "redirect:/archives/été.html", value: "/posts/ete-a-paris/" });
  writeFileSync(join(tmp, "kv.json"), JSON.stringify(records));
  wrangler(["kv", "bulk", "put", join(tmp, "kv.json"), "--binding", "POSTS", "--local", "--persist-to", state], { quiet: true });
  wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], { quiet: true });
  const args = [
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(PORT),
    "--inspector-port",
    "0",
    "--show-interactive-dev-session=false",
    "--persist-to",
    state,
    "--assets",
    join(tmp, "public"),
    "--var",
    "ADMIN_TOKEN:test-admin-token-0123456789",
    "--var",
    "SIGNING_SECRET:test-signing-secret-0123456789",
  ];
  dev = spawn(process.execPath, [join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js"), ...args], { cwd: ROOT, env: OFFLINE_ENV, stdio: "pipe" });
  let output = "";
  dev.stdout?.on("data", (d) => (output += d));
  dev.stderr?.on("data", (d) => (output += d));
  // wrangler dev answers within about 6 s on an idle two-core machine.
  const deadline = Date.now() + within(6_000);
  for (;;) {
    if (dev.exitCode !== null) throw new Error(`wrangler dev exited:\n${output}`);
    try {
      if ((await fetch(`${BASE}/api/config`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`wrangler dev did not answer:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}, within(15_000));

afterAll(() => {
  if (dev?.pid) dev.kill();
  rmSync(tmp, { recursive: true, force: true });
});

const location = async (path: string) => {
  const res = await fetch(`${BASE}${path}`, { redirect: "manual" });
  return `${res.status} ${res.headers.get("location")?.replace(BASE, "") ?? ""}`.trim();
};

describe("a page that takes comments (imported from WordPress with comments open)", () => {
  it("shows them at its own address, takes new ones, and its /posts/ address leads there", { timeout: within(1_000) }, async () => {
    expect(await location("/posts/about/")).toBe("301 /about/");
    expect(await location("/posts/about/?reply_to=3")).toBe("301 /about/?reply_to=3");
    expect(await location("/about")).toBe("301 /about/");
    const before = await (await fetch(`${BASE}/about/`)).text();
    expect(before).toContain("I write here.");
    expect(before).toContain('<form class="comment-form" method="post" action="/api/posts/about/comments"');
    const posted = await fetch(`${BASE}/api/posts/about/comments`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ author_name: "Lucie", content: "Merci pour cette page.", fill_ms: 6000 }),
    });
    expect(posted.status).toBe(202);
    const id = ((await posted.json()) as { comment: { id: number } }).comment.id;
    const approved = await fetch(`${BASE}/api/admin/comments/${id}/approve`, {
      method: "POST",
      headers: { Authorization: "Bearer test-admin-token-0123456789" },
    });
    expect(approved.status).toBe(200);
    const after = await (await fetch(`${BASE}/about/`)).text();
    expect(after).toContain(`id="comment-${id}" class="comment"`);
    expect(after).toContain("Merci pour cette page.");
    // Still a page: not on the home page, in the feed or the list of posts.
    expect(await (await fetch(`${BASE}/`)).text()).not.toContain('href="/about/"');
    expect(((await (await fetch(`${BASE}/api/posts`)).json()) as { posts: { slug: string }[] }).posts.map((p) => p.slug)).not.toContain("about");
  });
});

describe("the old blog's listings, through the assets layer and the Worker", () => {
  it("categories, tags, dates, feeds and search answer 301 to billet's pages; their pages too", { timeout: within(1_000) }, async () => {
    expect(await location("/category/travel/")).toBe("301 /categories/travel/");
    expect(await location("/category/travel/page/2/")).toBe("301 /categories/travel/");
    expect(await location("/tag/sea/feed/")).toBe("301 /tags/sea/feed.xml");
    expect(await location("/2009/07/")).toBe("301 /archives/2009/07/");
    expect(await location("/2009/07/14/")).toBe("301 /archives/2009/07/");
    expect(await location("/feed/")).toBe("301 /feed.xml");
    expect(await location("/comments/feed/")).toBe("301 /comments.xml");
    expect(await location("/?s=mer")).toBe("301 /search?q=mer");
    expect(await location("//category/travel/")).toBe("301 /categories/travel/");
    expect(await location("/2031/01/")).toBe("404");
  });

  it("a blog in a folder: its Greek tag in either case of escapes, its category, its home's pages, its search", { timeout: within(1_000) }, async () => {
    const tag = termPath("tags", "Ελλάδα");
    const follow = async (path: string) => {
      // An old link in lower case first gets the assets layer's 307 to the upper-case form.
      const first = await fetch(`${BASE}${path}`, { redirect: "manual" });
      if (first.status !== 307) return `${first.status} ${first.headers.get("location")?.replace(BASE, "") ?? ""}`.trim();
      return location(first.headers.get("location")!.replace(BASE, ""));
    };
    expect(await follow("/blog/tag/%CE%B5%CE%BB%CE%BB%CE%AC%CE%B4%CE%B1/")).toBe(`301 ${tag}`);
    expect(await follow("/blog/tag/%ce%b5%ce%bb%ce%bb%ce%ac%ce%b4%ce%b1/")).toBe(`301 ${tag}`);
    expect(await follow("/blog/tag/%ce%b5%ce%bb%ce%bb%ce%ac%ce%b4%ce%b1/page/2/")).toBe(`301 ${tag}`);
    expect(await location("/blog/category/voyages/grece/")).toBe("301 /categories/grece/");
    expect(await location("/blog/2011/03/05/")).toBe("301 /archives/2011/03/");
    expect(await location("/blog/page/3/")).toBe("301 /page/3/");
    expect(await location("/blog/?s=grece")).toBe("301 /search?q=grece");
    expect(await location("/blog/feed/")).toBe("301 /feed.xml");
  });
});

describe("old addresses of imported posts and pages, through the Worker", () => {
  it("answer 301 to their billet address: permalinks, ?p=, ?page_id=, /index.php?p=, feeds, renamed slugs", { timeout: within(1_000) }, async () => {
    expect(await location("/2009/07/14/summer_and_the_sea/")).toBe("301 /posts/summer-and-the-sea/");
    expect(await location("/2009/07/14/summer_and_the_sea/feed/")).toBe("301 /posts/summer-and-the-sea/comments.xml");
    // As a browser sends it (an old link written in lower case first gets a 307 to this form).
    expect(await location("/2010/08/01/%C3%A9t%C3%A9-a-paris/")).toBe("301 /posts/ete-a-paris/");
    expect(await location("/?p=10")).toBe("301 /posts/summer-and-the-sea/");
    expect(await location("/index.php?p=11")).toBe("301 /posts/ete-a-paris/");
    expect(await location("/?page_id=2")).toBe("301 /about/");
    // An old post number that was not imported is not the home page.
    expect(await location("/?p=999")).toBe("404");
    // What is not an old address is the page it always was.
    expect(await location("/?utm_source=x")).toBe("200");
    expect(await location("/")).toBe("200");
    expect(await location("/about/")).toBe("200");
    expect(await location("/posts/summer-and-the-sea/")).toBe("200");
    expect(await location("/2009/07/14/no-such-post/")).toBe("404");
  });

  it("answer 301 where no file is: a blog's old folder (/blog/?p=10, /blog/index.php?p=10), old paths beyond _redirects; else the 404 page", {
    timeout: within(1_000),
  }, async () => {
    expect(await location("/blog/?p=10")).toBe("301 /posts/summer-and-the-sea/");
    expect(await location("/blog/index.php?p=10&utm_source=x")).toBe("301 /posts/summer-and-the-sea/");
    expect(await location("/blog?p=10")).toBe("301 /posts/summer-and-the-sea/");
    expect(await location("/archives/%C3%A9t%C3%A9.html")).toBe("301 /posts/ete-a-paris/");
    expect(await location("/blog/?p=11")).toBe("404");
    const missing = await fetch(`${BASE}/wp-login.php`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("<html");
    // Files are still files, and pages pages.
    expect(await location("/feed.xml")).toBe("200");
    expect(await location("/sitemap.xml")).toBe("200");
  });
});
