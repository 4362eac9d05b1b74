// npm run import / npm run export: WordPress and Disqus exports read into rows (pure functions),
// the SQL run against SQLite (node:sqlite, with the real migrations), and once end to end through
// wrangler's local D1: import, import again, export, restore the export into a fresh database.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { DatabaseSync } from "node:sqlite";
import { parseFragment, type DefaultTreeAdapterTypes } from "parse5";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/content.ts";
import { runExport } from "../../scripts/export.ts";
import { parseArgs, runImport } from "../../scripts/import.ts";
import { detectFormat, parseBilletJson } from "../../scripts/import/formats.ts";
import { parseDisqus, parseWordPress } from "../../scripts/import/readers.ts";
import { htmlToMarkdown } from "../../scripts/import/html-to-markdown.ts";
import { normalizeRef, planImport, planSql, resolveSlug, type Plan, type PlannedComment } from "../../scripts/import/plan.ts";
import { prepareLocal } from "../../scripts/local.ts";
import { renderCommentHtml } from "../../workers/render/markdown.ts";
import { freshDb } from "./sqlite.ts";
import { within } from "../time-limit.ts";

const SLUG = "reseaux-sociaux-trois-ans-apres";
const FIXTURES = join(ROOT, "test", "fixtures", "import");
const fixture = (name: string) => readFileSync(join(FIXTURES, name), "utf8");
const POSTS = new Set([SLUG]);
const OPTS = { anonymous: "Anonyme", timeZone: "Europe/Paris" };
const IPS = ["203.0.113.7", "198.51.100.23", "192.0.2.44", "203.0.113.66", "203.0.113.99", "198.51.100.5", "198.51.100.6"];

const wpPlan = (map?: Record<string, string>, pingbacks = false) =>
  planImport(parseWordPress(fixture("wordpress.xml"), { ...OPTS, pingbacks }), { posts: POSTS, map });
const byKey = (plan: Plan, key: string): PlannedComment => {
  const row = plan.rows.find((r) => r.comment.importKey === key);
  if (!row) throw new Error(`no row ${key}`);
  return row;
};
const wp = (plan: Plan, id: number) => byKey(plan, `wordpress:ancien-blog.example.org:${id > 200 ? 57 : 42}:${id}`);
const dq = (plan: Plan, id: number) => byKey(plan, `disqus:ancienblog:7001:${id}`);

/** What a reader sees of some HTML: its text, entities decoded (markdown-it writes "<br>\n"). */
function visibleText(html: string): string {
  const walk = (n: DefaultTreeAdapterTypes.ChildNode): string =>
    n.nodeName === "#text"
      ? (n as DefaultTreeAdapterTypes.TextNode).value
      : n.nodeName === "br"
        ? ""
        : "childNodes" in n
          ? n.childNodes.map(walk).join("")
          : "";
  return parseFragment(html).childNodes.map(walk).join("").trim();
}

/** Nothing that could run: no script element, no event handler attribute, no script URL. */
function expectInert(html: string): void {
  expect(html).not.toMatch(/<script|<img|<iframe|\son\w+\s*=|javascript:/i);
}

