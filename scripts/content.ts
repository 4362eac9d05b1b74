// The author's content: site settings, posts (Markdown with front matter) and their seed comments.
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import matter from "gray-matter";
import MarkdownIt from "markdown-it";
import type { PostRecord } from "../workers/store/posts.ts";

export const ROOT = new URL("..", import.meta.url).pathname;
/** npm run starts scripts in the project folder; paths are taken from where the command was typed. */
export const fromCwd = (path: string) => resolve(process.env.INIT_CWD ?? process.cwd(), path);
export const CONTENT = join(ROOT, "content");

export interface Site {
  title: string;
  description: string;
  author: string;
  url: string;
  lang: string;
  timezone: string;
  /** Posts on each page of the home page (default 20). */
  posts_per_page?: number;
  /** Hosts media left elsewhere may come from (the CSP allows them: images, audio, video). */
  media_hosts?: string[];
  /** Hosts whose players imported posts may frame (the CSP's frame-src; default none). */
  embed_hosts?: string[];
}

export interface Post extends PostRecord {
  html: string;
  /** WordPress categories (shown with the tags; not in the KV record). */
  categories?: string[];
  /** Old addresses that answer 301 to this one (the build writes the redirects). */
  redirect_from?: string[];
}

/** A page: served at its own address (`/<slug>/` unless `path`), not on the home page or in the feed. */
export interface Page {
  slug: string;
  title: string;
  date: string;
  updated?: string;
  author: string;
  lang: string;
  summary: string;
  url: string;
  html: string;
  redirect_from?: string[];
  /** A page with `comments: open` or `closed` in its front matter shows its comments (the Worker fills them in); without, it has none. */
  comments_open?: boolean;
  comments_close_at?: string | null;
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

/** Tags out, entities decoded enough for a summary. */
function textOfHtml(html: string): string {
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&(amp|lt|gt|quot|#39);/g, (e) => ({ "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" })[e] ?? e)
    .replace(/\s+/g, " ")
    .trim();
}

/** The body as HTML: Markdown (HTML allowed), or HTML as written with `format: html` (imported posts). */
function bodyHtml(data: Record<string, unknown>, content: string): { html: string; summary: string } {
  const isHtml = data.format === "html";
  const html = isHtml ? `${content.trim()}\n` : postMarkdown.render(content);
  const fallback = isHtml
    ? textOfHtml(content).slice(0, 200)
    : content
        .replace(/[#>*_`[\]]/g, "")
        .trim()
        .slice(0, 200);
  return { html, summary: typeof data.summary === "string" ? data.summary : fallback };
}

const stringList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : typeof value === "string" && value ? [value] : []);

export function readPosts(site: Site, contentDir = CONTENT): Post[] {
  const dir = join(contentDir, "posts");
  const posts = readdirSync(dir)
    .filter((f) => f.endsWith(".md"))
    .map((file) => {
      const slug = file.replace(/\.md$/, "");
      if (!SLUG.test(slug)) throw new Error(`${file}: the file name must be a slug (a-z, 0-9 and -)`);
      const { data, content } = matter(readFileSync(join(dir, file), "utf8"));
      if (typeof data.title !== "string" || !data.title) throw new Error(`${file}: front matter needs a title`);
      const { html, summary } = bodyHtml(data, content);
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
        categories: stringList(data.categories),
        redirect_from: stringList(data.redirect_from),
      } satisfies Post;
    });
  // Newest first, by instant (dates may carry different offsets).
  return posts.sort((a, b) => Date.parse(b.date) - Date.parse(a.date) || a.slug.localeCompare(b.slug));
}

/** Addresses billet itself answers at: a page may not take them. */
export const RESERVED_PATHS = new Set([
  "posts",
  "page",
  "tags",
  "categories",
  "archives",
  "search",
  "comments.xml",
  "admin",
  "api",
  "moderate",
  "subscriptions",
  "feed",
  "feed.xml",
  "sitemap.xml",
  "robots.txt",
  "404.html",
  "widget.js",
  "cdn-cgi",
  "index.html",
  "billet.css",
  "admin.css",
  "admin.js",
  "favicon.svg",
]);

export function readPages(site: Site, contentDir = CONTENT): Page[] {
  const dir = join(contentDir, "pages");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".md"))
    .map((file) => {
      const slug = file.replace(/\.md$/, "");
      if (!SLUG.test(slug)) throw new Error(`pages/${file}: the file name must be a slug (a-z, 0-9 and -)`);
      if (RESERVED_PATHS.has(slug)) throw new Error(`pages/${file}: /${slug}/ is one of billet's own addresses: rename the page`);
      const { data, content } = matter(readFileSync(join(dir, file), "utf8"));
      if (typeof data.title !== "string" || !data.title) throw new Error(`pages/${file}: front matter needs a title`);
      const { html, summary } = bodyHtml(data, content);
      return {
        slug,
        title: data.title,
        date: data.date ? isoDate(data.date, file, "date") : new Date(0).toISOString(),
        updated: data.updated ? isoDate(data.updated, file, "updated") : undefined,
        author: typeof data.author === "string" ? data.author : site.author,
        lang: typeof data.lang === "string" ? data.lang : site.lang,
        summary,
        url: `/${slug}/`,
        html,
        redirect_from: stringList(data.redirect_from),
        ...(data.comments === undefined
          ? {}
          : {
              comments_open: data.comments === "open" || data.comments === true,
              comments_close_at: data.comments_close_at ? isoDate(data.comments_close_at, file, "comments_close_at") : null,
            }),
      } satisfies Page;
    })
    .sort((a, b) => a.slug.localeCompare(b.slug));
}

export function readSeedComments(slug: string, contentDir = CONTENT): SeedComment[] {
  const file = join(contentDir, "comments", `${slug}.json`);
  if (!existsSync(file)) return [];
  return JSON.parse(readFileSync(file, "utf8"));
}
