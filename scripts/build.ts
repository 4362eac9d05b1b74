// npm run build: content/ → public/ (pages, feed, sitemap, widget) and build/ (KV records, seed SQL).
// buildSite() can also build another content folder into other folders (the model tests' site).
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bundleBrowserScript } from "./bundle.ts";
import { renderCommentHtml } from "../workers/render/markdown.ts";
import type { ThreadComment } from "../workers/render/comments.ts";
import { POST_INDEX_KEY, postKey, type PostRecord } from "../workers/store/posts.ts";
import { CONTENT, readPages, readPosts, readSeedComments, readSite, ROOT, type Page, type Post, type SeedComment } from "./content.ts";
import { buildAdmin } from "./admin-page.ts";
import { readArchiveAddresses } from "./import/archive-addresses.ts";
import { buildRedirects } from "./redirects.ts";
import { collectArchives, collectTerms, neighbours, pagesOf, relatedPosts } from "./explore.ts";
import { archivePath, termFeedPath, termIndexPath, termPath, type TermKind } from "../workers/render/addresses.ts";
import {
  archiveIndexPage,
  atomFeed,
  DEFAULT_POSTS_PER_PAGE,
  homePage,
  monthPage,
  notFoundPage,
  pagePage,
  postPage,
  robots,
  searchPage,
  sitemap,
  termIndexPage,
  termPage,
  yearPage,
  type SitemapEntry,
} from "./templates.ts";
import { headersFile } from "./headers.ts";
import { placeMedia, type R2Medium } from "./media.ts";
import { SEARCH_SQL_FILE, searchIndexSql, searchTexts } from "./search-index.ts";

/** Posts in the site's Atom feed: the newest ones. */
export const FEED_SIZE = 50;
/** Posts in a tag's or category's Atom feed. */
export const TERM_FEED_SIZE = 20;

/** The file of an address: `/tags/x/` → `<public>/tags/x/index.html`, `/tags/x/feed.xml` as is. */
const fileOf = (publicDir: string, path: string) => join(publicDir, ...path.split("/").filter(Boolean), ...(path.endsWith("/") ? ["index.html"] : []));

// Folders made by this build (a large site writes thousands of files: each folder is made once).
const made = new Set<string>();
function write(path: string, text: string): void {
  const dir = join(path, "..");
  if (!made.has(dir)) {
    mkdirSync(dir, { recursive: true });
    made.add(dir);
  }
  // Whole or not at all: tests build in parallel while wrangler reads build/ (kv-posts.json, the
  // search SQL), and a reader must never see a half-written file.
  const part = `${path}.${process.pid}-${Math.random().toString(36).slice(2)}.part`;
  writeFileSync(part, text);
  renameSync(part, path);
}

export interface SeedRow {
  /** The id the comment gets in a fresh database (seeded first, in order); not fixed by the SQL. */
  id: number;
  /** How the seed finds its comment again, whatever id it got: "seed:<slug>:<index>". */
  importKey: string;
  slug: string;
  parentId: number | null;
  rootId: number | null;
  depth: number;
  comment: SeedComment;
  html: string;
  createdAt: number;
}

/**
 * Seed comments, in order (posts by slug, then as listed), each with its import key: seeding twice
 * changes nothing, and no id is fixed, so comments already in the database (an import into a fresh
 * database) never hide them. In a fresh database they are the first, so their ids are 1, 2, …
 */
export function seedRows(posts: Post[], content = CONTENT): SeedRow[] {
  const rows: SeedRow[] = [];
  let next = 1;
  for (const post of [...posts].sort((a, b) => a.slug.localeCompare(b.slug))) {
    const first = next;
    for (const [i, comment] of readSeedComments(post.slug, content).entries()) {
      const parent = comment.reply_to !== undefined ? rows.find((r) => r.id === first + comment.reply_to!) : undefined;
      rows.push({
        id: next++,
        importKey: `seed:${post.slug}:${i}`,
        slug: post.slug,
        parentId: parent?.id ?? null,
        rootId: parent ? (parent.rootId ?? parent.id) : null,
        depth: parent ? parent.depth + 1 : 0,
        comment,
        html: renderCommentHtml(comment.content),
        createdAt: Date.parse(comment.created_at) || Date.parse("2008-01-01") + i,
      });
    }
  }
  return rows;
}

