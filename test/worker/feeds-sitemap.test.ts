// What feed readers and search engines fetch: every feed as Atom with every link from the site's
// configured address (never the request's host), the site's latest comments each linking to its
// anchor on the right page of comments, and the sitemap whose lastmod moves when a comment is approved.
import { exports } from "cloudflare:workers";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { latestComments, openDb, postFeedComments } from "../../workers/db/comments.ts";
import { withChanges } from "../../workers/routes/sitemap.ts";
import { approve, call, fetchWith, postJson, SLUG, uniqueComment } from "./helpers.ts";

const SITE = "https://billet.example.com";
const POST_URL = `${SITE}/posts/${SLUG}/`;
const ATOM = "application/atom+xml; charset=utf-8";

/** A request as if the site were reached by another name (a workers.dev address, a proxy's Host). */
const elsewhere = (path: string, init: RequestInit = {}) => exports.default.fetch(new Request(`https://other-host.example${path}`, init));

/** Every address a feed or sitemap holds. */
const addresses = (xml: string) => [...xml.matchAll(/(?:href="|<id>|<loc>)([^"<]+)/g)].map((m) => m[1].replace(/&amp;/g, "&"));

const insert = env.DB.prepare(
  "INSERT INTO comments (post_slug, parent_id, root_id, depth, author_name, content, html, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
);
async function addComment(opts: { parent?: number; root?: number; name: string; at: number; status?: string }): Promise<number> {
  const row = await insert
    .bind(
      SLUG,
      opts.parent ?? null,
      opts.root ?? null,
      opts.parent ? 1 : 0,
      opts.name,
      opts.name,
      `<p>${opts.name}</p>`,
      opts.status ?? "approved",
      opts.at,
      opts.at,
    )
    .first<{ id: number }>();
  return row!.id;
}

