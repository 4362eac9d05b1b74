// From parsed threads to rows for D1: which post each thread belongs to, the threading (parent,
// root, depth), the order of insertion, and the SQL that adds only what is not there yet.
// Pure functions: no file system, no database.
import { renderCommentHtml } from "../../workers/render/markdown.ts";
import type { ModerationStatus } from "../../workers/db/schema.ts";
import type { ParsedExport, SourceComment, SourceThread } from "./formats.ts";
import { contentHashOf } from "./sha256.ts";

export interface PlannedComment {
  slug: string;
  comment: SourceComment;
  parent: PlannedComment | null;
  root: PlannedComment | null;
  depth: number;
  html: string;
  /** Insertion order: never before the parent's (a reply always after the comment it answers). */
  sortKey: number;
  /**
   * The duplicate guard: billet's own export keeps its own; other imported comments that count
   * (approved, held) get the hash the Worker would give them, so the same author and text posted
   * again is refused, except a second copy in the same file (kept, unguarded).
   */
  contentHash: string | null;
}

export interface Plan {
  rows: PlannedComment[];
  /** Threads with comments that match no post (and no --map): not imported. */
  skipped: { label: string; comments: number; refs?: string[]; title?: string }[];
  /** Replies whose parent is not in the file (or is on another post): imported as top-level. */
  orphans: number;
  warnings: string[];
}

/** What threads are matched against: the posts and pages, their old addresses and titles. */
export interface PostIndex {
  /** normalizeRef(old address or identifier) → slug (from redirect_from, /posts/<slug>/...). */
  aliases: Map<string, string>;
  /** normalized title → slugs (a title matches only when one post has it). */
  titles: Map<string, string[]>;
}

export interface PlanOptions {
  /** The slugs of content/posts (and pages). */
  posts: Set<string>;
  /** --map old=slug, as given (addresses, paths, slugs or identifiers → slug). */
  map?: Record<string, string>;
  index?: PostIndex;
}

const KEPT_QUERY = ["p", "page_id", "attachment_id"];

