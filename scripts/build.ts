// npm run build: content/ → public/ (pages, feed, sitemap, widget) and build/ (KV records, seed SQL).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bundleBrowserScript } from "./bundle.ts";
import { renderCommentHtml } from "../workers/render/markdown.ts";
import type { ThreadComment } from "../workers/render/comments.ts";
import { POST_INDEX_KEY, postKey, type PostRecord } from "../workers/store/posts.ts";
import { readPosts, readSeedComments, readSite, ROOT, type Post, type SeedComment } from "./content.ts";
import { buildAdmin } from "./admin-page.ts";
import { atomFeed, homePage, notFoundPage, postPage, robots, sitemap } from "./templates.ts";

const PUBLIC = join(ROOT, "public");
const BUILD = join(ROOT, "build");

function write(path: string, text: string): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
}

export interface SeedRow {
  id: number;
  slug: string;
  parentId: number | null;
  rootId: number | null;
  depth: number;
  comment: SeedComment;
  html: string;
  createdAt: number;
}

/** Seed comments get fixed ids (1, 2, … across posts in slug order), so seeding twice changes nothing. */
export function seedRows(posts: Post[]): SeedRow[] {
  const rows: SeedRow[] = [];
  let next = 1;
  for (const post of [...posts].sort((a, b) => a.slug.localeCompare(b.slug))) {
    const first = next;
    for (const [i, comment] of readSeedComments(post.slug).entries()) {
      const parent = comment.reply_to !== undefined ? rows.find((r) => r.id === first + comment.reply_to!) : undefined;
      rows.push({
        id: next++,
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

function seedSql(rows: SeedRow[]): string {
  return rows
    .map(
      (r) =>
        `INSERT OR IGNORE INTO comments (id, post_slug, parent_id, root_id, depth, author_name, author_email, author_url, content, html, status, created_at, updated_at) VALUES (${[
          r.id,
          sql(r.slug),
          sql(r.parentId),
          sql(r.rootId),
          r.depth,
          sql(r.comment.author_name),
          sql(r.comment.author_email ?? null),
          sql(r.comment.author_url ?? null),
          sql(r.comment.content),
          sql(r.html),
          sql("approved"),
          r.createdAt,
          r.createdAt,
        ].join(", ")});`,
    )
    .join("\n");
}

export async function buildSite(): Promise<{ posts: Post[]; seeds: SeedRow[] }> {
  const site = readSite();
  const posts = readPosts(site);
  const seeds = seedRows(posts);

  for (const dir of ["posts", "index.html", "404.html", "feed.xml", "sitemap.xml", "robots.txt", "widget.js"]) rmSync(join(PUBLIC, dir), { recursive: true, force: true });
  const counts: Record<string, number> = {};
  for (const post of posts) {
    const comments: ThreadComment[] = seeds
      .filter((r) => r.slug === post.slug)
      .map((r) => ({ id: r.id, parentId: r.parentId, authorName: r.comment.author_name, authorUrl: r.comment.author_url ?? null, html: r.html, createdAt: r.createdAt, editedAt: null, status: "approved" }));
    counts[post.slug] = comments.length;
    write(join(PUBLIC, "posts", post.slug, "index.html"), postPage(site, post, comments));
  }
  write(join(PUBLIC, "index.html"), homePage(site, posts, counts));
  write(join(PUBLIC, "404.html"), notFoundPage(site));
  write(join(PUBLIC, "feed.xml"), atomFeed(site, posts));
  write(join(PUBLIC, "sitemap.xml"), sitemap(site, posts));
  write(join(PUBLIC, "robots.txt"), robots(site));

  // Post records for KV, in wrangler's bulk format.
  const records: PostRecord[] = posts.map(({ html: _html, ...record }) => record);
  const kv = [...records.map((r) => ({ key: postKey(r.slug), value: JSON.stringify(r) })), { key: POST_INDEX_KEY, value: JSON.stringify(records) }];
  write(join(BUILD, "kv-posts.json"), JSON.stringify(kv, null, 2));
  write(join(BUILD, "seed.sql"), seedSql(seeds) + "\n");
  write(join(BUILD, "seed-comments.json"), JSON.stringify(seeds, null, 2));

  await bundleBrowserScript(join(ROOT, "widget", "widget.ts"), join(PUBLIC, "widget.js"));
  await buildAdmin(site, posts, PUBLIC);
  return { posts, seeds };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { posts, seeds } = await buildSite();
  console.log(`built ${posts.length} post(s), ${seeds.length} seed comment(s) into public/ and build/`);
}