describe("WordPress (WXR)", () => {
  const plan = wpPlan();

  it("reads the post's comments, skips the thread of a post billet does not have, and leaves pingbacks out", () => {
    expect(plan.rows.map((r) => r.comment.sourceId)).toEqual(["42:101", "42:102", "42:103", "42:104", "42:105", "42:106", "42:107", "42:109"]);
    expect(plan.rows.every((r) => r.slug === SLUG)).toBe(true);
    expect(plan.skipped.map(({ label, comments }) => ({ label, comments }))).toEqual([
      { label: "http://www.ancien-blog.example.org/2008/04/02/un-autre-billet/", comments: 2 },
    ]);
    expect(parseWordPress(fixture("wordpress.xml"), OPTS).ignored).toEqual({ pingback: 1 });
    expect(wpPlan(undefined, true).rows).toHaveLength(9);
  });

  it("keeps the threading: parent, root and depth, and makes a reply to a missing comment top-level", () => {
    const [c101, c102, c103, c109, c107] = [wp(plan, 101), wp(plan, 102), wp(plan, 103), wp(plan, 109), wp(plan, 107)];
    expect([c101.parent, c101.root, c101.depth]).toEqual([null, null, 0]);
    expect([c102.parent, c102.root, c102.depth]).toEqual([c101, c101, 1]);
    expect([c103.parent, c103.root, c103.depth]).toEqual([c102, c101, 2]);
    expect([c109.parent, c109.root, c109.depth]).toEqual([c103, c101, 3]);
    expect([c107.parent, c107.depth]).toEqual([null, 0]);
    expect(plan.orphans).toBe(1);
  });

  it("maps approved, held, spam and trash to billet's statuses", () => {
    expect([101, 104, 105, 106].map((id) => wp(plan, id).comment.status)).toEqual(["approved", "pending", "spam", "deleted"]);
  });

  it("keeps dates (GMT, or the local date in the site's zone when WordPress has no GMT date)", () => {
    expect(wp(plan, 101).comment.createdAt).toBe(Date.UTC(2008, 2, 17, 13, 12, 0));
    // 2008-03-20 10:30 in Paris (UTC+1 in March before the change to summer time).
    expect(wp(plan, 107).comment.createdAt).toBe(Date.UTC(2008, 2, 20, 9, 30, 0));
  });

  it("keeps names, emails and websites, decodes entities, names the nameless, and drops non-web addresses", () => {
    expect(wp(plan, 101).comment).toMatchObject({ authorName: "José Martin", authorEmail: "jose@example.net", authorUrl: "http://jose.example.net/" });
    expect(wp(plan, 103).comment.authorUrl).toBe("http://lea.example.com");
    expect(wp(plan, 104).comment.authorUrl).toBeNull();
    expect(wp(plan, 106).comment.authorEmail).toBeNull();
    expect(wp(plan, 107).comment.authorName).toBe("Anonyme");
  });

  it("never keeps the commenters' IP addresses", () => {
    const everything = JSON.stringify(plan) + planSql(plan);
    for (const ip of IPS) expect(everything).not.toContain(ip);
    expect(plan.rows.every((r) => r.comment.ipHash === null)).toBe(true);
  });

  it("turns the HTML into Markdown: links, emphasis, quotes, code, paragraphs and line breaks, entities decoded", () => {
    const c101 = wp(plan, 101);
    expect(c101.comment.content).toBe(
      "Très juste. Voir [cette *étude*](http://example.com/etude?x=1&y=2) & mon billet…\nDeuxième ligne, l’apostrophe.\n\nNouveau paragraphe avec **du gras**.",
    );
    expect(c101.html).toBe(
      '<p>Très juste. Voir <a href="http://example.com/etude?x=1&amp;y=2" rel="nofollow ugc noopener">cette <em>étude</em></a> &amp; mon billet…<br>\nDeuxième ligne, l’apostrophe.</p>\n<p>Nouveau paragraphe avec <strong>du gras</strong>.</p>',
    );
    const c102 = wp(plan, 102);
    expect(c102.html).toContain("<blockquote>\n<p>Très juste.</p>\n</blockquote>");
    expect(c102.html).toContain("<code>a &lt; b</code>");
  });

  it("keeps what was plain text plain: asterisks and brackets do not become emphasis or links", () => {
    expect(wp(plan, 102).html).toContain("et *pas d'italique* ici, ni [un](lien).");
    expect(wp(plan, 102).html).not.toMatch(/<em>|href="lien"/);
  });

  it("makes script, event handlers and script links inert, keeping the text a reader saw", () => {
    const c104 = wp(plan, 104);
    expect(c104.comment.content).toBe("Salut clic\n\nfin \\<script>");
    expectInert(c104.html);
    expect(c104.html).not.toContain("alert");
    expect(visibleText(c104.html)).toBe("Salut clic\nfin <script>");
  });

  it("stores the HTML made by billet's renderer from the Markdown, for every comment", () => {
    for (const row of plan.rows) {
      expect(row.html).toBe(renderCommentHtml(row.comment.content));
      expectInert(row.html);
    }
  });

  it("imports a skipped thread onto a post with --map (address, path or other scheme)", () => {
    for (const from of [
      "http://www.ancien-blog.example.org/2008/04/02/un-autre-billet/",
      "/2008/04/02/un-autre-billet",
      "https://ancien-blog.example.org/2008/04/02/un-autre-billet",
    ]) {
      const mapped = wpPlan({ [from]: SLUG });
      expect(mapped.skipped).toEqual([]);
      expect(mapped.rows).toHaveLength(10);
      expect(wp(mapped, 202).parent).toBe(wp(mapped, 201));
    }
  });
});