describe("feeds", () => {
  it("serves the post's comments feed as Atom, its links from the site's address whatever the host asked", async () => {
    const res = await elsewhere(`/posts/${SLUG}/comments.xml`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe(ATOM);
    const xml = await res.text();
    const links = addresses(xml);
    expect(links.length).toBeGreaterThan(6);
    for (const link of links) expect(link.startsWith(`${SITE}/`)).toBe(true);
    expect(xml).not.toContain("other-host");
    expect(xml).toContain(`<link href="${POST_URL}comments.xml" rel="self"/>`);
    expect(xml).toContain(`<link href="${POST_URL}#comment-1"/>`);
    // An entity tag, and 304 for a reader who has it.
    const etag = res.headers.get("ETag")!;
    expect(etag).toMatch(/^"[0-9a-f]+"$/);
    expect((await elsewhere(`/posts/${SLUG}/comments.xml`, { headers: { "If-None-Match": etag } })).status).toBe(304);
  });

  it("serves the static feeds as Atom too, and the pages link every feed from <head>", async () => {
    const feed = await elsewhere("/feed.xml");
    expect(feed.status).toBe(200);
    expect(feed.headers.get("Content-Type")).toBe(ATOM);
    const xml = await feed.text();
    expect(xml).not.toContain("other-host");
    for (const link of addresses(xml)) expect(new URL(link).origin).toBe(SITE);
    const page = await (await call(`/posts/${SLUG}/`)).text();
    const head = page.slice(0, page.indexOf("</head>"));
    expect(head).toContain('<link rel="alternate" type="application/atom+xml" title="Le blog d’Arnaud" href="/feed.xml">');
    expect(head).toContain('<link rel="alternate" type="application/atom+xml" title="Les derniers commentaires · Le blog d’Arnaud" href="/comments.xml">');
    expect(head).toContain(`href="/posts/${SLUG}/comments.xml">`);
    const home = await (await elsewhere("/")).text();
    expect(home).toContain('href="/comments.xml"');
  });

  it("serves the site's latest approved comments, newest first, each linking to its anchor on the page of comments that shows it", async () => {
    // 130 threads written long ago (pages 1 to 3 of 50 threads), then new comments in an odd order
    // of dates: replies to threads of page 3 and page 1, a new thread, one waiting and one spam.
    const old = Date.parse("2015-01-01T00:00:00Z");
    const roots: number[] = [];
    for (let i = 0; i < 130; i++) roots.push(await addComment({ name: `Ancien ${i}`, at: old + i }));
    const now = Date.parse("2030-06-01T12:00:00Z");
    const onPage3 = await addComment({ parent: roots[120], root: roots[120], name: "Sur la page trois", at: now + 2_000 });
    const onPage1 = await addComment({ parent: roots[0], root: roots[0], name: "Sur la page un", at: now + 5_000 });
    const newThread = await addComment({ name: "Nouveau fil", at: now + 1_000 });
    const waiting = await addComment({ name: "En attente", at: now + 9_000, status: "pending" });
    const spam = await addComment({ name: "Pourriel", at: now + 8_000, status: "spam" });
    // Approved through the API: it was written first and comes by its date, not its approval.
    const res = await postJson(`/api/posts/${SLUG}/comments`, uniqueComment({ author_name: "Approuvée ensuite" }));
    const approvedLater = ((await res.json()) as { comment: { id: number } }).comment.id;
    await approve(approvedLater);

    const feed = await elsewhere("/comments.xml");
    expect(feed.status).toBe(200);
    expect(feed.headers.get("Content-Type")).toBe(ATOM);
    expect(feed.headers.get("Cache-Control")).toBe("public, max-age=60");
    const xml = await feed.text();
    expect(xml).toContain('<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">');
    expect(xml).toContain("<title>Les derniers commentaires · Le blog d’Arnaud</title>");
    expect(xml).toContain(`<link href="${SITE}/comments.xml" rel="self"/>`);
    expect(xml).not.toContain("other-host");
    for (const link of addresses(xml)) expect(link.startsWith(`${SITE}/`)).toBe(true);

    const entries = [...xml.matchAll(/<entry>[\s\S]*?<link href="([^"]+)"\/>[\s\S]*?<published>([^<]+)<\/published>[\s\S]*?<\/entry>/g)].map((m) => ({
      link: m[1].replace(/&amp;/g, "&"),
      published: m[2],
    }));
    expect(entries).toHaveLength(50);
    const ids = entries.map((e) => Number(e.link.split("#comment-")[1]));
    expect(ids.slice(0, 3)).toEqual([onPage1, onPage3, newThread]);
    expect(ids).not.toContain(waiting);
    expect(ids).not.toContain(spam);
    expect(ids).toContain(approvedLater);
    const times = entries.map((e) => Date.parse(e.published));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(xml).toContain("<title>Sur la page trois sur « Réseaux sociaux, trois ans après »</title>");

    // Each link opens the page of comments that holds its anchor.
    expect(entries[0].link).toBe(`${POST_URL}#comment-${onPage1}`);
    expect(entries[1].link).toBe(`${POST_URL}?page=3#comment-${onPage3}`);
    for (const { link } of entries.slice(0, 12)) {
      const url = new URL(link);
      const html = await (await call(`${url.pathname}${url.search}`)).text();
      expect(html).toContain(`<li id="comment-${url.hash.slice("#comment-".length)}" class="comment"`);
    }
  });

  it("is kept for the site's and the post's state: a comment approved shows in both feeds at once", async () => {
    const site = await (await call("/comments.xml")).text();
    const post = await (await call(`/posts/${SLUG}/comments.xml`)).text();
    expect(await (await call("/comments.xml")).text()).toBe(site);
    const res = await postJson(`/api/posts/${SLUG}/comments`, uniqueComment({ author_name: "Toute fraîche" }));
    const { comment } = (await res.json()) as { comment: { id: number } };
    // Waiting: not in the feeds, which are the same.
    expect(await (await call("/comments.xml")).text()).toBe(site);
    expect(await (await call(`/posts/${SLUG}/comments.xml`)).text()).toBe(post);
    await approve(comment.id);
    expect(await (await call("/comments.xml")).text()).toContain(`#comment-${comment.id}"/>`);
    expect(await (await call(`/posts/${SLUG}/comments.xml`)).text()).toContain(`#comment-${comment.id}"/>`);
  });

  it("reads the feeds on their indexes, each post's comments once, in one statement", async () => {
    const plan = async (query: { toSQL(): { sql: string; params: unknown[] } }) => {
      const { sql, params } = query.toSQL();
      const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .bind(...params)
        .all<{ detail: string }>();
      return results.map((r) => r.detail).join("\n");
    };
    // The latest on their index; then one pass over their posts' approved comments, in thread order
    // (a rank, no count per comment, no scan of the table).
    const site = await plan(latestComments(openDb(env.DB), 50));
    expect(site).toContain("SEARCH comments USING COVERING INDEX comments_status_created (status=?)");
    expect(site).toContain("SEARCH comments USING INDEX comments_post_status_thread (post_slug=? AND status=?)");
    expect(site).not.toMatch(/CORRELATED|SCAN comments\b/);
    const post = await plan(postFeedComments(openDb(env.DB), SLUG, 50));
    expect(post).toContain("SEARCH comments USING INDEX comments_post_status_thread (post_slug=? AND status=?)");
    expect(post).not.toMatch(/CORRELATED|SCAN comments\b/);
  });
});

