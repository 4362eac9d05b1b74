// Reading exports into one shape: threads (one per post of the old site) holding comments with
// their source ids and parents, and, from WordPress, the posts, pages and media themselves.
// Readers hand what they read to a sink: MemorySink keeps it (tests, small files), StagingSink
// (staging.ts) writes it to a SQLite file so an export of any size is read in bounded memory.
// No file system or database here.
import * as v from "valibot";
import { COMMENT_STATUSES, type CommentStatus } from "../../workers/db/schema.ts";
import type { Problem } from "./problems.ts";

export type Format = "wordpress" | "disqus" | "json" | "isso" | "remark42" | "waline";
export const FORMATS: Format[] = ["wordpress", "disqus", "json", "isso", "remark42", "waline"];

export interface SourceComment {
  /** Unique within the file; parents are found by it. */
  sourceId: string;
  parentSourceId: string | null;
  /** What goes into comments.import_key (null: a comment written on billet, from a billet export). */
  importKey: string | null;
  /** billet JSON: the comment's id, kept when it is free in the target database. */
  id?: number;
  authorName: string;
  authorEmail: string | null;
  authorUrl: string | null;
  /** Markdown source (the renderer makes the HTML). */
  content: string;
  status: CommentStatus;
  heldFor: string | null;
  createdAt: number;
  editedAt: number | null;
  updatedAt: number;
  ipHash: string | null;
  editTokenHash: string | null;
  /** billet JSON: the duplicate guard and the rest of the row, restored as they were. */
  contentHash?: string | null;
  idempotencyKey?: string | null;
  spamScore?: number | null;
  spamReasons?: string | null;
  trainedAs?: string | null;
  /** The line of the file it was read at (messages). */
  line?: number;
}

export interface SourceThread {
  /** How the report names the thread: its old address, or its title. */
  label: string;
  /** Addresses and identifiers tried against the posts and the --map options. */
  refs: string[];
  /** A slug the source gives directly (WordPress post_name, billet post_slug). */
  slug?: string;
  /** The old post's title: matched last, when nothing else matched. */
  title?: string;
  /** What --create-posts needs to make a post for a thread that matches none. */
  stub?: { title: string; date: number; link: string; closed: boolean };
  /** The WordPress post or page (its id) the thread is in: cut off by a broken file, its comments go with it. */
  item?: string;
  /** Its type and slug ("post:my-post"): what tells apart two items of one export that share an id. */
  itemKey?: string;
  comments: SourceComment[];
}

/** A WordPress post or page, as the export holds it (the body is made into HTML by posts.ts). */
export interface WpItem {
  kind: "post" | "page";
  wpId: string;
  title: string;
  link: string;
  guid: string;
  /** The blog's own folder on its old site ("/" or "/blog/"): where its ?p=N addresses were. */
  base: string;
  /** wp:post_name, as WordPress stored it (may be percent-encoded). */
  postName: string;
  /** ISO 8601 with the blog's offset at the time. */
  date: string;
  author: string;
  categories: string[];
  tags: string[];
  excerpt: string;
  content: string;
  commentsOpen: boolean;
  /** Its approved comments in the export. */
  approvedComments: number;
  parentId: string;
  /** Stuck to the top of the old blog's home page (billet has no such thing: the summary says so). */
  sticky: boolean;
  /** Its categories and tags with their old address segment (nicename): their old addresses redirect. */
  terms: WpTerm[];
  /** The author's login (the old /author/<nicename>/ address). */
  authorLogin: string;
  line: number;
}

export interface WpTerm {
  kind: "categories" | "tags";
  nicename: string;
  name: string;
}

export interface WpAttachment {
  wpId: string;
  url: string;
  parentId: string;
  title: string;
  caption: string;
  alt: string;
}

/** What the file says of the old site. */
export interface SourceSite {
  url?: string;
  title?: string;
  lang?: string;
  description?: string;
  /** WordPress: the authors' display names. */
  authors?: string[];
  /** WordPress: each category's parent (nicenames), for the nested /category/parent/child/ addresses. */
  categoryParents?: Record<string, string>;
}

