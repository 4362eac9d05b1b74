// The author's content: site settings, posts (Markdown with front matter) and their seed comments.
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import matter from "gray-matter";
import MarkdownIt from "markdown-it";
import type { PostRecord } from "../workers/store/posts.ts";

export const ROOT = new URL("..", import.meta.url).pathname;
export const CONTENT = join(ROOT, "content");

export interface Site {
  title: string;
  description: string;
  author: string;
  url: string;
  lang: string;
  timezone: string;
}

export interface Post extends PostRecord {
  html: string;
}

export interface SeedComment {
  author_name: string;
  author_email?: string;
  author_url?: string;
  content: string;
  created_at: string;
  /** Index (0-based) of the comment this one answers, in the same file. */
  reply_to?: number;
}

/** `contentDir` is the content folder (content/ by default; the model tests build a generated one). */
export function readSite(contentDir = CONTENT): Site {
  return JSON.parse(readFileSync(join(contentDir, "site.json"), "utf8"));
}

// The author's own Markdown is trusted: raw HTML is allowed in posts (never in comments).
const postMarkdown = new MarkdownIt({ html: true, linkify: true, typographer: false });

const SLUG = /^[a-z0-9][a-z0-9-]{0,119}$/;

function isoDate(value: unknown, file: string, field: string): string {
  const d = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(d.getTime())) throw new Error(`${file}: front matter "${field}" is not a date`);
  return d.toISOString();
}

export function readPosts(site: Site, contentDir = CONTENT): Post[] {
  const dir = join(contentDir, "posts");
  const posts = readdirSync(dir)
    .filter((f) => f.endsWith(".md"))
    .map((file) => {
      const slug = file.replace(/\.md$/, "");
      if (!SLUG.test(slug)) throw new Error(`${file}: the file name must be a slug (a-z, 0-9 and -)`);
      const { data, content } = matter(readFileSync(join(dir, file), "utf8"));
      if (typeof data.title !== "string" || !data.title) throw new Error(`${file}: front matter needs a title`);
      const html = postMarkdown.render(content);
      const summary =
        typeof data.summary === "string"
          ? data.summary
          : content
              .replace(/[#>*_`[\]]/g, "")
              .trim()
              .slice(0, 200);
      const comments = data.comments ?? "open";
      return {
        slug,
        title: data.title,
        date: isoDate(data.date, file, "date"),
        updated: data.updated ? isoDate(data.updated, file, "updated") : undefined,
        author: typeof data.author === "string" ? data.author : site.author,
        lang: typeof data.lang === "string" ? data.lang : site.lang,
        tags: Array.isArray(data.tags) ? data.tags.map(String) : [],
        summary,
        url: `/posts/${slug}/`,
        comments_open: comments === "open" || comments === true,
        comments_close_at: data.comments_close_at ? isoDate(data.comments_close_at, file, "comments_close_at") : null,
        html,
      } satisfies Post;
    });
  return posts.sort((a, b) => b.date.localeCompare(a.date));
}

export function readSeedComments(slug: string, contentDir = CONTENT): SeedComment[] {
  const file = join(contentDir, "comments", `${slug}.json`);
  if (!existsSync(file)) return [];
  return JSON.parse(readFileSync(file, "utf8"));
}