describe("the sitemap", () => {
  const lastmodOf = (xml: string, loc: string) => new RegExp(`<url><loc>${loc.replace(/[.?]/g, "\\$&")}</loc><lastmod>([^<]+)</lastmod></url>`).exec(xml)?.[1];

  it("moves a post's lastmod when a comment is approved, and keeps the built one when it is later", async () => {
    await env.DB.prepare("UPDATE post_versions SET changed_at = ? WHERE post_slug = ?").bind(Date.parse("2000-01-01T00:00:00Z"), SLUG).run();
    const built = await (await elsewhere("/sitemap.xml")).text();
    expect(lastmodOf(built, POST_URL)).toBe("2008-03-17");

    await env.DB.prepare("UPDATE post_versions SET changed_at = ? WHERE post_slug = ?").bind(Date.parse("2010-05-06T07:08:09.500Z"), SLUG).run();
    const res = await elsewhere("/sitemap.xml");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/xml; charset=utf-8");
    const xml = await res.text();
    expect(lastmodOf(xml, POST_URL)).toBe("2010-05-06T07:08:09Z");
    expect(xml).not.toContain("other-host");
    for (const loc of addresses(xml)) expect(loc.startsWith(`${SITE}/`)).toBe(true);
    // The home page's entry is the build's.
    expect(lastmodOf(xml, `${SITE}/`)).toBe(lastmodOf(built, `${SITE}/`));

    const posted = await postJson(`/api/posts/${SLUG}/comments`, uniqueComment());
    const { comment } = (await posted.json()) as { comment: { id: number } };
    // Held: the page has not changed, nor has the sitemap.
    expect(lastmodOf(await (await elsewhere("/sitemap.xml")).text(), POST_URL)).toBe("2010-05-06T07:08:09Z");
    const before = Math.floor(Date.now() / 1000) * 1000;
    await approve(comment.id);
    const moved = lastmodOf(await (await elsewhere("/sitemap.xml")).text(), POST_URL)!;
    expect(moved).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Date.parse(moved)).toBeGreaterThanOrEqual(before);
  });

  it("is the built file when D1 cannot be read", async () => {
    const broken = {
      prepare() {
        throw new Error("D1_ERROR: Network connection lost.");
      },
    } as unknown as D1Database;
    const res = await fetchWith({ DB: broken }, "/sitemap.xml");
    expect(res.status).toBe(200);
    const built = await (await env.ASSETS.fetch(new Request(`${SITE}/sitemap.xml`))).text();
    expect(await res.text()).toBe(built);
  });

  it("moves only the entries of posts that changed, among many, whatever their order", () => {
    const slugs = Array.from({ length: 300 }, (_, i) => `billet-${(i * 37) % 300}`);
    const xml = `<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n<url><loc>${SITE}/</loc><lastmod>2020-01-01</lastmod></url>\n${slugs
      .map((s, i) => `<url><loc>${SITE}/posts/${s}/</loc>${i % 10 ? "<lastmod>2020-01-01</lastmod>" : ""}</url>`)
      .join("\n")}\n<url><loc>${SITE}/tags/billet-1/</loc><lastmod>2020-01-01</lastmod></url>\n</urlset>\n`;
    const changed = new Map(slugs.filter((_, i) => i % 3 === 0).map((s) => [s, Date.parse("2021-02-03T04:05:06Z")]));
    changed.set("billet-1", Date.parse("2019-01-01T00:00:00Z"));
    const out = withChanges(xml, changed);
    for (const [i, s] of slugs.entries()) {
      const lastmod = lastmodOf(out, `${SITE}/posts/${s}/`);
      if (i % 3 === 0) expect(lastmod).toBe("2021-02-03T04:05:06Z");
      else if (i % 10) expect(lastmod).toBe("2020-01-01");
      else expect(out).toContain(`<url><loc>${SITE}/posts/${s}/</loc></url>`);
    }
    // A tag's page is not the post of the same name.
    expect(lastmodOf(out, `${SITE}/tags/billet-1/`)).toBe("2020-01-01");
    expect(out.split("<url>").length).toBe(xml.split("<url>").length);
  });
});