export interface ImportSink {
  site(info: SourceSite): void;
  /** A thread (its comments follow through `comment`); returns its handle. */
  thread(t: Omit<SourceThread, "comments">): number;
  comment(thread: number, c: SourceComment): void;
  item(item: WpItem): void;
  attachment(a: WpAttachment): void;
  /** Something deliberately not imported, counted ("pingback", "draft"…). */
  ignored(what: string, n?: number): void;
  /** Something imported that the summary names, counted ("pingback" kept with --pingbacks). */
  kept(what: string): void;
  warn(message: string): void;
  /** A value that does not parse: its item is left out (and the import refused unless --lenient). */
  problem(p: Problem): void;
}

export interface ParsedExport {
  format: Format;
  threads: SourceThread[];
  /** Things in the file that are deliberately not imported, counted (pingbacks...). */
  ignored: Record<string, number>;
  kept?: Record<string, number>;
  warnings: string[];
  problems?: Problem[];
  items?: WpItem[];
  attachments?: WpAttachment[];
  site?: SourceSite;
}

/** Keeps everything in memory: for tests and small files. */
export class MemorySink implements ImportSink {
  readonly parsed: ParsedExport;
  constructor(format: Format) {
    this.parsed = { format, threads: [], ignored: {}, kept: {}, warnings: [], problems: [], items: [], attachments: [], site: {} };
  }
  site(info: SourceSite): void {
    Object.assign(this.parsed.site!, info);
  }
  thread(t: Omit<SourceThread, "comments">): number {
    this.parsed.threads.push({ ...t, comments: [] });
    return this.parsed.threads.length - 1;
  }
  comment(thread: number, c: SourceComment): void {
    this.parsed.threads[thread].comments.push(c);
  }
  item(item: WpItem): void {
    this.parsed.items!.push(item);
  }
  attachment(a: WpAttachment): void {
    this.parsed.attachments!.push(a);
  }
  ignored(what: string, n = 1): void {
    this.parsed.ignored[what] = (this.parsed.ignored[what] ?? 0) + n;
  }
  kept(what: string): void {
    this.parsed.kept![what] = (this.parsed.kept![what] ?? 0) + 1;
  }
  warn(message: string): void {
    this.parsed.warnings.push(message);
  }
  problem(p: Problem): void {
    this.parsed.problems!.push(p);
  }
  /** Threads without comments are of no use to the comment import (posts come as items). */
  result(): ParsedExport {
    return { ...this.parsed, threads: this.parsed.threads.filter((t) => t.comments.length) };
  }
}

export interface ParseOptions {
  /** Name given to a comment without one ("Anonyme" on a French site). */
  anonymous?: string;
  /** IANA zone for WordPress local dates, used only when a comment has no GMT date. */
  timeZone?: string;
  /** WordPress pingbacks and trackbacks are notices from other blogs, not comments: off by default. */
  pingbacks?: boolean;
  /** The old site's address, for exports that name none (Isso, Waline), or to override. */
  site?: string;
  /** The file name, for messages. */
  file?: string;
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

/** A website as billet links it: an absolute http(s) address with a host, nothing else. */
export function safeWebsite(value: string): string | null {
  if (!value || /[\s\u0000-\u001f\u007f]/.test(value)) return null;
  try {
    const url = new URL(value);
    if ((url.protocol === "http:" || url.protocol === "https:") && url.hostname) return value;
  } catch {
    // not an address
  }
  return null;
}

/** A commenter's website from another system: "example.com" becomes "http://example.com". */
export function websiteOrNull(value: string | null | undefined): string | null {
  const s = (value ?? "").trim();
  if (!s) return null;
  return safeWebsite(/^[a-z][a-z\d+.-]*:/i.test(s) ? s : `http://${s.replace(/^\/\//, "")}`);
}

/** An email as billet stores it everywhere: trimmed and in lower case (export and erase compare it so). */
export function emailOrNull(value: string | null | undefined): string | null {
  const s = (value ?? "").trim().toLowerCase();
  return s && s.length <= 254 && /^[^\s@]+@[^\s@]+$/.test(s) ? s : null;
}

export function oneLine(value: string | null | undefined, anonymous: string): string {
  const s = (value ?? "")
    .replace(/[\u0000-\u001f\u007f]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return s || anonymous;
}

/** Milliseconds since the epoch of a wall-clock time in an IANA zone. */
export function zonedTime(y: number, mo: number, d: number, h: number, mi: number, s: number, timeZone: string): number {
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  let t = asUtc - offsetAt(asUtc, timeZone);
  t = asUtc - offsetAt(t, timeZone);
  return t;
}

/** The zone's offset from UTC at an instant, in milliseconds. */
export function offsetAt(t: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    })
      .formatToParts(new Date(t))
      .map((p) => [p.type, p.value]),
  );
  return Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second) - Math.floor(t / 1000) * 1000;
}