/** An address, path, slug or identifier in one comparable form: path (and query) of a URL, no trailing slash. */
export function normalizeRef(ref: string): string {
  let s = ref.trim();
  if (/^[a-z][a-z\d+.-]*:\/\//i.test(s) || s.startsWith("//")) {
    try {
      const url = new URL(s, "http://host.invalid");
      s = url.pathname + url.search;
    } catch {
      // keep as is
    }
  }
  s = s.replace(/#.*$/, "");
  // Only the queries WordPress addresses a post by count (?p=12, ?page_id=4); tracking tags do not.
  const q = s.indexOf("?");
  if (q >= 0) {
    const params = new URLSearchParams(s.slice(q + 1));
    const kept = KEPT_QUERY.filter((k) => params.get(k)).map((k) => `${k}=${params.get(k)}`);
    s = s.slice(0, q).replace(/\/index\.php$/i, "/") + (kept.length ? `?${kept.join("&")}` : "");
  }
  try {
    s = decodeURI(s);
  } catch {
    // keep as is
  }
  if (s.length > 1) s = s.replace(/\/+(\?|$)/, "$1");
  return s.toLowerCase();
}

/** The keys an address is known by: its normalized form, and "?p=N" alone whatever the path. */
export function refKeys(ref: string): string[] {
  const n = normalizeRef(ref);
  const keys = [n];
  const q = /\?(.*)$/.exec(n);
  if (q) keys.push(`?${q[1]}`);
  return keys;
}

/** A title in one comparable form. */
export function normalizeTitle(title: string): string {
  return title
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[’‘`´]/g, "'")
    .replace(/[“”«»"]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

const TRANSLITERATE: Record<string, string> = { œ: "oe", æ: "ae", ß: "ss", ø: "o", đ: "d", ł: "l", þ: "th", ð: "d", ı: "i" };

/**
 * A valid billet slug (a-z, 0-9 and -) from an old one or a title: accents dropped, underscores and
 * other characters become hyphens ("mon_billet" → "mon-billet", "%c3%a9t%c3%a9" → "ete").
 */
export function slugify(value: string): string {
  let s = value;
  try {
    s = decodeURIComponent(s);
  } catch {
    // keep as is
  }
  s = s
    .toLowerCase()
    .replace(/[œæßøđłþðı]/g, (c) => TRANSLITERATE[c])
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return s.slice(0, 120).replace(/-+$/, "");
}

/**
 * What tells a WordPress post or page apart from another one with the same id (merged or
 * hand-edited exports): its type and its slug (or, without one, its title as a slug).
 */
export function wpItemKey(kind: string, postName: string, title: string): string {
  return `${kind}:${slugify(postName) || slugify(title)}`;
}

/** The post --map gives a thread, if any. */
export function mappedSlug(thread: Pick<SourceThread, "refs" | "slug">, map: Record<string, string>): string | null {
  const keys = new Map<string, string>();
  for (const [k, slug] of Object.entries(map)) for (const key of refKeys(k)) keys.set(key, slug);
  for (const ref of [...thread.refs, ...(thread.slug ? [thread.slug] : [])]) for (const key of refKeys(ref)) if (keys.has(key)) return keys.get(key)!;
  return null;
}

export function emptyIndex(): PostIndex {
  return { aliases: new Map(), titles: new Map() };
}

/** Adds a post (or page) to the index: its own addresses, its old ones, its title. */
export function indexPost(index: PostIndex, post: { slug: string; title?: string; url?: string; redirect_from?: string[] }): void {
  const add = (ref: string) => {
    for (const key of refKeys(ref)) if (!index.aliases.has(key)) index.aliases.set(key, post.slug);
  };
  add(`/posts/${post.slug}/`);
  if (post.url) add(post.url);
  for (const old of post.redirect_from ?? []) add(old);
  if (post.title) {
    const t = normalizeTitle(post.title);
    const list = index.titles.get(t) ?? [];
    if (!list.includes(post.slug)) list.push(post.slug);
    index.titles.set(t, list);
  }
}

/** The last meaningful segment of an address, as a slug ("/2008/03/17/mon_billet/" → "mon-billet"). */
function lastSegment(ref: string): string {
  const path = normalizeRef(ref).replace(/\?.*$/, "");
  const segments = path.split("/").map((seg) => seg.replace(/\.(html?|php|aspx?)$/, ""));
  while (segments.length && ["index", "feed", "amp", "comments", ""].includes(segments[segments.length - 1])) segments.pop();
  return slugify(segments.pop() ?? "");
}

/**
 * The post a thread belongs to: --map first, then its addresses and identifiers among the posts'
 * own and old addresses (any scheme, www or not, trailing slash or not, ?p=N), the address's last
 * segment, the source's own slug, and last its title (when exactly one post has it).
 */
export function resolveSlug(thread: Pick<SourceThread, "refs" | "slug" | "title">, opts: PlanOptions): string | null {
  const mapped = mappedSlug(thread, opts.map ?? {});
  if (mapped) return mapped;
  const index = opts.index;
  if (index)
    for (const ref of thread.refs)
      for (const key of refKeys(ref)) if (index.aliases.has(key) && opts.posts.has(index.aliases.get(key)!)) return index.aliases.get(key)!;
  for (const ref of thread.refs) {
    const path = normalizeRef(ref).replace(/\?.*$/, "");
    const posts = /(?:^|\/)posts\/([^/]+)$/.exec(path);
    if (posts && opts.posts.has(posts[1])) return posts[1];
    const last = lastSegment(ref);
    if (last && opts.posts.has(last)) return last;
  }
  if (thread.slug) {
    const s = slugify(thread.slug);
    if (opts.posts.has(s)) return s;
  }
  if (index && thread.title) {
    const found = index.titles.get(normalizeTitle(thread.title));
    if (found?.length === 1 && opts.posts.has(found[0])) return found[0];
  }
  return null;
}

function compareSourceIds(a: string, b: string): number {
  const na = Number(a.replace(/^.*\D/, ""));
  const nb = Number(b.replace(/^.*\D/, ""));
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Threads (already resolved to one post each) into rows: threading, HTML, insertion order. */
export function planThreads(groups: { slug: string; comments: SourceComment[] }[], plan: Plan): PlannedComment[] {
  const entries = new Map<string, { slug: string; comment: SourceComment }>();
  for (const { slug, comments } of groups) {
    for (const comment of comments) {
      if (entries.has(comment.sourceId)) {
        plan.warnings.push(`comment ${comment.sourceId} appears twice in the file; the first one is imported`);
        continue;
      }
      entries.set(comment.sourceId, { slug, comment });
    }
  }

  // Threading: a reply keeps its parent when the parent is imported onto the same post; a reply
  // to a missing comment (or a loop, in a broken file) stands at the top level.
  const planned = new Map<string, PlannedComment>();
  const visiting = new Set<string>();
  const place = (sourceId: string): PlannedComment => {
    const done = planned.get(sourceId);
    if (done) return done;
    const { slug, comment } = entries.get(sourceId)!;
    visiting.add(sourceId);
    let parent: PlannedComment | null = null;
    const parentId = comment.parentSourceId;
    if (parentId !== null) {
      const entry = entries.get(parentId);
      if (entry && entry.slug === slug && !visiting.has(parentId)) parent = place(parentId);
      else plan.orphans++;
    }
    visiting.delete(sourceId);
    const own = comment.id ?? comment.createdAt;
    const row: PlannedComment = {
      slug,
      comment,
      parent,
      root: parent ? (parent.root ?? parent) : null,
      depth: parent ? parent.depth + 1 : 0,
      html: comment.status === "purged" ? "" : renderCommentHtml(comment.content),
      sortKey: parent ? Math.max(own, parent.sortKey) : own,
      contentHash: comment.contentHash ?? null,
    };
    planned.set(sourceId, row);
    return row;
  };
  for (const sourceId of entries.keys()) place(sourceId);

  // Insertion order is the order readers see (ids ascending): billet's own comments by id,
  // others by date; a parent always before its replies.
  const rows = [...planned.values()].sort((a, b) => a.sortKey - b.sortKey || a.depth - b.depth || compareSourceIds(a.comment.sourceId, b.comment.sourceId));
  const guarded = new Set<string>();
  for (const row of rows) {
    const c = row.comment;
    if (c.contentHash !== undefined) continue;
    const hash = contentHashOf(c.authorName, c.content);
    // Spam and deleted comments carry their hash too, so that approving one later meets the
    // duplicate guard; of twins that count (approved, pending) in one file, the first carries it.
    if (c.status === "approved" || c.status === "pending") {
      if (guarded.has(`${row.slug}\n${hash}`)) continue;
      guarded.add(`${row.slug}\n${hash}`);
    }
    row.contentHash = hash;
  }
  return rows;
}

export function planImport(parsed: ParsedExport, opts: PlanOptions): Plan {
  const plan: Plan = { rows: [], skipped: [], orphans: 0, warnings: [...parsed.warnings] };
  const groups: { slug: string; comments: SourceComment[] }[] = [];
  for (const thread of parsed.threads) {
    const slug = resolveSlug(thread, opts);
    if (!slug) {
      plan.skipped.push({ label: thread.label, comments: thread.comments.length, refs: thread.refs, title: thread.title });
      continue;
    }
    groups.push({ slug, comments: thread.comments });
  }
  plan.rows = planThreads(groups, plan);
  return plan;
}

// ---------------------------------------------------------------------------------------------
// SQL

export const sqlValue = (v: string | number | null | undefined): string => {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) throw new Error(`not an integer: ${v}`);
    return String(v);
  }
  return `'${v.replace(/\u0000/g, "").replace(/'/g, "''")}'`;
};