describe("Disqus", () => {
  const parsed = parseDisqus(fixture("disqus.xml"), OPTS);
  const plan = planImport(parsed, { posts: POSTS });

  it("matches threads by their /posts/<slug>/ address, reports the unmatched one, ignores empty threads", () => {
    expect(plan.rows).toHaveLength(7);
    expect(plan.rows.every((r) => r.slug === SLUG)).toBe(true);
    expect(plan.skipped.map(({ label, comments }) => ({ label, comments }))).toEqual([
      { label: "https://ancien-blog.example.org/2012/04/un-autre-billet.html", comments: 1 },
    ]);
  });

  it("keeps the threading even when a reply comes before its parent in the file", () => {
    const [a, b, c] = [dq(plan, 9001), dq(plan, 9002), dq(plan, 9003)];
    expect([b.parent, b.depth]).toEqual([a, 1]);
    expect([c.parent, c.root, c.depth]).toEqual([b, a, 2]);
    const order = plan.rows.map((r) => r.comment.sourceId);
    expect(order.indexOf("7001/dsq:9001")).toBeLessThan(order.indexOf("7001/dsq:9002"));
    expect(order.indexOf("7001/dsq:9002")).toBeLessThan(order.indexOf("7001/dsq:9003"));
    expect([dq(plan, 9007).parent, dq(plan, 9007).depth]).toEqual([null, 0]);
  });

  it("maps spam and deleted, reads dates with or without a zone as UTC", () => {
    expect([9001, 9004, 9005].map((id) => dq(plan, id).comment.status)).toEqual(["approved", "spam", "deleted"]);
    expect(dq(plan, 9001).comment.createdAt).toBe(Date.UTC(2012, 2, 2, 19, 17, 52));
    expect(dq(plan, 9006).comment.createdAt).toBe(Date.UTC(2012, 2, 6, 12, 0, 0));
  });

  it("turns the message HTML into Markdown the renderer makes safe HTML of", () => {
    const c = dq(plan, 9001);
    expect(c.comment).toMatchObject({ authorName: "José", authorEmail: "jose@example.net" });
    expect(c.html).toBe(
      '<p>Hello <strong>gras</strong> &amp; <a href="https://example.com/page" rel="nofollow ugc noopener">un lien</a>\u00a0!</p>\n<p>Second paragraphe,<br>\nligne deux.</p>',
    );
    expect(dq(plan, 9002).html).toBe("<p><em>Réponse</em> à José.</p>");
    const hostile = dq(plan, 9006);
    expectInert(hostile.html);
    expect(visibleText(hostile.html)).toBe("Coucouclic <b>pas du HTML</b>");
    const everything = JSON.stringify(plan) + planSql(plan);
    for (const ip of IPS) expect(everything).not.toContain(ip);
  });
});

describe("HTML to Markdown", () => {
  // Plain text, as HTML, must read the same after the round trip through Markdown and the renderer.
  const plain = [
    "2 * 3 * 4 = 24, and **not bold**",
    "snake_case_name and _not italic_",
    "`not code` and ``double``",
    "[not](a-link) ![nor](an-image)",
    "<not a tag> a < b > c",
    "&amp; and &copy; written out",
    "> not a quote",
    "~~~ not a fence",
    "C:\\dir\\*.txt \\",
    "1. not a list\n# not a heading\n- nor a bullet",
    "see http://example.com/a_b_c*d and more",
  ];
  for (const text of plain) {
    it(`keeps ${JSON.stringify(text)} as text`, () => {
      const html = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
      for (const newlines of ["wordpress", "html"] as const) {
        const md = htmlToMarkdown(newlines === "html" ? html.replace(/\n/g, "<br>") : html, { newlines });
        expect(visibleText(renderCommentHtml(md))).toBe(text);
      }
    });
  }

  it("keeps code blocks, nested quotes and lists readable", () => {
    const md = htmlToMarkdown(
      "<blockquote><blockquote>deep</blockquote>outer</blockquote><pre><code>if (a &lt; b) {\n    x();\n}</code></pre><ul><li>one</li><li>two</li></ul>",
      { newlines: "html" },
    );
    expect(md).toBe("> > deep\n>\n> outer\n\n```\nif (a < b) {\n    x();\n}\n```\n\n- one\n- two");
    expect(renderCommentHtml(md)).toContain("<pre><code>if (a &lt; b) {\n    x();\n}\n</code></pre>");
  });

  it("drops links and images that are not web addresses, keeping their text", () => {
    expect(
      htmlToMarkdown(
        '<a href="javascript:alert(1)">a</a> <a href="/relative">b</a> <img src="data:image/png;base64,xx" alt="c"> <a href="mailto:x@example.com">d</a>',
        { newlines: "html" },
      ),
    ).toBe("a b c [d](mailto:x@example.com)");
  });
});