/** An instant as ISO 8601 with a given offset (minutes east of UTC): 2008-03-17T09:30:00+01:00. */
export function isoWithOffset(t: number, offsetMinutes: number): string {
  const local = new Date(t + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

const SQL_DATE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;

/**
 * A MySQL-style date ("2008-03-17 14:12:00"): its parts, null when empty or WordPress's zero date,
 * "invalid" when it is not a date at all (or not a real day or time).
 */
export function sqlDateParts(value: string): number[] | null | "invalid" {
  const s = value.trim();
  if (!s || /^0000-00-00[ T]00:00:00$/.test(s)) return null;
  const m = SQL_DATE.exec(s);
  if (!m) return "invalid";
  const [y, mo, d, h, mi, sec] = m.slice(1).map(Number);
  const check = new Date(Date.UTC(y, mo - 1, d, h, mi, sec));
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59 || check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1) return "invalid";
  return [y, mo, d, h, mi, sec];
}

/** The path of a site's address, as a folder: "https://old.example/blog" → "/blog/". */
export function basePath(url: string): string {
  try {
    const path = new URL(/^[a-z][a-z\d+.-]*:\/\//i.test(url.trim()) ? url.trim() : `http://${url.trim()}`).pathname.replace(/\/+$/, "");
    return `${path}/`;
  } catch {
    return "/";
  }
}

/** The site part of an import key: host and path, whatever the scheme or a leading www. */
export function siteKey(url: string): string {
  const s = url.trim();
  try {
    const u = new URL(/^[a-z][a-z\d+.-]*:\/\//i.test(s) ? s : `http://${s}`);
    return `${u.hostname.replace(/^www\./, "")}${u.pathname.replace(/\/+$/, "")}`.toLowerCase();
  } catch {
    return s.toLowerCase();
  }
}

// ---------------------------------------------------------------------------------------------
// billet's own export (npm run export)

export const EXPORT_FORMAT = "billet-comments";

const nullableString = v.nullish(v.string());
const time = v.union([v.pipe(v.number(), v.integer()), v.pipe(v.string(), v.isoTimestamp())]);
const exportedComment = v.object({
  id: v.pipe(v.number(), v.integer(), v.minValue(1)),
  post_slug: v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9-]{0,119}$/)),
  parent_id: v.nullish(v.pipe(v.number(), v.integer())),
  root_id: v.nullish(v.pipe(v.number(), v.integer())),
  depth: v.optional(v.pipe(v.number(), v.integer())),
  author_name: v.string(),
  author_email: nullableString,
  author_url: nullableString,
  content: v.string(),
  html: v.optional(v.string()),
  status: v.picklist(COMMENT_STATUSES),
  held_for: nullableString,
  created_at: time,
  edited_at: v.nullish(time),
  updated_at: v.optional(time),
  ip_hash: nullableString,
  edit_token_hash: nullableString,
  import_key: nullableString,
  content_hash: nullableString,
  idempotency_key: nullableString,
  spam_score: v.nullish(v.number()),
  spam_reasons: nullableString,
  trained_as: v.nullish(v.picklist(["spam", "ham"])),
});
const exportFile = v.object({ format: v.literal(EXPORT_FORMAT), version: v.literal(1), comments: v.array(exportedComment) });
export type ExportedComment = v.InferOutput<typeof exportedComment>;
export type ExportFile = v.InferOutput<typeof exportFile> & { exported_at?: string };

const ms = (t: number | string) => (typeof t === "number" ? t : Date.parse(t));