const sqlReal = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? "NULL" : String(v));

/** The import key of a comment that was written on billet and had to take a new id elsewhere. */
function movedKey(c: SourceComment): string {
  return `billet:${c.id}:${c.createdAt}`;
}

/** How a planned row is found in the database: [import key, billet id, billet created_at]. */
function matchOf(row: PlannedComment | null): [string, string, string] {
  if (!row) return ["NULL", "NULL", "NULL"];
  const c = row.comment;
  if (c.id === undefined) return [sqlValue(c.importKey), "NULL", "NULL"];
  return [sqlValue(c.importKey ?? movedKey(c)), String(c.id), String(c.createdAt)];
}

/** One row of the VALUES list (see STATEMENT for the meaning of each column). */
export function rowValues(row: PlannedComment): string {
  const c = row.comment;
  const values = [
    c.id === undefined ? "NULL" : String(c.id),
    sqlValue(row.slug),
    ...matchOf(row.parent),
    ...matchOf(row.root),
    String(row.depth),
    sqlValue(c.authorName),
    sqlValue(c.authorEmail),
    sqlValue(c.authorUrl),
    sqlValue(c.content),
    sqlValue(row.html),
    sqlValue(c.status),
    sqlValue(c.heldFor),
    sqlValue(c.createdAt),
    sqlValue(c.editedAt),
    sqlValue(c.updatedAt),
    sqlValue(c.ipHash),
    sqlValue(c.editTokenHash),
    sqlValue(c.importKey),
    c.id === undefined ? "NULL" : sqlValue(movedKey(c)),
    sqlValue(row.contentHash),
    sqlValue(c.idempotencyKey),
    sqlReal(c.spamScore),
    sqlValue(c.spamReasons),
    sqlValue(c.trainedAs),
    ...matchOf(row),
  ];
  return `(${values.join(", ")})`;
}

const COLUMNS =
  "id, post_slug, parent_id, root_id, depth, author_name, author_email, author_url, content, html, status, held_for, created_at, edited_at, updated_at, ip_hash, edit_token_hash, import_key, content_hash, idempotency_key, spam_score, spam_reasons, trained_as";

