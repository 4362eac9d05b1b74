// The build's output (from `npm run build`): pages, feed, sitemap, robots, 404, KV records and seed, as the author deploys them.
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/content.ts";

const SLUG = "reseaux-sociaux-trois-ans-apres";
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
// The seed as the author wrote it, kept beside the tests (byte for byte).
const seedText = read(`test/fixtures/seed/${SLUG}.txt`);

// `npm test` builds before any test runs (a build here would race the Worker tests reading public/).

describe("the seed post", () => {
  it("keeps the French text faithfully, accents and typographic quotes included", () => {
    const md = read(`content/posts/${SLUG}.md`);
    const paragraphs = seedText
      .split("Vos réactions")[0]
      .split("\n\n")
      .slice(1)
      .map((p) => p.trim())
      .filter(Boolean);
    expect(paragraphs.length).toBe(5);
    for (const p of paragraphs) expect(md.replace(/\\\*/g, "*").replace(/^> /m, "")).toContain(p);
    expect(md).toMatch(/^date: 2008-03-/m);
    expect(md).toMatch(/^lang: fr$/m);
  });

  it("has the six comments of the seed, in order, anonymous", () => {
    const comments = JSON.parse(read(`content/comments/${SLUG}.json`)) as { author_name: string; content: string; created_at: string }[];
    expect(comments).toHaveLength(6);
    const blocks = seedText
      .split("Vos réactions")[1]
      .split(/\n\s*\d\.\s*---\s*\n/)
      .slice(1);
    blocks[5] = blocks[5].split("Laissez un commentaire")[0];
    comments.forEach((c, i) => {
      const lines = blocks[i]
        .trim()
        .split("\n")
        .map((l) => l.trim());
      expect(c.content).toBe(lines.join("\n"));
      expect(c.author_name).toBe("Anonyme");
      expect(c.created_at.startsWith("2008-03")).toBe(true);
    });
  });
});

describe("npm run build", () => {
  it("pre-renders the post page with a comments section the Worker fills", () => {
    const html = read(`public/posts/${SLUG}/index.html`);
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('<section id="comments" class="comments" aria-labelledby="comments-title">');
    expect([...html.matchAll(/<li id="comment-\d+" class="comment"/g)]).toHaveLength(6);
    expect(html).toContain('<script src="/widget.js" defer></script>');
    // No inline script; the one data block is the JSON-LD, inside the section the Worker fills.
    expect(html).not.toMatch(/<script(?![^>]*src=)(?! type="application\/ld\+json">)/);
    const jsonLd = [...html.matchAll(/<script type="application\/ld\+json">([^<]*)<\/script>/g)];
    expect(jsonLd).toHaveLength(1);
    expect(html.indexOf(jsonLd[0][0])).toBeGreaterThan(html.indexOf('<section id="comments"'));
    const posting = JSON.parse(jsonLd[0][1])["@graph"][0];
    expect(posting).toMatchObject({ "@type": "BlogPosting", headline: "Réseaux sociaux, trois ans après", commentCount: 6 });
    expect(posting.comment).toHaveLength(6);
    expect(html).not.toMatch(/style="/);
  });

  it("writes the home page, 404 page, robots.txt and the widget", () => {
    expect(read("public/index.html")).toContain(`href="/posts/${SLUG}/"`);
    expect(read("public/404.html")).toContain("Page introuvable");
    expect(read("public/robots.txt")).toContain("Sitemap: https://");
    expect(existsSync(join(ROOT, "public/widget.js"))).toBe(true);
  });

  it("writes a valid Atom feed with the post", () => {
    const xml = read("public/feed.xml");
    expect(XMLValidator.validate(xml)).toBe(true);
    const feed = new XMLParser({ ignoreAttributes: false }).parse(xml).feed;
    expect(feed["@_xmlns"]).toBe("http://www.w3.org/2005/Atom");
    const entry = Array.isArray(feed.entry) ? feed.entry[0] : feed.entry;
    expect(entry.title).toBe("Réseaux sociaux, trois ans après");
    expect(entry.id).toMatch(new RegExp(`/posts/${SLUG}/$`));
    expect(entry.published.startsWith("2008-03")).toBe(true);
  });

  it("writes a valid sitemap", () => {
    const xml = read("public/sitemap.xml");
    expect(XMLValidator.validate(xml)).toBe(true);
    const urls = new XMLParser().parse(xml).urlset.url;
    expect(urls.map((u: { loc: string }) => u.loc).some((l: string) => l.endsWith(`/posts/${SLUG}/`))).toBe(true);
  });

  it("writes the KV records in wrangler's bulk format", () => {
    const kv = JSON.parse(read("build/kv-posts.json")) as { key: string; value: string }[];
    const post = JSON.parse(kv.find((r) => r.key === `post:${SLUG}`)!.value);
    expect(post).toMatchObject({ slug: SLUG, lang: "fr", comments_open: true, url: `/posts/${SLUG}/`, author: "Arnaud" });
    expect(post.html).toBeUndefined();
    expect(JSON.parse(kv.find((r) => r.key === "posts:index")!.value)).toHaveLength(1);
  });

  it("writes seed SQL that inserts each comment once, whatever the number of runs", () => {
    const sql = read("build/seed.sql");
    const lines = sql.trim().split(/;\n(?=INSERT)/);
    expect(lines).toHaveLength(6);
    expect(lines.every((l) => l.startsWith("INSERT OR IGNORE INTO comments (id,"))).toBe(true);
    expect(sql).toContain("’");
  });
});