/** Where a JSON syntax error is, as line and column (from the offset the engine reports). */
export function jsonErrorAt(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const pos = /position (\d+)/.exec(message);
  if (!pos) return /Unexpected end/i.test(message) ? "the file ends too early: it looks truncated (cut off before its end)" : "it is not valid JSON";
  const offset = Number(pos[1]);
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  const truncated = offset >= text.trimEnd().length;
  return `line ${line}, column ${column}: ${truncated ? "the file ends too early: it looks truncated (cut off before its end)" : "this is not valid JSON here"}`;
}

export function parseBilletJson(text: string, file = "the file"): ParsedExport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: ${jsonErrorAt(text, err)}. Nothing was imported.`);
  }
  const parsed = v.safeParse(exportFile, data);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = v.getDotPath(issue);
    const at = /^comments\.(\d+)\.(.+)$/.exec(path ?? "");
    const where = at
      ? `comment ${(data as { comments: { id?: unknown }[] }).comments[Number(at[1])]?.id ?? `#${Number(at[1]) + 1}`}, field ${at[2]}`
      : (path ?? "(file)");
    throw new Error(`not a billet export: ${where}: ${issue.message}`);
  }
  const result: ParsedExport = { format: "json", threads: [], ignored: {}, warnings: [] };
  const bySlug = new Map<string, SourceThread>();
  for (const c of parsed.output.comments) {
    let thread = bySlug.get(c.post_slug);
    if (!thread) {
      thread = { label: c.post_slug, refs: [`/posts/${c.post_slug}/`], slug: c.post_slug, comments: [] };
      bySlug.set(c.post_slug, thread);
      result.threads.push(thread);
    }
    const authorUrl = c.author_url ? safeWebsite(c.author_url) : null;
    if (c.author_url && !authorUrl) result.warnings.push(`comment ${c.id}: website "${c.author_url}" is not an http(s) address, dropped`);
    const createdAt = ms(c.created_at);
    thread.comments.push({
      sourceId: String(c.id),
      parentSourceId: c.parent_id ? String(c.parent_id) : null,
      importKey: c.import_key ?? null,
      id: c.id,
      authorName: c.author_name,
      authorEmail: c.author_email?.trim().toLowerCase() || null,
      authorUrl,
      content: c.content,
      status: c.status,
      heldFor: c.held_for ?? null,
      createdAt,
      editedAt: c.edited_at === null || c.edited_at === undefined ? null : ms(c.edited_at),
      updatedAt: c.updated_at === undefined ? createdAt : ms(c.updated_at),
      ipHash: c.ip_hash ?? null,
      editTokenHash: c.edit_token_hash ?? null,
      contentHash: c.content_hash ?? null,
      idempotencyKey: c.idempotency_key ?? null,
      spamScore: c.spam_score ?? null,
      spamReasons: c.spam_reasons ?? null,
      trainedAs: c.trained_as ?? null,
    });
  }
  return result;
}

// ---------------------------------------------------------------------------------------------

/** The format, from the first bytes of the file (already gunzipped). */
export function detectFormat(head: string | Buffer): Format {
  const bytes = typeof head === "string" ? Buffer.from(head.slice(0, 4000)) : head;
  if (bytes.subarray(0, 16).toString("latin1") === "SQLite format 3\u0000") return "isso";
  const text = bytes
    .toString("utf8")
    .replace(/^\uFEFF/, "")
    .trimStart();
  if (text.startsWith("{")) {
    if (/"format"\s*:\s*"billet-comments"/.test(text)) return "json";
    if (/"type"\s*:\s*"waline"/.test(text) || /"tables"\s*:\s*\[/.test(text)) return "waline";
    // Remark42's backup: a first line of metadata, then one comment a line.
    const first = text.split("\n", 1)[0];
    if (/"(users|posts)"\s*:/.test(first) || /"locator"\s*:/.test(text)) return "remark42";
    return "json";
  }
  if (/<disqus[\s>]/.test(text)) return "disqus";
  if (/<rss[\s>]/.test(text) && /wordpress\.(org|com)\/export|xmlns:wp=/.test(text)) return "wordpress";
  if (/<rss[\s>]|<\?xml/.test(text)) return "wordpress";
  throw new Error("cannot tell the file's format: use --format wordpress|disqus|json|isso|remark42|waline");
}