describe("matching threads to posts", () => {
  const thread = (refs: string[], slug?: string) => ({ label: refs[0] ?? "", refs, slug, comments: [] });
  it("uses --map first, then /posts/<slug>/, the last path segment, then the source's slug", () => {
    const posts = new Set(["a", "b", "c"]);
    expect(resolveSlug(thread(["https://old.example/posts/a/"]), { posts })).toBe("a");
    expect(resolveSlug(thread(["https://old.example/2010/05/b.html"]), { posts })).toBe("b");
    expect(resolveSlug(thread(["https://old.example/posts/a/index.html"]), { posts })).toBe("a");
    expect(resolveSlug(thread(["https://old.example/?p=12"], "c"), { posts })).toBe("c");
    expect(resolveSlug(thread(["https://old.example/?p=12"]), { posts })).toBeNull();
    expect(resolveSlug(thread(["https://old.example/?p=12"]), { posts, map: { "http://old.example/?p=12": "b" } })).toBe("b");
    expect(resolveSlug(thread(["https://old.example/posts/a/"]), { posts, map: { "/posts/a/": "c" } })).toBe("c");
    expect(normalizeRef("https://www.Old.example/Posts/%C3%A9t%C3%A9/#comments")).toBe("/posts/été");
  });

  it("reads the format from the file, and the command line", () => {
    expect(detectFormat(fixture("wordpress.xml"))).toBe("wordpress");
    expect(detectFormat(fixture("wxr-full.xml"))).toBe("wordpress");
    expect(detectFormat(fixture("disqus.xml"))).toBe("disqus");
    expect(detectFormat('{"format":"billet-comments"}')).toBe("json");
    expect(parseArgs(["x.xml", "--map", "http://a/?p=1=slug", "--map=/old/=b", "--dry-run", "--persist-to", "/tmp/d"])).toMatchObject({
      map: { "http://a/?p=1": "slug", "/old/": "b" },
      dryRun: true,
      remote: false,
      persistTo: "/tmp/d",
    });
    expect(() => parseArgs(["x.xml", "--remote", "--persist-to", "/tmp/d"])).toThrow(/local/);
  });
});

