// The posts' searchable text for D1's full-text index (migrations/0010_search.sql): the build
// writes build/search-posts.sql, and `npm start`, `npm run deploy` and the import load it. Loading
// is idempotent: an unchanged post writes nothing, a changed one replaces its row, a post no
// longer built leaves the index. Comments need nothing here: triggers index the approved ones.
import { createHash } from "node:crypto";
import { parseFragment, type DefaultTreeAdapterTypes } from "parse5";
import type { Page, Post } from "./content.ts";

/** In build/: the statements that load the posts into the search index. */
export const SEARCH_SQL_FILE = "search-posts.sql";

/** D1 refuses statements over 100 KB: each stays under this many bytes (a long text is cut). */
export const MAX_STATEMENT_BYTES = 90_000;
/** Slugs listed in one statement of the clean-up. */
const SLUGS_PER_STATEMENT = 400;

export interface SearchText {
  slug: string;
  url: string;
  title: string;
  tags: string;
  summary: string;
  body: string;
}

type Node = DefaultTreeAdapterTypes.ChildNode | DefaultTreeAdapterTypes.DocumentFragment;
const SKIPPED = new Set(["script", "style", "template", "noscript"]);
const BLOCKS = /^(p|div|li|h[1-6]|blockquote|pre|tr|td|th|br|hr|figure|figcaption|section|article|dd|dt)$/;

/** The words of a post's HTML, as a reader reads them (entities decoded, markup and scripts out). */
export function plainText(html: string): string {
  const out: string[] = [];
  const walk = (node: Node) => {
    if ("value" in node && node.nodeName === "#text") out.push(node.value);
    if (!("childNodes" in node)) return;
    if (SKIPPED.has(node.nodeName)) return;
    const block = BLOCKS.test(node.nodeName);
    if (block) out.push(" ");
    for (const child of node.childNodes) walk(child);
    if (block) out.push(" ");
  };
  walk(parseFragment(html));
  return out.join("").replace(/\s+/g, " ").trim();
}

/** What the index holds of each post and page. */
export function searchTexts(posts: Post[], pages: Page[]): SearchText[] {
  // One line each: the index needs no line breaks, and the file then holds a statement a line.
  const oneLine = (t: SearchText): SearchText =>
    Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.replace(/\s+/g, " ").trim()])) as unknown as SearchText;
  return [
    ...posts.map((p) => ({
      slug: p.slug,
      url: p.url,
      title: p.title,
      tags: [...p.tags, ...(p.categories ?? [])].join(", "),
      summary: p.summary,
      body: plainText(p.html),
    })),
    ...pages.map((p) => ({ slug: p.slug, url: p.url, title: p.title, tags: "", summary: p.summary, body: plainText(p.html) })),
  ].map(oneLine);
}

const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;
const bytes = (s: string) => Buffer.byteLength(s, "utf8");

function upsert(t: SearchText, hash: string): string {
  // A new post takes the next negative id (see the migration); a known one keeps its own.
  return `INSERT INTO search_post_texts (id, slug, url, title, tags, summary, body, hash) VALUES ((SELECT coalesce(min(id), 0) - 1 FROM search_post_texts), ${[t.slug, t.url, t.title, t.tags, t.summary, t.body, hash].map(quote).join(", ")}) ON CONFLICT (slug) DO UPDATE SET url = excluded.url, title = excluded.title, tags = excluded.tags, summary = excluded.summary, body = excluded.body, hash = excluded.hash WHERE search_post_texts.hash != excluded.hash;`;
}

/** One statement a post, its text cut (at a character) when the statement would be too long for D1. */
function postStatement(t: SearchText): string {
  const hash = createHash("sha256").update(JSON.stringify(t)).digest("base64url").slice(0, 22);
  let text = t;
  let statement = upsert(text, hash);
  while (bytes(statement) > MAX_STATEMENT_BYTES) {
    const over = bytes(statement) - MAX_STATEMENT_BYTES;
    // Cut at least what is over (a character is at most 4 bytes, a quote doubled 2), from the longest field.
    const field = (["body", "summary", "title", "tags"] as const).reduce((a, b) => (text[a].length >= text[b].length ? a : b));
    const keep = Math.max(0, text[field].length - Math.ceil(over / 2) - 1);
    text = { ...text, [field]: text[field].slice(0, keep).toWellFormed() };
    statement = upsert(text, hash);
  }
  return statement;
}

/**
 * The rows of posts no longer built go. Slugs are sorted and listed a slice at a time: each
 * statement removes, within its own range of slugs, those not in its slice.
 */
function cleanUp(slugs: string[]): string[] {
  const sorted = [...new Set(slugs)].sort();
  if (!sorted.length) return ["DELETE FROM search_post_texts;"];
  const statements: string[] = [];
  for (let i = 0; i < sorted.length; i += SLUGS_PER_STATEMENT) {
    const slice = sorted.slice(i, i + SLUGS_PER_STATEMENT);
    const next = sorted[i + SLUGS_PER_STATEMENT];
    const range = [i === 0 ? "" : `slug >= ${quote(slice[0])}`, next === undefined ? "" : `slug < ${quote(next)}`].filter(Boolean);
    statements.push(`DELETE FROM search_post_texts WHERE ${[...range, `slug NOT IN (${slice.map(quote).join(", ")})`].join(" AND ")};`);
  }
  return statements;
}

/** build/search-posts.sql: the statements that make the index hold exactly these posts and pages. */
export function searchIndexSql(texts: SearchText[]): string {
  return `${[...texts.map(postStatement), ...cleanUp(texts.map((t) => t.slug))].join("\n")}\n`;
}
