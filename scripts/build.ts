// npm run build: content/ → public/ (pages, feed, sitemap, widget) and build/ (KV records, seed SQL).
// buildSite() can also build another content folder into other folders (the model tests' site).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bundleBrowserScript } from "./bundle.ts";
import { renderCommentHtml } from "../workers/render/markdown.ts";
import type { ThreadComment } from "../workers/render/comments.ts";
import { POST_INDEX_KEY, postKey, type PostRecord } from "../workers/store/posts.ts";
import { CONTENT, readPosts, readSeedComments, readSite, ROOT, type Post, type SeedComment } from "./content.ts";
import { buildAdmin } from "./admin-page.ts";
import { atomFeed, homePage, notFoundPage, postPage, robots, sitemap } from "./templates.ts";

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
export function seedRows(posts: Post[], content = CONTENT): SeedRow[] {
  const rows: SeedRow[] = [];
  let next = 1;
  for (const post of [...posts].sort((a, b) => a.slug.localeCompare(b.slug))) {
    const first = next;
    for (const [i, comment] of readSeedComments(post.slug, content).entries()) {
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

export async function buildSite(options: BuildOptions = {}): Promise<{ posts: Post[]; seeds: SeedRow[] }> {
  const { content = CONTENT, public: publicDir = join(ROOT, "public"), build: buildDir = join(ROOT, "build"), scripts = true } = options;
  const site = readSite(content);
  const posts = readPosts(site, content);
  const seeds = seedRows(posts, content);

  for (const dir of ["posts", "index.html", "404.html", "feed.xml", "sitemap.xml", "robots.txt", "widget.js"])
    rmSync(join(publicDir, dir), { recursive: true, force: true });
  const counts: Record<string, number> = {};
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
    write(join(publicDir, "posts", post.slug, "index.html"), postPage(site, post, comments));
  }
  write(join(publicDir, "index.html"), homePage(site, posts, counts));
  write(join(publicDir, "404.html"), notFoundPage(site));
  write(join(publicDir, "feed.xml"), atomFeed(site, posts));
  write(join(publicDir, "sitemap.xml"), sitemap(site, posts));
  write(join(publicDir, "robots.txt"), robots(site));

  // Post records for KV, in wrangler's bulk format.
  const records: PostRecord[] = posts.map(({ html: _html, ...record }) => record);
  const kv = [...records.map((r) => ({ key: postKey(r.slug), value: JSON.stringify(r) })), { key: POST_INDEX_KEY, value: JSON.stringify(records) }];
  write(join(buildDir, "kv-posts.json"), JSON.stringify(kv, null, 2));
  write(join(buildDir, "seed.sql"), `${seedSql(seeds)}\n`);
  write(join(buildDir, "seed-comments.json"), JSON.stringify(seeds, null, 2));

  if (scripts) {
    await bundleBrowserScript(join(ROOT, "widget", "widget.ts"), join(publicDir, "widget.js"));
    await buildAdmin(site, posts, publicDir);
  }
  return { posts, seeds };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { posts, seeds } = await buildSite();
  console.log(`built ${posts.length} post(s), ${seeds.length} seed comment(s) into public/ and build/`);
}