describe("a dry run", () => {
  it("reads a gzipped Disqus export as it comes and only writes the SQL", async () => {
    const dir = mkdtempSync(join(tmpdir(), "billet-dry-"));
    try {
      writeFileSync(join(dir, "disqus.xml.gz"), gzipSync(fixture("disqus.xml")));
      const lines: string[] = [];
      const r = await runImport(parseArgs([join(dir, "disqus.xml.gz"), "--dry-run", "--sql", join(dir, "out.sql")]), (l) => lines.push(l));
      expect(r.format).toBe("disqus");
      expect(r.added).toBeUndefined();
      expect(r.inFile.get(SLUG)).toEqual({ approved: 5, pending: 0, spam: 1, deleted: 1 });
      const sql = readFileSync(join(dir, "out.sql"), "utf8");
      const db = freshDb();
      db.exec(sql);
      expect(all(db)).toHaveLength(7);
      expect(lines.join("\n")).toContain("https://ancien-blog.example.org/2012/04/un-autre-billet.html  (1 comment)");
      expect(lines.join("\n")).toContain("npm run import -- disqus.xml.gz --map 'https://ancien-blog.example.org/2012/04/un-autre-billet.html=<slug>'");
      expect(lines.join("\n")).toContain("5 approved, 1 spam, 1 deleted");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("billet's JSON", () => {
  it("refuses a file that is not a billet export, and drops a website that is not a web address", () => {
    expect(() => parseBilletJson('{"comments": []}')).toThrow(/not a billet export/);
    const parsed = parseBilletJson(
      JSON.stringify({
        format: "billet-comments",
        version: 1,
        comments: [
          {
            id: 3,
            post_slug: SLUG,
            author_name: "X",
            author_url: "javascript:alert(1)",
            content: "hi",
            status: "approved",
            created_at: "2020-01-01T00:00:00.000Z",
          },
        ],
      }),
    );
    expect(parsed.threads[0].comments[0]).toMatchObject({ id: 3, authorUrl: null, createdAt: Date.UTC(2020, 0, 1) });
    expect(parsed.warnings).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
// The SQL against SQLite itself (D1 is SQLite), with the project's migrations.

type DbRow = Record<string, unknown> & { id: number; parent_id: number | null; root_id: number | null; import_key: string | null; created_at: number };
const all = (db: DatabaseSync) => db.prepare("SELECT * FROM comments ORDER BY id").all() as DbRow[];

/** The rows as billet's export writes them (what `npm run export` reads is SELECT *). */
function asExport(rows: DbRow[]): string {
  return JSON.stringify({ format: "billet-comments", version: 1, comments: rows });
}

describe("the import SQL", () => {
  it("adds each comment once, however often it runs, with parents and roots pointing at the right rows", () => {
    const db = freshDb();
    const sql = planSql(wpPlan());
    db.exec(sql);
    db.exec(sql);
    const rows = all(db);
    expect(rows).toHaveLength(8);
    const id = (wpId: number) => rows.find((r) => r.import_key === `wordpress:ancien-blog.example.org:42:${wpId}`)!;
    expect(id(109)).toMatchObject({ parent_id: id(103).id, root_id: id(101).id, depth: 3 });
    expect(id(102)).toMatchObject({ parent_id: id(101).id, root_id: id(101).id, depth: 1 });
    // The same export with more comments later: only the new ones come in.
    db.exec(planSql(wpPlan({ "/2008/04/02/un-autre-billet/": SLUG })));
    expect(all(db)).toHaveLength(10);
    expect(all(db).slice(0, 8)).toEqual(rows);
  });

  it("restores billet's own export: ids kept when free, moved (and found again) when taken, nothing doubled", () => {
    const source = freshDb();
    // A comment written on billet, with everything the Worker stores: the duplicate guard
    // (content_hash), the Idempotency-Key, the filter's score, reasons and training.
    source.exec(
      "INSERT INTO comments (post_slug, author_name, content, html, status, created_at, updated_at, content_hash, idempotency_key, spam_score, spam_reasons, trained_as, ip_hash, edit_token_hash) VALUES ('" +
        SLUG +
        "', 'Native', 'written here', '<p>written here</p>', 'approved', 1000, 1000, 'hash-of-native', 'idem-1', 0.125, '[\"word:here\"]', 'ham', 'iphash', 'tokenhash')",
    );
    source.exec(planSql(wpPlan()));
    const exported = all(source);
    const plan = (text: string) => planImport(parseBilletJson(text), { posts: POSTS });

    // Into the same database: nothing changes (the native comment is found by id and date).
    source.exec(planSql(plan(asExport(exported))));
    expect(all(source)).toEqual(exported);

    // Into an empty database: the same rows, the same ids, the duplicate guard included.
    const empty = freshDb();
    empty.exec(planSql(plan(asExport(exported))));
    expect(all(empty)).toEqual(exported);
    expect(() =>
      empty.exec(
        "INSERT INTO comments (post_slug, author_name, content, html, status, created_at, updated_at, content_hash) VALUES ('" +
          SLUG +
          "', 'Native', 'written here', '', 'approved', 2000, 2000, 'hash-of-native')",
      ),
    ).toThrow(/UNIQUE/);

    // Into a database whose ids are taken by other comments: new ids, the threads rebuilt, and a
    // second run adds nothing.
    const busy = freshDb();
    busy.exec(planSql(planImport(parseDisqus(fixture("disqus.xml"), OPTS), { posts: POSTS })));
    const sql = planSql(plan(asExport(exported)));
    busy.exec(sql);
    busy.exec(sql);
    const rows = all(busy);
    expect(rows).toHaveLength(7 + exported.length);
    const moved = rows.filter((r) => !String(r.import_key).startsWith("disqus:"));
    expect(moved.find((r) => r.content === "written here")).toMatchObject({
      content_hash: "hash-of-native",
      idempotency_key: "idem-1",
      spam_score: 0.125,
      trained_as: "ham",
    });
    const strip = (r: DbRow) => ({ ...r, id: 0, parent_id: 0, root_id: 0, thread_id: 0, import_key: 0 });
    expect(moved.map(strip)).toEqual(exported.map(strip));
    expect(moved.find((r) => r.content === "written here")!.import_key).toBe(`billet:${exported[0].id}:1000`);
    const byOld = new Map(exported.map((r, i) => [r.id, moved[i].id]));
    moved.forEach((r, i) => {
      expect(r.parent_id).toBe(exported[i].parent_id === null ? null : byOld.get(exported[i].parent_id!));
      expect(r.root_id).toBe(exported[i].root_id === null ? null : byOld.get(exported[i].root_id!));
    });
  });
});

// ---------------------------------------------------------------------------------------------
// End to end through wrangler's local D1 (few wrangler runs: each costs seconds).

const tmp = mkdtempSync(join(tmpdir(), "billet-import-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("npm run import / export with the local D1", () => {
  it("imports a WordPress export, twice without doubling, exports everything, and restores it into a fresh database", { timeout: within(50_000) }, async () => {
    const first = join(tmp, "first");
    const second = join(tmp, "second");
    const quiet = () => {};
    await prepareLocal({ persistTo: first, build: false, quiet: true });

    const content = join(tmp, "content");
    cpSync(join(ROOT, "content"), content, { recursive: true });
    const opts = parseArgs([join(FIXTURES, "wordpress.xml"), "--persist-to", first, "--sql", join(tmp, "wp.sql"), "--content", content]);
    const once = await runImport(opts, quiet);
    expect(once.added?.get(SLUG)).toEqual({ approved: 5, pending: 1, spam: 1, deleted: 1 });
    const twice = await runImport(opts, quiet);
    expect(twice.added?.get(SLUG)).toEqual({ approved: 0, pending: 0, spam: 0, deleted: 0 });

    const exportA = join(tmp, "a.json");
    expect(runExport({ remote: false, persistTo: first, out: exportA }, quiet).count).toBe(6 + 10);
    const a = JSON.parse(readFileSync(exportA, "utf8")) as { format: string; comments: Record<string, unknown>[] };
    expect(a.format).toBe("billet-comments");
    expect(a.comments.map((c) => c.status).sort()).toEqual([...Array(13).fill("approved"), "deleted", "pending", "spam"].sort());
    // The seed's comments come first, found by their key (no fixed id).
    expect(a.comments.slice(0, 6).map((c) => c.import_key)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `seed:${SLUG}:${i}`));
    const reply = a.comments.find((c) => c.import_key === "wordpress:ancien-blog.example.org:42:109")!;
    const parent = a.comments.find((c) => c.import_key === "wordpress:ancien-blog.example.org:42:103")!;
    const root = a.comments.find((c) => c.import_key === "wordpress:ancien-blog.example.org:42:101")!;
    expect(reply).toMatchObject({ parent_id: parent.id, root_id: root.id, depth: 3, created_at: "2008-03-22T17:00:00.000Z", ip_hash: null });
    expect(root).toMatchObject({ author_email: "jose@example.net", author_name: "José Martin" });
    expect(JSON.stringify(a)).not.toContain("203.0.113.7");

    // The backup into a database that has nothing yet (the import applies the migrations).
    const restored = await runImport(parseArgs([exportA, "--persist-to", second, "--sql", join(tmp, "restore.sql"), "--content", content]), quiet);
    expect(restored.format).toBe("json");
    expect(restored.added?.get(SLUG)).toEqual({ approved: 11, pending: 1, spam: 1, deleted: 1 });
    // Seeding that database now adds nothing: the restored seed comments are found by their key.
    await prepareLocal({ persistTo: second, build: false, quiet: true });
    const exportB = join(tmp, "b.json");
    runExport({ remote: false, persistTo: second, out: exportB }, quiet);
    const b = JSON.parse(readFileSync(exportB, "utf8")) as { comments: unknown[] };
    expect(b.comments).toEqual(a.comments);
  });
});