const sql = (v: string | number | null) => (v === null ? "NULL" : typeof v === "number" ? String(v) : `'${v.replace(/'/g, "''")}'`);

/**
 * One statement a comment, inserted unless it is there: found by its import key, or (seeded by an
 * older billet, which fixed ids and kept no key) by post, text and date. Its parent is found the
 * same way.
 */
function seedSql(rows: SeedRow[]): string {
  const match = (r: SeedRow) =>
    `import_key = ${sql(r.importKey)} OR (import_key IS NULL AND post_slug = ${sql(r.slug)} AND content = ${sql(r.comment.content)} AND created_at = ${r.createdAt})`;
  const byId = new Map(rows.map((r) => [r.id, r]));
  const ref = (id: number | null) => (id === null ? "NULL" : `(SELECT id FROM comments WHERE ${match(byId.get(id)!)} LIMIT 1)`);
  return rows
    .map(
      (r) =>
        `INSERT OR IGNORE INTO comments (id, post_slug, parent_id, root_id, depth, author_name, author_email, author_url, content, html, status, created_at, updated_at, import_key) SELECT ${[
          "NULL",
          sql(r.slug),
          ref(r.parentId),
          ref(r.rootId),
          r.depth,
          sql(r.comment.author_name),
          sql(r.comment.author_email ?? null),
          sql(r.comment.author_url ?? null),
          sql(r.comment.content),
          sql(r.html),
          sql("approved"),
          r.createdAt,
          r.createdAt,
          sql(r.importKey),
        ].join(", ")} WHERE NOT EXISTS (SELECT 1 FROM comments WHERE ${match(r)});`,
    )
    .join("\n");
}

export interface BuildOptions {
  /** The content folder (site.json, posts/, comments/). */
  content?: string;
  /** Where the pages, feeds and scripts go. */
  public?: string;
  /** Where the KV records and the seed go. */
  build?: string;
  /** Bundle the widget and the moderation page (false: pages, feeds and records only, faster). */
  scripts?: boolean;
}