const find = (key: string, id: string, created: string) =>
  `(SELECT id FROM comments WHERE import_key = v.${key} OR (id = v.${id} AND created_at = v.${created}) LIMIT 1)`;
const taken = "EXISTS (SELECT 1 FROM comments WHERE id = v.column1)";

/**
 * One statement inserts many comments, each unless it is already there (by import key, or for
 * billet's own export by id and date). Parents are looked up by the same condition, so replies
 * attach to the right row whether it was added by an earlier statement or an earlier import. A
 * billet comment keeps its id when that id is free (else it takes a new one and remembers the old
 * one in its import key), and its duplicate guard (content hash) and idempotency key unless another
 * comment of the post already holds them.
 */
const STATEMENT_HEAD = `INSERT INTO comments (${COLUMNS}) SELECT CASE WHEN v.column1 IS NULL OR ${taken} THEN NULL ELSE v.column1 END, v.column2, ${find("column3", "column4", "column5")}, ${find("column6", "column7", "column8")}, v.column9, v.column10, v.column11, v.column12, v.column13, v.column14, v.column15, v.column16, v.column17, v.column18, v.column19, v.column20, v.column21, CASE WHEN v.column22 IS NOT NULL THEN v.column22 WHEN v.column1 IS NOT NULL AND ${taken} THEN v.column23 ELSE NULL END, CASE WHEN v.column24 IS NOT NULL AND v.column15 IN ('approved', 'pending') AND EXISTS (SELECT 1 FROM comments WHERE post_slug = v.column2 AND content_hash = v.column24 AND status IN ('approved', 'pending')) THEN NULL ELSE v.column24 END, CASE WHEN v.column25 IS NOT NULL AND EXISTS (SELECT 1 FROM comments WHERE post_slug = v.column2 AND idempotency_key = v.column25) THEN NULL ELSE v.column25 END, v.column26, v.column27, v.column28 FROM (VALUES `;
const STATEMENT_TAIL = ") AS v WHERE NOT EXISTS (SELECT 1 FROM comments WHERE import_key = v.column29 OR (id = v.column30 AND created_at = v.column31))";

/** D1 refuses statements over 100 KB. */
const MAX_STATEMENT = 90_000;

/**
 * Groups rows (in insertion order) into statements: a statement ends before a row whose parent
 * or root is in it (the rows of one statement do not see each other), or when it would be too long.
 * Rows are named by a key (their import key) so that the writer needs no more than the statement.
 */
export class SqlWriter {
  private values: string[] = [];
  private size = 0;
  private keys = new Set<string>();
  private readonly out: (statement: string) => void;
  constructor(out: (statement: string) => void) {
    this.out = out;
  }
  add(values: string, own: string | null, parent: string | null, root: string | null): void {
    if (
      this.values.length &&
      ((parent !== null && this.keys.has(parent)) || (root !== null && this.keys.has(root)) || this.size + values.length > MAX_STATEMENT)
    )
      this.flush();
    this.values.push(values);
    this.size += values.length + 2;
    if (own !== null) this.keys.add(own);
  }
  flush(): void {
    if (!this.values.length) return;
    this.out(`${STATEMENT_HEAD}${this.values.join(", ")}${STATEMENT_TAIL}`);
    this.values = [];
    this.size = 0;
    this.keys = new Set();
  }
}

/** The key SqlWriter names a row by. */
export const rowKey = (r: PlannedComment | null): string | null => (r ? (r.comment.importKey ?? `billet:${r.comment.id}:${r.comment.createdAt}`) : null);

export function planSql(plan: Plan): string {
  const lines = [`-- billet import: ${plan.rows.length} comment(s); already present ones are left as they are.`];
  const writer = new SqlWriter((s) => lines.push(`${s};`));
  for (const row of plan.rows) writer.add(rowValues(row), rowKey(row), rowKey(row.parent), rowKey(row.root));
  writer.flush();
  return `${lines.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------
// Summary

/** Comments per state; purged ones (empty places kept for their replies) are not counted. */
export type StatusCounts = Record<ModerationStatus, number>;

export function countsByPost(rows: PlannedComment[], into = new Map<string, StatusCounts>()): Map<string, StatusCounts> {
  for (const row of rows) {
    const status = row.comment.status;
    if (status === "purged") continue;
    const c = into.get(row.slug) ?? { approved: 0, pending: 0, spam: 0, deleted: 0 };
    c[status]++;
    into.set(row.slug, c);
  }
  return into;
}

export function sortedCounts(counts: Map<string, StatusCounts>): Map<string, StatusCounts> {
  return new Map([...counts].sort(([a], [b]) => a.localeCompare(b)));
}