export async function buildSite(options: BuildOptions = {}): Promise<{
  posts: Post[];
  pages: Page[];
  seeds: SeedRow[];
  redirects: { static: number; dynamic: number; query: number; dropped: string[] };
  media: { assets: number; r2: R2Medium[] };
}> {
  const { content = CONTENT, public: publicDir = join(ROOT, "public"), build: buildDir = join(ROOT, "build"), scripts = true } = options;
  const site = readSite(content);
  const posts = readPosts(site, content);
  const pages = readPages(site, content);
  const seeds = seedRows(posts, content);
  const taken = new Set(posts.map((p) => p.slug));
  for (const page of pages) if (taken.has(page.slug)) throw new Error(`pages/${page.slug}.md: a post has the same slug; rename one of them`);

  // What the last build wrote (pages of the home page, pages) goes, so nothing stale is served.
  const listFile = join(buildDir, "public-pages.json");
  let previous: string[] = [];
  try {
    previous = JSON.parse(readFileSync(listFile, "utf8"));
  } catch {
    // first build
  }
  for (const dir of [
    "posts",
    "page",
    "tags",
    "categories",
    "archives",
    "search",
    "index.html",
    "404.html",
    "feed.xml",
    "sitemap.xml",
    "robots.txt",
    "widget.js",
    "embed.js",
    "_redirects",
    ...previous,
  ])
    rmSync(join(publicDir, dir), { recursive: true, force: true });
  made.clear();
  const counts: Record<string, number> = {};
  const around = neighbours(posts);
  const related = relatedPosts(posts);
  const terms = { categories: collectTerms(posts, "categories", site.lang), tags: collectTerms(posts, "tags", site.lang) };
  const termNames = new Map([...terms.categories, ...terms.tags].map((t) => [`${t.kind}:${t.slug}`, t.name]));
  for (const post of posts) {
    const comments: ThreadComment[] = seeds
      .filter((r) => r.slug === post.slug)
      .map((r) => ({
        id: r.id,
        parentId: r.parentId,
        authorName: r.comment.author_name,
        authorUrl: r.comment.author_url ?? null,
        html: r.html,
        createdAt: r.createdAt,
        editedAt: null,
        status: "approved",
      }));
    counts[post.slug] = comments.length;
    const { older, newer } = around.get(post.slug)!;
    write(
      join(publicDir, "posts", post.slug, "index.html"),
      postPage(site, post, comments, { older, newer, related: related.get(post.slug) ?? [], termNames }),
    );
  }
  // The home page, a page of posts at a time: /, /page/2/, /page/3/…
  const perPage = site.posts_per_page && site.posts_per_page > 0 ? Math.floor(site.posts_per_page) : DEFAULT_POSTS_PER_PAGE;
  const pageCount = Math.max(1, Math.ceil(posts.length / perPage));
  for (let n = 1; n <= pageCount; n++) {
    const file = n === 1 ? join(publicDir, "index.html") : join(publicDir, "page", String(n), "index.html");
    write(file, homePage(site, posts.slice((n - 1) * perPage, n * perPage), counts, { page: n, pageCount, perPage }));
  }
  // Tags and categories (a paged list and a feed each, and an index of all), archives by year
  // and month (paged) and their index: all static pages, listed in the sitemap.
  const listed: SitemapEntry[] = [];
  const paged = <T>(
    list: T[],
    render: (items: T[], paging: { page: number; pageCount: number; perPage: number }) => string,
    pathFor: (n: number) => string,
  ) => {
    const chunks = pagesOf(list, perPage);
    for (const [i, items] of chunks.entries()) write(fileOf(publicDir, pathFor(i + 1)), render(items, { page: i + 1, pageCount: chunks.length, perPage }));
  };
  for (const kind of ["categories", "tags"] as TermKind[]) {
    for (const term of terms[kind]) {
      paged(
        term.posts,
        (items, paging) => termPage(site, term, items, counts, paging),
        (n) => termPath(kind, term.slug, n),
      );
      write(
        fileOf(publicDir, termFeedPath(kind, term.slug)),
        atomFeed(site, term.posts.slice(0, TERM_FEED_SIZE), { title: term.name, path: termFeedPath(kind, term.slug), alternate: termPath(kind, term.slug) }),
      );
      listed.push({ path: termPath(kind, term.slug), lastmod: term.posts[0]?.date });
    }
    write(fileOf(publicDir, termIndexPath(kind)), termIndexPage(site, kind, terms[kind]));
    listed.push({ path: termIndexPath(kind), lastmod: posts[0]?.date });
  }
  const years = collectArchives(posts, site.timezone);
  write(fileOf(publicDir, archivePath()), archiveIndexPage(site, years));
  listed.push({ path: archivePath(), lastmod: posts[0]?.date });
  for (const year of years) {
    paged(
      year.posts,
      (items, paging) => yearPage(site, year, items, counts, paging),
      (n) => archivePath(year.year, undefined, n),
    );
    listed.push({ path: archivePath(year.year), lastmod: year.posts[0]?.date });
    for (const month of year.months) {
      paged(
        month.posts,
        (items, paging) => monthPage(site, month, items, counts, paging),
        (n) => archivePath(month.year, month.month, n),
      );
      listed.push({ path: archivePath(month.year, month.month), lastmod: month.posts[0]?.date });
    }
  }
  // A page that shows comments is built where the Worker finds it (under /posts/, which only the
  // Worker serves); its own address has no file, so it runs the Worker, which fills them in.
  for (const page of pages)
    write(join(publicDir, ...(page.comments_open === undefined ? [page.slug] : ["posts", page.slug]), "index.html"), pagePage(site, page));
  write(listFile, JSON.stringify(pages.map((p) => p.slug)));
  write(join(publicDir, "404.html"), notFoundPage(site));
  // The search page, which the Worker fills in (only the Worker serves /search).
  write(join(publicDir, "search", "index.html"), searchPage(site));
  write(join(publicDir, "feed.xml"), atomFeed(site, posts.slice(0, FEED_SIZE)));
  write(join(publicDir, "sitemap.xml"), sitemap(site, posts, pages, listed));
  write(join(publicDir, "robots.txt"), robots(site));
  // The static assets' headers, with the CSP of content/site.json (media_hosts, embed_hosts).
  write(join(publicDir, "_headers"), headersFile(site));
  const redirects = buildRedirects(posts, pages, readArchiveAddresses(content));
  if (redirects.staticCount + redirects.dynamicCount > 0) write(join(publicDir, "_redirects"), redirects.file);

  // Post records for KV, in wrangler's bulk format; and the old addresses with a query.
  const records: PostRecord[] = posts.map(({ html: _html, categories: _c, redirect_from: _r, ...record }) => record);
  // Pages that show comments have a record too (their comments are a post's), not in the list.
  const pageRecords: PostRecord[] = pages.flatMap((p) =>
    p.comments_open === undefined
      ? []
      : [
          {
            slug: p.slug,
            title: p.title,
            date: p.date,
            updated: p.updated,
            author: p.author,
            lang: p.lang,
            tags: [],
            summary: p.summary,
            url: p.url,
            comments_open: p.comments_open,
            comments_close_at: p.comments_close_at ?? null,
          },
        ],
  );
  const kv = [
    ...[...records, ...pageRecords].map((r) => ({ key: postKey(r.slug), value: JSON.stringify(r) })),
    { key: POST_INDEX_KEY, value: JSON.stringify(records) },
    ...redirects.kv,
  ];
  write(join(buildDir, "kv-posts.json"), JSON.stringify(kv, null, 2));
  write(join(buildDir, "seed.sql"), `${seedSql(seeds)}\n`);
  write(join(buildDir, "seed-comments.json"), JSON.stringify(seeds, null, 2));
  // The posts' and pages' searchable text, loaded into D1 by npm start, npm run deploy and the import.
  write(join(buildDir, SEARCH_SQL_FILE), searchIndexSql(searchTexts(posts, pages)));

  if (scripts) {
    await bundleBrowserScript(join(ROOT, "widget", "widget.ts"), join(publicDir, "widget.js"));
    // The same widget for other sites' pages (README, "Comments on any site").
    await bundleBrowserScript(join(ROOT, "widget", "embed.ts"), join(publicDir, "embed.js"));
    await buildAdmin(site, posts, publicDir);
  }
  // Last, so the count of assets includes every page: the old blog's media, static or for R2.
  const media = placeMedia(content, publicDir, buildDir, ROOT);
  return {
    posts,
    pages,
    seeds,
    media,
    redirects: { static: redirects.staticCount, dynamic: redirects.dynamicCount, query: redirects.kv.length, dropped: redirects.dropped },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { posts, pages, seeds, redirects, media } = await buildSite();
  const old = redirects.static + redirects.dynamic + redirects.query;
  console.log(
    `built ${posts.length} post(s)${pages.length ? `, ${pages.length} page(s)` : ""}, ${seeds.length} seed comment(s)${old ? `, ${old} redirect rule(s) for old addresses` : ""} into public/ and build/`,
  );
  if (media.assets || media.r2.length)
    console.log(
      `media: ${media.assets} file(s) in public/media/${media.r2.length ? `, ${media.r2.length} for the R2 bucket (over 25 MiB or past Cloudflare's 20,000 static files; npm start and npm run deploy upload them)` : ""}`,
    );
  if (redirects.dropped.length)
    console.log(
      `${redirects.dropped.length} old address(es) not redirected:\n  ${redirects.dropped.slice(0, 20).join("\n  ")}${redirects.dropped.length > 20 ? "\n  …" : ""}`,
    );
}
